"""Which compression an input uses (by its magic bytes, never the extension) and a stream that
decompresses it as it is read, and says so when the compressed data stops early or is damaged.

Why not gzip.GzipFile or zstandard's stream_reader alone: a cut zstd frame ends the stream_reader
quietly (a half upload reported as complete), and both lose the bytes decoded before the cut when
a buffered reader above them sees the error. Here every decoded byte is handed out first; the next
read raises CompressedDataError naming the byte of the compressed file where it stopped.
"""

from __future__ import annotations

import io
import zlib
from typing import BinaryIO

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
RAW_READ = 1 << 18  # compressed bytes per read: small enough that output stays a few MB


def detect_compression(head: bytes) -> str | None:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


class CompressedDataError(Exception):
    """The compressed input is cut off (`cut`) or damaged at byte `offset` of the compressed file;
    everything decoded before it was handed out."""

    def __init__(self, compression: str, offset: int, cut: bool, detail: str = ""):
        self.compression, self.offset, self.cut, self.detail = compression, offset, cut, detail
        what = (f"the {compression} data is cut off (truncated) at byte {offset:,} of the compressed file"
                if cut else f"the {compression} data is damaged at byte {offset:,} of the compressed file ({detail})")
        self.message = f"{what}; the events after it were not sent"
        super().__init__(self.message)


class _ZstdFrames:
    """Follows the frame and block headers of the zstd bytes seen, so the end of the input can be
    told from a cut: a frame is complete only after its last block (and checksum)."""

    def __init__(self) -> None:
        self.seen = 0           # bytes fed
        self.need = 0           # bytes still to skip in the current part
        self.state = "magic"    # what the next bytes are: magic, fhd, header, block, tail
        self.pending = b""      # a header split across reads
        self.checksum = False
        self.frames = 0

    @property
    def at_boundary(self) -> bool:
        return self.state == "magic" and self.need == 0 and not self.pending

    def feed(self, data: bytes) -> None:
        pos, n = 0, len(data)
        self.seen += n
        while pos < n:
            if self.need:
                step = min(self.need, n - pos)
                self.need -= step
                pos += step
                continue
            want = {"magic": 4, "fhd": 1, "skip_size": 4, "block": 3}.get(self.state, 0)
            if want:
                take = want - len(self.pending)
                self.pending += data[pos:pos + take]
                pos += min(take, n - pos)
                if len(self.pending) < want:
                    return
                head, self.pending = self.pending, b""
                self._header(head)
            else:  # "done": a frame ended; the next bytes start another
                self.state = "magic"

    def _header(self, head: bytes) -> None:
        if self.state == "magic":
            value = int.from_bytes(head, "little")
            self.state = "skip_size" if (value & 0xFFFFFFF0) == 0x184D2A50 else "fhd"
        elif self.state == "skip_size":  # a skippable frame: its size, then that many bytes
            self.need, self.state = int.from_bytes(head, "little"), "magic"
            self.frames += 1
        elif self.state == "fhd":
            fhd = head[0]
            single = (fhd >> 5) & 1
            fcs = (0, 2, 4, 8)[fhd >> 6] or single
            self.checksum = bool((fhd >> 2) & 1)
            self.need = (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + fcs
            self.state = "block"
        else:  # a block header: last-block bit, type, size
            h = int.from_bytes(head, "little")
            kind, size = (h >> 1) & 3, h >> 3
            self.need = 1 if kind == 1 else size
            if h & 1:
                self.need += 4 if self.checksum else 0
                self.state = "magic"
                self.frames += 1


class _Tracked(io.RawIOBase):
    """The raw zstd input, its frames followed as the decompressor reads it."""

    def __init__(self, raw: BinaryIO, frames: _ZstdFrames):
        self._raw, self.frames = raw, frames

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.frames.feed(data)
        return n


class Decompressing(io.RawIOBase):
    """Reads return decompressed bytes; multi-member gzip and multi-frame zstd are read whole.
    `consumed`: compressed bytes used so far. A cut or damaged input raises CompressedDataError
    on the read after the last good byte."""

    def __init__(self, raw: BinaryIO, compression: str, read_size: int = RAW_READ):
        self._raw, self.compression, self._read_size = raw, compression, read_size
        self._error: CompressedDataError | None = None
        self._done = False
        if compression == "gzip":
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._in_member = False
            self._pending = b""
            self._fed = 0
        else:
            self._frames = _ZstdFrames()
            self._reader = zstandard.ZstdDecompressor().stream_reader(
                _Tracked(raw, self._frames), read_size=read_size, read_across_frames=True, closefd=False)

    @property
    def consumed(self) -> int:
        if self.compression == "gzip":
            return self._fed - len(self._pending)
        return self._frames.seen

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._error is not None:
            raise self._error
        if self._done or not len(b):
            return 0
        try:
            data = self._gunzip(len(b)) if self.compression == "gzip" else self._unzstd(len(b))
        except CompressedDataError as e:
            self._error = e
            raise
        n = len(data)
        b[:n] = data
        return n

    def _unzstd(self, size: int) -> bytes:
        try:
            data = self._reader.read(size)
        except zstandard.ZstdError as e:
            raise CompressedDataError("zstd", self._frames.seen, False, str(e)) from None
        if not data:
            self._done = True
            if not self._frames.at_boundary or not self._frames.frames:
                raise CompressedDataError("zstd", self._frames.seen, True)
        return data

    def _gunzip(self, size: int) -> bytes:
        while True:
            if not self._pending:
                chunk = self._raw.read(self._read_size)
                if not chunk:
                    self._done = True
                    if self._in_member or not self._fed:
                        raise CompressedDataError("gzip", self._fed, True)
                    return b""
                self._fed += len(chunk)
                self._pending = chunk
            if not self._in_member and not self._pending.strip(b"\0"):
                self._pending = b""  # zero padding after the last member
                continue
            self._in_member = True
            try:
                out = self._z.decompress(self._pending, size)
            except zlib.error as e:
                raise CompressedDataError("gzip", self.consumed, False, str(e)) from None
            self._pending = self._z.unconsumed_tail
            if self._z.eof:  # a member ended; another may follow (concatenated gzip)
                self._pending = self._z.unused_data + self._pending
                self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._in_member = False
            if out:
                return out

    def close(self) -> None:
        if self.compression == "zstd":
            self._reader.close()
        self._raw.close()
        super().close()


def decompressing(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """Wrap a raw stream so reads return decompressed bytes (short reads: a consumer reads until b"")."""
    if compression in ("gzip", "zstd"):
        return Decompressing(raw, compression)  # type: ignore[return-value]
    return raw
