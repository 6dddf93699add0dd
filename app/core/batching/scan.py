"""What the NDJSON and CSV readers check of every block of whole lines, and where a batch's k-th
line ends: one pass in C (_native_lines.c) where it is built, the same answers in Python."""

from __future__ import annotations

import re

try:
    from app.core.batching import _native_lines
except ImportError:  # not built (no C compiler): the same scans in Python
    _native_lines = None

# scan_block's flags: what a block of lines holds that keeps it off the readers' verbatim path
HAS_CR, HAS_NUL, HAS_QUOTE, BLANK_LINE, SPACE_LED = 1, 2, 4, 8, 16
_BLANK = re.compile(rb"\n\n")                 # a blank line (a regex finds two bytes faster than `in`)
_SPACE_LED = re.compile(rb"\n[ \t\x0b\x0c]")   # a line starting with whitespace


def scan_block(data: bytes, quote: int = -1, *, native: bool = True) -> tuple[int, int]:
    """(how many "\\n" data holds, the flags above): what the NDJSON and CSV readers check of
    every block, in one C pass (_native_lines.c) where it is built. `quote`: a byte value, or -1."""
    if native and _native_lines is not None:
        return _native_lines.scan(data, quote)
    flags = ((HAS_CR if b"\r" in data else 0) | (HAS_NUL if b"\0" in data else 0)
             | (HAS_QUOTE if quote >= 0 and bytes((quote,)) in data else 0)
             | (BLANK_LINE if data[:1] == b"\n" or _BLANK.search(data) else 0)
             | (SPACE_LED if data[:1] in (b" ", b"\t", b"\x0b", b"\x0c") or _SPACE_LED.search(data) else 0))
    return data.count(b"\n"), flags


def past_newline(data: bytes, pos: int, end: int, k: int, *, native: bool = True) -> int:
    """The offset just past the k-th "\\n" of data[pos:end], which holds at least k of them."""
    if native and _native_lines is not None:
        return _native_lines.past_newline(data, pos, end, k)
    # Halving the range with bytes.count scans it about once, without the k-item list split() makes.
    lo, hi, before = pos, end, 0  # before: newlines in data[pos:lo], fewer than k; data[pos:hi] has k or more
    while hi - lo > 1:
        mid = (lo + hi) // 2
        seen = before + data.count(b"\n", lo, mid)
        if seen >= k:
            hi = mid
        else:
            lo, before = mid, seen
    return hi
