"""Source: the input of a job, and the kind the journal records for it."""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from app.core.io import Prepended, SourceError, open_raw, shown


class Source:
    """What a job reads: a file on disk, bytes in memory (a paste), or standard input."""

    def __init__(self, name: str, path: Path | None = None, data: bytes | None = None,
                 stream: BinaryIO | None = None):
        self.name = name
        self.path = path
        self.data = data
        self._stream = stream  # stdin: read once, never resumable
        # Failed rows sent again: line n of these bytes was line line_map[n] of the file they came
        # from, so what the retry reports names the lines the user knows (not 1, 2, 3…).
        self.line_map: dict[int, int] | None = None
        self.size: int | None = None
        if path is not None:
            try:
                self.size = path.stat().st_size
            except OSError:
                self.size = None
        elif data is not None:
            self.size = len(data)

    @classmethod
    def from_path(cls, path: str | os.PathLike) -> "Source":
        p = Path(path)
        return cls(shown(p), path=p)  # the name is for people (escaped), the path for opening

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "pasted") -> "Source":
        return cls(name, data=data)

    @classmethod
    def from_stream(cls, stream: BinaryIO, head: bytes, name: str = "-") -> "Source":
        """Standard input: `head` was already read (for sniffing) and is put back in front."""
        return cls(name, stream=Prepended(head, stream))

    @property
    def kind(self) -> str:
        """"file" (resumable), "pasted" or "stdin" (not: their bytes are not kept)."""
        if self.path is not None:
            return "file"
        return "pasted" if self.data is not None else "stdin"

    def open_raw(self) -> BinaryIO:
        if self.path is not None:
            return open_raw(self.path)
        if self.data is not None:
            return io.BytesIO(self.data)
        if self._stream is not None:
            stream, self._stream = self._stream, None
            return stream  # type: ignore[return-value]
        raise SourceError(f"{self.name}: can only be read once")

    def __repr__(self) -> str:
        return f"Source({self.name!r})"


def renumbered(batches: Iterable, line_map: dict[int, int]) -> Iterator:
    """The batches with their input lines as `line_map` says (a line it does not list stays)."""
    def m(line):
        return line_map.get(line, line) if line is not None else None

    for batch in batches:
        yield dataclasses.replace(batch, lines=[m(line) for line in batch.lines],
                                  skipped=[(m(line), why) for line, why in batch.skipped],
                                  notes=[(m(a), m(b), why) for a, b, why in batch.notes])
