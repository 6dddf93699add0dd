"""Read the head of an input: at most HEAD_BYTES of *decompressed* data, never decompressing more
than needed, so a 10 GB file sniffs as fast as a small one."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import BinaryIO

import zstandard

from app.core.io import Prepended, detect_compression

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
    if compression == "gzip":
        return _gunzip_head(first, raw, limit)
    return _unzstd_head(first, raw, limit)


def _gunzip_head(first: bytes, raw: BinaryIO, limit: int) -> Head:
    out = bytearray()
    consumed = len(first)
    pending = first
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    in_member = False  # d has been fed a member that has not ended yet
    problem = None
    eof_raw = False
    try:
        while len(out) <= limit:
            if not pending:
                chunk = raw.read(64 * 1024)
                if not chunk:
                    eof_raw = True
                    break
                consumed += len(chunk)
                pending = chunk
            if not in_member and not pending.strip(b"\0"):
                pending = b""  # zero padding after the last member
                continue
            in_member = True
            out += d.decompress(pending, limit + 1 - len(out))
            pending = d.unconsumed_tail
            if d.eof:  # a member ended; another may follow (concatenated gzip)
                pending = d.unused_data + pending
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                in_member = False
        if eof_raw and in_member:
            problem = "the gzip data ends early (the file looks truncated)"
    except zlib.error as e:
        problem = f"the gzip data is damaged ({e})"
        eof_raw = True
    whole = len(out) <= limit and eof_raw
    return Head(bytes(out[:limit]), whole, "gzip", max(1, consumed - len(pending)), problem)


def _unzstd_head(first: bytes, raw: BinaryIO, limit: int) -> Head:
    src = Prepended(first, raw)
    reader = zstandard.ZstdDecompressor().stream_reader(
        # Small reads keep `consumed` close to what the decompressor really used: the compression
        # ratio seen in the head scales the event estimate.
        src, read_size=4096, read_across_frames=True, closefd=False
    )
    out = bytearray()
    problem = None
    ended = False
    try:
        while len(out) <= limit:
            chunk = reader.read(limit + 1 - len(out))
            if not chunk:
                ended = True
                break
            out += chunk
    except zstandard.ZstdError as e:
        problem = f"the zstd data is damaged ({e})"
        ended = True
    if ended and not problem:
        # The stream reader stops quietly at a cut frame; the frame header may tell the full size.
        try:
            expected = zstandard.get_frame_parameters(first).content_size
        except zstandard.ZstdError:
            expected = 0
        if (0 < expected and len(out) < expected) or (not out and src.consumed > 0):
            problem = "the zstd data ends early (the file looks truncated)"
    return Head(bytes(out[:limit]), ended and len(out) <= limit, "zstd", max(1, src.consumed), problem)
