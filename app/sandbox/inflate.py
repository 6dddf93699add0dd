"""Decompressing a request body (gzip, multi-member too, and zstd, multi-frame too), whole or as it
arrives, stopping with a 413 once it passes the size cap rather than after."""

from __future__ import annotations

import zlib
from typing import Any

import zstandard

from app.sandbox.errors import ApiError


def decompress(body: bytes, encoding: str | None, cap: int) -> bytes:
    """The uncompressed body; ApiError 413 past `cap`, 400 when it does not decompress, 415 for
    an encoding other than gzip and zstd."""
    inflater = Inflater(encoding, cap)
    data = inflater.feed(body)
    inflater.close()
    return data


class Inflater:
    """`decompress` piece by piece (the `fast` mode streams with it): `feed` each received piece
    (returns what it decompresses to), then `close`. Past `cap` uncompressed bytes it stops with
    a 413 while decompressing: a few KB of zstd can stand for gigabytes, so zstd output is taken
    128 KB at a time (gzip's ratio is at most ~1000:1)."""

    def __init__(self, encoding: str | None, cap: int):
        if encoding not in (None, "", "identity", "gzip", "x-gzip", "zstd"):
            raise ApiError(415, f"unsupported content encoding {encoding!r}: use gzip or zstd")
        self.encoding = encoding
        self.cap = cap
        self.size = 0             # uncompressed bytes so far
        self._out: list[bytes] = []
        # the decompressor writes its output to self.write, across frames
        self._zstd = zstandard.ZstdDecompressor().stream_writer(self, write_return_read=True) \
            if encoding == "zstd" else None
        self._gzip = encoding in ("gzip", "x-gzip")
        self._member: Any = None  # gzip: the current member's decompressor
        self._members = 0
        self._head = b""          # gzip: a new member's first byte, until its magic can be checked

    def write(self, data: bytes) -> int:
        """zstd's output, a chunk at a time."""
        self._grow(len(data))
        self._out.append(bytes(data))
        return len(data)

    def _grow(self, n: int) -> None:
        self.size += n
        if self.size > self.cap:
            raise ApiError(413, "request entity too large")

    def feed(self, piece: bytes) -> bytes:
        try:
            if self._zstd is not None:
                self._zstd.write(piece)
                out, self._out = b"".join(self._out), []
                return out
            if self._gzip:
                return self._gunzip(piece)
            self._grow(len(piece))
            return piece
        except (OSError, EOFError, zlib.error, zstandard.ZstdError) as e:
            raise ApiError(400, f"failed to decompress the {self.encoding} body: {e}") from None

    def close(self) -> None:
        """The body ended: 400 when it ends inside a gzip member (a cut zstd frame is accepted,
        as `decompress` does)."""
        if self._member is not None:
            error = "Compressed file ended before the end-of-stream marker was reached"
        elif self._head:
            error = f"Not a gzipped file ({self._head!r})"
        else:
            return
        raise ApiError(400, f"failed to decompress the {self.encoding} body: {error}")

    def _gunzip(self, data: bytes) -> bytes:
        out = []
        while data:
            if self._member is None:  # a new member (zero padding after one is skipped, as GzipFile does)
                if self._members and not self._head:
                    data = data.lstrip(b"\0")
                self._head += data
                if len(self._head) < 2:
                    break
                if self._head[:2] != b"\x1f\x8b":
                    raise OSError(f"Not a gzipped file ({self._head[:2]!r})")
                data, self._head = self._head, b""
                self._member = zlib.decompressobj(wbits=31)
                self._members += 1
            out.append(self._member.decompress(data))
            self._grow(len(out[-1]))
            if not self._member.eof:
                break
            data, self._member = self._member.unused_data, None
        return b"".join(out)
