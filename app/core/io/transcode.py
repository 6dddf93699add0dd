"""Streams that turn text in any encoding into UTF-8 without a BOM, incrementally, so the
readers downstream only ever see UTF-8."""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO


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
    """Wrap a decompressed stream so reads return UTF-8 without a BOM. Reads may be short (a
    consumer reads until b""): no buffered reader on top, which would drop the bytes it holds when
    a read below it raises (a cut compressed file)."""
    enc = (encoding or "utf-8").lower().replace("_", "-")
    if enc in _UTF8_NAMES:
        return stream
    if enc in ("utf-8-sig",):
        head = stream.read(3)
        if head != codecs.BOM_UTF8:
            return Prepended(head, stream)  # type: ignore[return-value]
        return stream
    return Utf8Transcoder(stream, enc)  # type: ignore[return-value]


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
