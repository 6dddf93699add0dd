"""Whole-line blocks of a byte stream, the unit the NDJSON and CSV readers cut."""

from __future__ import annotations

from typing import BinaryIO, Iterator

import app.core.batching.limits as limits
from app.core.batching.errors import TooLong


def line_blocks(stream: BinaryIO) -> Iterator[bytes]:
    """Blocks of whole lines (each ending "\\n"), then the final unterminated tail (maybe b"")."""
    pending: list[bytes] = []
    plen = 0
    while True:
        chunk = stream.read(limits.CHUNK)
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
