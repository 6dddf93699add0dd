"""Read the head of an input: at most HEAD_BYTES of *decompressed* data, never decompressing more
than needed, so a 10 GB file sniffs as fast as a small one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from app.core.io import CompressedDataError, Decompressing, Prepended, detect_compression

HEAD_BYTES = 1 << 20


@dataclass
class Head:
    data: bytes  # decompressed head
    whole: bool  # data is the entire (decompressed) input
    compression: str | None
    raw_read: int  # source bytes consumed to produce data
    problem: str | None = None  # damaged compressed stream


def read_head(raw: BinaryIO, limit: int) -> Head:
    """Read at most `limit` decompressed bytes; never decompresses more than needed."""
    first = raw.read(min(limit + 1, 64 * 1024))
    compression = detect_compression(first)
    if compression is None:
        rest = raw.read(limit + 1 - len(first)) if len(first) == min(limit + 1, 64 * 1024) else b""
        data = first + rest
        return Head(data[:limit], len(data) <= limit, None, len(data))
    return _decompressed_head(first, raw, limit, compression)


def _decompressed_head(first: bytes, raw: BinaryIO, limit: int, compression: str) -> Head:
    """The head through the upload's own decompressor (io), so a cut or damaged input is named
    by the same rule here and when it is sent. Small reads keep `consumed` close to what the
    decompressor really used: the compression ratio seen in the head scales the event estimate."""
    src = Decompressing(Prepended(first, raw), compression, read_size=4096)
    out = bytearray()
    problem = None
    ended = False
    try:
        while len(out) <= limit:
            chunk = src.read(limit + 1 - len(out))
            if not chunk:
                ended = True
                break
            out += chunk
    except CompressedDataError as e:
        problem = (f"the {compression} data ends early (the file looks truncated)" if e.cut
                   else f"the {compression} data is damaged ({e.detail})")
        ended = True
    return Head(bytes(out[:limit]), ended and len(out) <= limit, compression, max(1, src.consumed), problem)
