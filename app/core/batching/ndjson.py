"""NDJSON cut with bytes methods (find/rfind/split) on whole chunks, each checked in one pass
(scan.scan_block: in C where it is built).

Only a chunk holding something unusual (CRLF, blank or whitespace-led lines) goes through the
per-line path, which normalises line ends and drops blank lines. On the fast path a batch's body
is a verbatim slice of the input and its `lines` is a `range`.
"""

from __future__ import annotations

from typing import BinaryIO, Iterator

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop, TooLong
from app.core.batching.lines import NulRegion, binary_from, binary_stop, line_blocks
from app.core.batching.scan import BLANK_LINE, HAS_CR, HAS_NUL, SPACE_LED, scan_block


_OFF_PATH = HAS_CR | HAS_NUL | BLANK_LINE | SPACE_LED  # what sends a block down the per-line path


def read_ndjson(stream: BinaryIO, b: Builder, line: int, offset: int) -> Iterator[Batch]:
    nuls = NulRegion()
    try:
        for data in line_blocks(stream, limits.LINE_CHUNK):
            if not data:
                continue
            if data[-1] != 0x0A:  # the last line, without "\n"
                yield from _line(b, nuls, data, line, offset + len(data))
                continue
            n, flags = scan_block(data)
            if not flags & _OFF_PATH:
                nuls.close(b)
                yield from b.add_block(data, line, offset, n)
            else:
                cut = binary_from(data) if flags & HAS_NUL else None
                off, ln_no = offset, line
                for ln in (data if cut is None else data[:cut]).split(b"\n")[:-1]:
                    off += len(ln) + 1
                    yield from _line(b, nuls, ln, ln_no, off)
                    ln_no += 1
                if cut is not None:
                    raise binary_stop(data[cut:], ln_no, off)
            line += n
            offset += len(data)
    except TooLong:
        raise Stop(f"line {line} is longer than {limits.MAX_RECORD >> 20} MB without a line break: "
                    "this does not look like NDJSON", line, offset) from None
    finally:
        nuls.close(b)


def _line(b: Builder, nuls: NulRegion, ln: bytes, ln_no: int, end: int) -> Iterator[Batch]:
    """One line off the per-line path: blank ones dropped, NUL-damaged ones failed or noted."""
    if b"\0" in ln:
        reason = nuls.line(ln, ln_no, end)
        if reason:
            nuls.close(b)
            yield from b.skip(ln_no, reason, end, ln_no + 1)
        return
    if ln.strip():
        nuls.close(b)
        rec = ln[:-1] if ln[-1] == 0x0D else ln
        yield from b.add_record(rec + b"\n", ln_no, end, ln_no + 1)
