"""Whole-line blocks of a byte stream, the unit the NDJSON and CSV readers cut; and what a block
holding NUL bytes is: binary data (stop), or text with damaged lines (fail them by number) and
NUL-filled regions (one note with the lines and the size: they hold no events to count)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, BinaryIO, Iterator

if TYPE_CHECKING:
    from app.core.batching.builder import Builder

import app.core.batching.limits as limits
from app.core.batching.errors import Stop, TooLong
from app.core.sniff import NUL_RUN, binary_share, control_share


def line_blocks(stream: BinaryIO, size: int | None = None) -> Iterator[bytes]:
    """Blocks of whole lines (each ending "\\n"), then the final unterminated tail (maybe b"").
    `size`: bytes per read (default limits.CHUNK, read at each call)."""
    size = size or limits.CHUNK
    pending: list[bytes] = []
    plen = 0
    while True:
        chunk = stream.read(size)
        if not chunk:
            break
        c = chunk.rfind(b"\n")
        if c < 0:
            pending.append(chunk)
            plen += len(chunk)
            if plen > limits.MAX_RECORD:
                raise TooLong
            continue
        head = chunk if c + 1 == len(chunk) else chunk[: c + 1]
        if pending:
            pending.append(head)
            head = b"".join(pending)
        tail = chunk[c + 1:]
        pending, plen = ([tail], len(tail)) if tail else ([], 0)
        yield head
    yield b"".join(pending)


_CONTROL = re.compile(b"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def binary_from(data: bytes) -> int | None:
    """Where binary data starts in a block of whole lines (the start of the first line holding a
    control byte), or None when the block is text: reading binary line by line would fail every
    "line" of it, and an endless stream of it would never end."""
    if binary_share(data) is None:
        return None
    m = _CONTROL.search(data)
    return data.rfind(b"\n", 0, m.start()) + 1 if m else None


def binary_stop(data: bytes, line: int, offset: int) -> Stop:
    return Stop(f"from line {line} on, the input is binary data ({control_share(data):.0%} control bytes), "
                "not text: reading stopped there and the rest was not sent", line, offset)


def size_text(n: int) -> str:
    return f"{n:,} bytes" if n < 1024 else f"{n / 1024:,.0f} KiB" if n < 1 << 20 else f"{n / (1 << 20):,.1f} MiB"


class NulRegion:
    """Consecutive lines of nothing but NUL bytes, noted once as a region (they hold no events)."""

    def __init__(self) -> None:
        self.first = self.last = self.size = self.end = 0

    def line(self, ln: bytes, ln_no: int, end: int) -> str | None:
        """For a line holding NULs: None when it is part of a NUL region, else why it fails."""
        if not ln.strip(b"\0 \t\r"):
            if not self.size:
                self.first = ln_no
            self.last, self.end = ln_no, end
            self.size += len(ln) + 1
            return None
        if _longest_nul_run(ln) >= NUL_RUN:
            return (f"contains {size_text(ln.count(0))} of NUL bytes (a crash or a cut copy?); the text around "
                    "them is not a whole event")
        return "contains NUL bytes"

    def close(self, b: "Builder") -> None:
        if self.size:
            where = f"line {self.first}" if self.first == self.last else f"lines {self.first}–{self.last}"
            b.note(self.first, self.last, f"{where}: {size_text(self.size)} of NUL bytes (a crash or a cut copy?); "
                   "any events that were there cannot be read", max(b.end, self.end),
                   max(b.end_line, self.last + 1))
            self.size = 0


_NOT_NUL = bytes([0] + [1] * 255)  # every byte but NUL becomes \x01


def _longest_nul_run(ln: bytes) -> int:
    return max(len(run) for run in ln.translate(_NOT_NUL).split(b"\1"))
