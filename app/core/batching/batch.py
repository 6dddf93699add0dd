"""One request's worth of events, and the ways the job cuts it again (split for a 413, subset after a 400)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class Batch:
    """One request's worth of events and where in the input they came from."""

    seq: int                     # 0,1,2… in source order
    kind: str                    # "ndjson" | "csv" (JSON arrays/objects are sent as NDJSON)
    header: bytes | None         # CSV header line (ending "\n"), repeated in every CSV batch; else None
    body: bytes                  # the records, UTF-8, each ending in "\n"
    count: int                   # events in body
    lines: Sequence[int]         # 1-based input line where each event starts (a range on the fast path)
    start: int                   # decoded-stream offset where this batch's input begins (= previous end)
    end: int                     # offset just past the last record (for JSON: past the element itself)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): input not turned into an event
    end_line: int = 0            # line number at `end`: resume with start_offset=end, start_line=end_line
    # 1-based position of each event among all the input's events (array elements, counting the ones
    # in `skipped`): a one-line JSON array puts every element on line 1, so failures also name this
    ordinals: Sequence[int] = ()
    skipped_ordinals: list[int] = field(default_factory=list)  # parallel to `skipped`
    end_ordinal: int = 1         # ordinal of the next event: resume with start_ordinal=end_ordinal
    quote: bytes = field(default=b'"', repr=False)
    # (first line, last line, message): input that held no events to fail, e.g. a NUL-filled region
    notes: list[tuple[int, int, str]] = field(default_factory=list)  # CSV quote char, to split records holding newlines
    # typed CSV (sent as NDJSON): (index, cells, cells expected) of rows not as wide as the header
    ragged: list[tuple[int, int, int]] = field(default_factory=list)

    def payload(self) -> bytes:
        return self.header + self.body if self.header else self.body

    def content_type(self) -> str:
        return "text/csv" if self.kind == "csv" else "application/x-ndjson"

    def records(self) -> list[bytes]:
        """Each event's raw bytes (ending "\\n"); computed on demand (only failures need it)."""
        if not self.body:
            return []
        if self.kind == "csv" and self.quote and self.quote in self.body:
            return _csv_records(self.body, self.quote)
        return [r + b"\n" for r in self.body.split(b"\n")[:-1]]

    def subset(self, indices: Sequence[int]) -> Batch:
        """The same batch with only those events (for resending the good ones after a 400).

        start/end stay the parent's: offsets are for resuming, which works per original batch."""
        recs = self.records()
        idx = list(indices)
        lines = [self.lines[i] for i in idx]
        ordinals = [self.ordinals[i] for i in idx] if len(self.ordinals) == self.count else []
        return dataclasses.replace(self, body=b"".join(recs[i] for i in idx), count=len(idx),
                                   lines=as_range(lines), ordinals=as_range(ordinals), skipped=[],
                                   skipped_ordinals=[], ragged=[])

    def split(self) -> tuple[Batch, Batch]:
        """Two halves, for a 413 or to bisect a 400; both keep the header and their lines."""
        if self.count < 2:
            raise ValueError("a batch of one event cannot be split")
        mid = self.count // 2
        recs = self.records()
        first = dataclasses.replace(self, body=b"".join(recs[:mid]), count=mid, lines=self.lines[:mid],
                                    ordinals=self.ordinals[:mid], skipped=[], skipped_ordinals=[], ragged=[])
        second = dataclasses.replace(self, body=b"".join(recs[mid:]), count=self.count - mid,
                                     lines=self.lines[mid:], ordinals=self.ordinals[mid:], skipped=[],
                                     skipped_ordinals=[], ragged=[])
        return first, second

    @property
    def first_line(self) -> int | None:
        if len(self.lines):
            return self.lines[0]
        return self.skipped[0][0] if self.skipped else self.notes[0][0] if self.notes else None

    @property
    def last_line(self) -> int | None:
        if len(self.lines):
            return self.lines[-1]
        return self.skipped[-1][0] if self.skipped else self.notes[-1][1] if self.notes else None


def as_range(lines: list[int]) -> Sequence[int]:
    if lines and lines == list(range(lines[0], lines[0] + len(lines))):
        return range(lines[0], lines[0] + len(lines))
    return lines


def _csv_records(body: bytes, q: bytes) -> list[bytes]:
    """Split CSV records, keeping quoted newlines inside their record (quote parity per line)."""
    out: list[bytes] = []
    parts: list[bytes] = []
    odd = 0
    for ln in body.split(b"\n")[:-1]:
        parts.append(ln)
        odd ^= ln.count(q) & 1
        if not odd:
            out.append(b"\n".join(parts) + b"\n")
            parts = []
    if parts:
        out.append(b"\n".join(parts) + b"\n")
    return out
