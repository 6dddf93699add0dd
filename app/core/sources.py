"""Open an input as a stream of bytes: decompress (by magic bytes, never the extension) and
transcode to UTF-8, without ever loading the whole input."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import stat
from pathlib import Path
from typing import BinaryIO

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# Extensions considered when a folder is dropped (files given one by one are always tried).
SUPPORTED_SUFFIXES = (".json", ".ndjson", ".jsonl", ".csv", ".tsv", ".txt", ".log")
COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd")


class SourceError(Exception):
    """An input that cannot be opened or read; the message names the file and says why."""


def detect_compression(head: bytes) -> str | None:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


def open_raw(path: str | os.PathLike) -> BinaryIO:
    """Open a regular file for reading, with a message a person can act on when it fails."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise SourceError(f"{p}: no such file") from None
    except OSError as e:
        raise SourceError(f"{p}: cannot read it ({e.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError(f"{p}: is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{p}: not a regular file (a pipe, socket or device cannot be sniffed or resumed)")
    try:
        return open(p, "rb")
    except PermissionError:
        raise SourceError(f"{p}: permission denied (the file is not readable by you)") from None
    except OSError as e:
        raise SourceError(f"{p}: cannot open it ({e.strerror})") from None


def decompressing(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """Wrap a raw stream so reads return decompressed bytes."""
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "zstd":
        dctx = zstandard.ZstdDecompressor()
        return dctx.stream_reader(raw, read_across_frames=True, closefd=True)  # type: ignore[return-value]
    return raw


class Utf8Transcoder(io.RawIOBase):
    """Reads bytes in some encoding and yields UTF-8, incrementally (no BOM in the output)."""

    def __init__(self, inner: BinaryIO, encoding: str, chunk: int = 1 << 20):
        self._inner = inner
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._chunk = chunk
        self._buf = b""
        self._eof = False
        self._first = True

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        while not self._buf and not self._eof:
            data = self._inner.read(self._chunk)
            if not data:
                self._eof = True
                self._buf = self._decoder.decode(b"", final=True).encode("utf-8")
            else:
                text = self._decoder.decode(data)
                if self._first and text:
                    text = text.removeprefix("\ufeff")  # utf-16-le/-be keep the BOM as a character
                    self._first = False
                self._buf = text.encode("utf-8")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


# Encodings whose bytes are already UTF-8 once a BOM (if any) is skipped.
_UTF8_NAMES = {"utf-8", "utf_8", "utf8", "ascii", "us-ascii"}


def transcoding(stream: BinaryIO, encoding: str | None) -> BinaryIO:
    """Wrap a decompressed stream so reads return UTF-8 without a BOM."""
    enc = (encoding or "utf-8").lower().replace("_", "-")
    if enc in _UTF8_NAMES:
        return stream
    if enc in ("utf-8-sig",):
        head = stream.read(3)
        if head != codecs.BOM_UTF8:
            return io.BufferedReader(Prepended(head, stream))  # type: ignore[return-value]
        return stream
    return io.BufferedReader(Utf8Transcoder(stream, enc), buffer_size=1 << 20)  # type: ignore[return-value]


class Prepended(io.RawIOBase):
    """A stream that yields `head` (bytes already read, e.g. for sniffing) and then the rest of
    `inner`. `consumed` counts the bytes handed out."""

    def __init__(self, head: bytes, inner: BinaryIO):
        self._head, self._inner, self.consumed = head, inner, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._inner.read(len(b))
            n = len(data)
            b[:n] = data
        self.consumed += n
        return n


def open_decoded(path: str | os.PathLike, compression: str | None, encoding: str | None) -> BinaryIO:
    """The input as a stream of UTF-8 bytes, decompressed, BOM removed."""
    return transcoding(decompressing(open_raw(path), compression), encoding)


def decoded_from_bytes(data: bytes, compression: str | None, encoding: str | None) -> BinaryIO:
    """Same as open_decoded for bytes already in memory (pasted text, stdin)."""
    return transcoding(decompressing(io.BytesIO(data), compression), encoding)


def expand_paths(paths: list[str | os.PathLike]) -> tuple[list[Path], list[str]]:
    """Files to send for the given paths: a folder means its supported files (recursively, links
    followed once, loops cut). Returns (files, problems) where problems are messages."""
    files: list[Path] = []
    problems: list[str] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            seen: set[tuple[int, int]] = set()
            for root, dirs, names in os.walk(p, followlinks=True):
                try:
                    st = os.stat(root)
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    problems.append(f"{root}: {LOOP_SKIPPED}")
                    dirs[:] = []
                    continue
                seen.add(key)
                dirs.sort()
                for name in sorted(names):
                    if is_supported_name(name):
                        files.append(Path(root) / name)
        elif p.exists() or p.is_symlink():
            files.append(p)
        else:
            problems.append(f"{p}: no such file")
    return files, problems


LOOP_SKIPPED = "skipped, a link loops back to a folder already read"


def is_supported_name(name: str) -> bool:
    lower = name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
            break
    return lower.endswith(SUPPORTED_SUFFIXES)
