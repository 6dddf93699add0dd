"""CSV cut like NDJSON: a block of whole lines whose records are one line each (no quote char, or
quotes that close on their line: checked with one regex pass) is added verbatim with bytes methods,
no Python work per row. Only blocks holding quoted newlines, CRLF, blank lines or NUL bytes go
through the per-line path, which tracks quote parity and fails NUL-damaged records by line (NUL-
filled regions noted once, by lines.NulRegion). The header is repeated in every batch, and
rebuilt from the plan's field names when resuming past it.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, BinaryIO, Iterator

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop, TooLong
from app.core.batching.lines import NulRegion, binary_from, binary_stop, line_blocks
from app.core.batching.scan import BLANK_LINE, HAS_CR, HAS_NUL, HAS_QUOTE, scan_block

if TYPE_CHECKING:
    from app.core.sniff import CsvDialect

@functools.lru_cache(maxsize=8)
def quoted_cells(q: bytes) -> re.Pattern[bytes]:
    """A quoted stretch ("" escapes included, newlines too): removing them all leaves one line per
    record, with the quote char left only where a quote never closes."""
    e = re.escape(q)
    return re.compile(e + b"[^" + e + b"]*(?:" + e + e + b"[^" + e + b"]*)*" + e)


class _Records:
    """The per-line path's state: a record still open inside quotes, a NUL region being noted."""

    def __init__(self, b: Builder, q: bytes, need_header: bool):
        self.b, self.q, self.need_header = b, q, need_header
        self.parts: list[bytes] = []   # lines of a record still inside quotes
        self.odd = 0
        self.rec_line = self.rec_off = self.rec_len = 0
        self.nuls = NulRegion()

    def lines(self, lns: list[bytes], extra: int, line: int, offset: int) -> Iterator[Batch]:
        """Each line of lns (`extra`: 1 when each ended in "\\n", 0 for the unterminated last one)."""
        b, q = self.b, self.q
        for ln in lns:
            size = len(ln) + extra
            if not self.parts:
                if ln == b"" or ln == b"\r":  # blank line: counted, not an event
                    line += 1
                    offset += size
                    continue
                self.rec_line, self.rec_off, self.rec_len = line, offset, 0
            self.parts.append(ln)
            if q:
                self.odd ^= ln.count(q) & 1
            self.rec_len += size
            line += 1
            offset += size
            if self.odd:
                if self.rec_len > limits.MAX_RECORD:
                    raise Stop(f"the CSV record starting at line {self.rec_line} is longer than "
                               f"{limits.MAX_RECORD >> 20} MB: a quote ({q.decode()}) is probably never closed",
                               self.rec_line, self.rec_off)
                continue
            rec = b"\n".join(self.parts)
            self.parts = []
            if b"\0" in rec:
                reason = self.nuls.line(rec, self.rec_line, offset)
                if reason:
                    self.nuls.close(b)
                    yield from b.skip(self.rec_line, reason, offset, line)
                continue
            self.nuls.close(b)
            if rec[-1:] == b"\r":
                rec = rec[:-1]
            rec += b"\n"
            if self.need_header:
                b.set_header(rec)
                self.need_header = False
            else:
                yield from b.add_record(rec, self.rec_line, offset, line)


def read_csv(stream: BinaryIO, b: Builder, line: int, offset: int, q: bytes, need_header: bool) -> Iterator[Batch]:
    r = _Records(b, q, need_header)
    quoted = quoted_cells(q) if q else None
    qbyte = q[0] if len(q) == 1 else -1  # scan_block looks for a one-byte quote char itself
    try:
        for data in line_blocks(stream, limits.LINE_CHUNK):
            if not data:
                continue
            if data[-1] != 0x0A:  # the last line, without "\n"
                yield from r.lines([data], 0, line, offset)
                continue
            if r.need_header and not r.parts and data[0] not in b"\r\n\0":
                # the header's own line off the block, so the rest can take the fast path
                nl = data.find(b"\n")
                first = data[:nl - 1] if data[nl - 1:nl] == b"\r" else data[:nl]
                if b"\r" not in first and b"\0" not in first and not (q and first.count(q) & 1):
                    b.set_header(first + b"\n")
                    r.need_header = False
                    line += 1
                    offset += nl + 1
                    data = data[nl + 1:]
                    if not data:
                        continue
            n, flags = scan_block(data, qbyte)
            body, dropped = data, 0
            if flags & HAS_CR and data.count(b"\r\n") == n == data.count(b"\r"):  # CRLF lines
                body, dropped = data.replace(b"\r\n", b"\n"), 1
                flags = scan_block(body, qbyte)[1]  # "\r\n\r\n" is a blank line only now
            quotes = flags & HAS_QUOTE if qbyte >= 0 else q and q in body
            if (not r.parts and not r.need_header and not flags & (HAS_NUL | HAS_CR | BLANK_LINE)
                    and (not quotes or _one_line_records(body, quoted, q, n))):
                r.nuls.close(b)
                yield from b.add_block(body, line, offset, n, dropped)
            else:
                cut = binary_from(data) if flags & HAS_NUL else None
                part = data if cut is None else data[:cut]
                yield from r.lines(part.split(b"\n")[:-1], 1, line, offset)
                if cut is not None:
                    ln_no = line + part.count(b"\n")
                    raise binary_stop(data[cut:], ln_no, offset + cut)
            line += n
            offset += len(data)
    except TooLong:
        raise Stop(f"line {line} is longer than {limits.MAX_RECORD >> 20} MB without a line break: "
                   "this does not look like CSV", line, offset) from None
    finally:
        r.nuls.close(b)
    if r.parts:
        raise Stop(f"the CSV record starting at line {r.rec_line} has a quote ({q.decode()}) that is never "
                   "closed before the end of the input", r.rec_line, r.rec_off)


def _one_line_records(data: bytes, quoted: re.Pattern[bytes], q: bytes, n: int) -> bool:
    """True when every quote in data closes on its own line: each line is one whole record."""
    rest = quoted.sub(b"", data)
    return q not in rest and rest.count(b"\n") == n


def header_from_fields(dialect: CsvDialect) -> bytes:
    """The header line rebuilt from the dialect's field names (resuming past the file's header)."""
    d, q = dialect.delimiter, dialect.quotechar

    def cell(f: str) -> str:
        if q and (any(ch in f for ch in (d, q, "\n", "\r")) or f != f.strip()):
            return q + f.replace(q, q + q) + q
        return f

    return (d.join(cell(f) for f in dialect.fields) + "\n").encode("utf-8")
