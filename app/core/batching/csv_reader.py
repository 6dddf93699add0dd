"""CSV cut like NDJSON (bytes methods on whole chunks); records holding quoted newlines, CRLF or
blank lines go through the per-line path, which tracks quote parity. The header is repeated in
every batch, and rebuilt from the plan's field names when resuming past it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, Iterator

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop, TooLong
from app.core.batching.lines import line_blocks

if TYPE_CHECKING:
    from app.core.sniff import CsvDialect


def read_csv(stream: BinaryIO, b: Builder, line: int, offset: int, q: bytes, need_header: bool) -> Iterator[Batch]:
    parts: list[bytes] = []   # lines of a record still inside quotes
    odd = 0
    rec_line = rec_off = rec_len = 0
    try:
        for data in line_blocks(stream):
            if not data:
                continue
            final = data[-1] != 0x0A
            if (not final and not parts and not need_header and (not q or q not in data)
                    and b"\r" not in data and data[0] != 0x0A and b"\n\n" not in data):
                n = data.count(b"\n")
                yield from b.add_block(data, line, offset, n)
                line += n
                offset += len(data)
                continue
            lns = [data] if final else data.split(b"\n")[:-1]
            extra = 0 if final else 1
            for ln in lns:
                size = len(ln) + extra
                if not parts:
                    if ln == b"" or ln == b"\r":  # blank line: counted, not an event
                        line += 1
                        offset += size
                        continue
                    rec_line, rec_off, rec_len = line, offset, 0
                parts.append(ln)
                if q:
                    odd ^= ln.count(q) & 1
                rec_len += size
                line += 1
                offset += size
                if odd:
                    if rec_len > limits.MAX_RECORD:
                        raise Stop(f"the CSV record starting at line {rec_line} is longer than "
                                    f"{limits.MAX_RECORD >> 20} MB: a quote ({q.decode()}) is probably never closed",
                                    rec_line, rec_off)
                    continue
                rec = b"\n".join(parts)
                parts = []
                if rec[-1:] == b"\r":
                    rec = rec[:-1]
                rec += b"\n"
                if need_header:
                    b.set_header(rec)
                    need_header = False
                else:
                    yield from b.add_record(rec, rec_line, offset, line)
    except TooLong:
        raise Stop(f"line {line} is longer than {limits.MAX_RECORD >> 20} MB without a line break: "
                    "this does not look like CSV", line, offset) from None
    if parts:
        raise Stop(f"the CSV record starting at line {rec_line} has a quote ({q.decode()}) that is never "
                    "closed before the end of the input", rec_line, rec_off)


def header_from_fields(dialect: CsvDialect) -> bytes:
    """The header line rebuilt from the dialect's field names (resuming past the file's header)."""
    d, q = dialect.delimiter, dialect.quotechar

    def cell(f: str) -> str:
        if q and (any(ch in f for ch in (d, q, "\n", "\r")) or f != f.strip()):
            return q + f.replace(q, q + q) + q
        return f

    return (d.join(cell(f) for f in dialect.fields) + "\n").encode("utf-8")
