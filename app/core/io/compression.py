"""Which compression an input uses (by its magic bytes, never the extension) and a stream that
decompresses it as it is read."""

from __future__ import annotations

import gzip
from typing import BinaryIO

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def detect_compression(head: bytes) -> str | None:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


def decompressing(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """Wrap a raw stream so reads return decompressed bytes."""
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "zstd":
        dctx = zstandard.ZstdDecompressor()
        return dctx.stream_reader(raw, read_across_frames=True, closefd=True)  # type: ignore[return-value]
    return raw
