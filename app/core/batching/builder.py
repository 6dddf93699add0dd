"""Accumulates records into batches under the event and byte caps.

Batch byte ranges tile the input: a batch starts where the previous one ended (so blank lines or
a "," before its first record belong to it) and ends just past its last record. Resuming from a
batch's `end` with `start_line=end_line` yields the same batches an uninterrupted run would.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from app.core.batching.batch import Batch
from app.core.batching.scan import past_newline


class Builder:
    """Accumulates records into batches under the event and byte caps."""

    def __init__(self, kind: str, max_events: int, max_bytes: int, offset: int, line: int, quote: bytes = b'"',
                 ordinal: int = 1):
        self.kind, self.max_events, self.max_bytes = kind, max_events, max_bytes
        self.ordinal = ordinal  # the next event's ordinal
        self.quote = quote
        self.header: bytes | None = None
        self.seq = 0
        self.start = self.end = offset
        self.end_line = line
        self._reset()

    def _reset(self) -> None:
        self.parts: list[bytes] = []
        self.count = 0
        self.size = len(self.header or b"")
        self.first = 0
        self.line_list: list[int] | None = None
        self.first_ord = self.ordinal
        self.ord_list: list[int] | None = None  # only once a skipped element broke the run
        self.skipped: list[tuple[int, str]] = []
        self.skipped_ords: list[int] = []
        self.notes: list[tuple[int, int, str]] = []

    def set_header(self, header: bytes) -> None:
        self.header = header
        self.size = len(header) + sum(len(p) for p in self.parts)

    def flush(self) -> Iterator[Batch]:
        if not self.count and not self.skipped and not self.notes:
            return
        # a list only once the lines stopped being consecutive (blank lines, several elements a line)
        lines: Sequence[int] = (range(self.first, self.first + self.count) if self.line_list is None
                                else self.line_list)
        ordinals: Sequence[int] = (range(self.first_ord, self.first_ord + self.count) if self.ord_list is None
                                   else self.ord_list)
        batch = Batch(self.seq, self.kind, self.header, b"".join(self.parts), self.count, lines,
                      self.start, self.end, self.skipped, self.end_line, quote=self.quote, ordinals=ordinals,
                      skipped_ordinals=self.skipped_ords, end_ordinal=self.ordinal, notes=self.notes)
        self.seq += 1
        self.start = self.end
        self._reset()
        yield batch

    def note_lines(self, first_line: int, k: int) -> None:
        """Record where the next k events start (call before adding them to count)."""
        if self.ord_list is not None:
            self.ord_list.extend(range(self.ordinal, self.ordinal + k))
        elif self.count == 0:
            self.first_ord = self.ordinal
        elif self.ordinal != self.first_ord + self.count:
            self.ord_list = list(range(self.first_ord, self.first_ord + self.count))
            self.ord_list.extend(range(self.ordinal, self.ordinal + k))
        self.ordinal += k
        if self.line_list is not None:
            self.line_list.extend(range(first_line, first_line + k))
        elif self.count == 0:
            self.first = first_line
        elif first_line != self.first + self.count:
            self.line_list = list(range(self.first, self.first + self.count))
            self.line_list.extend(range(first_line, first_line + k))

    def add_events(self, data: bytes, lines: Sequence[int], end: int, end_line: int) -> None:
        """Add len(lines) one-line events that are `data` verbatim, starting on `lines` (any
        order of lines: one-line arrays put many on one). The caller keeps them under the caps."""
        k = len(lines)
        if isinstance(lines, range) and lines.step == 1:
            self.note_lines(lines[0], k)
        else:
            if self.line_list is None:
                self.line_list = list(range(self.first, self.first + self.count)) if self.count else []
            self.note_lines(lines[0], k)  # ordinals; lines are set just below
            del self.line_list[len(self.line_list) - k:]
            self.line_list.extend(lines)
        self.parts.append(data)
        self.count += k
        self.size += len(data)
        self.end, self.end_line = end, end_line

    def skip(self, line: int, reason: str, end: int, end_line: int) -> Iterator[Batch]:
        """A line that is not sent but failed by number; counted against the event cap, so a file
        of nothing but bad lines still comes out in bounded batches."""
        if len(self.skipped) >= self.max_events:
            yield from self.flush()
        self.skipped.append((line, reason))
        self.skipped_ords.append(self.ordinal)
        self.ordinal += 1
        self.end, self.end_line = end, end_line

    def note(self, first_line: int, last_line: int, message: str, end: int, end_line: int) -> None:
        self.notes.append((first_line, last_line, message))
        self.end, self.end_line = end, end_line

    def add_record(self, rec: bytes, line: int, end: int, end_line: int) -> Iterator[Batch]:
        if self.count and (self.count >= self.max_events or self.size + len(rec) > self.max_bytes):
            yield from self.flush()
        self.note_lines(line, 1)
        self.parts.append(rec)
        self.count += 1
        self.size += len(rec)
        self.end, self.end_line = end, end_line

    def add_block(self, data: bytes, line: int, offset: int, n: int, dropped: int = 0) -> Iterator[Batch]:
        """Add `n` one-line events that are `data` verbatim (input offset `offset`, first on `line`),
        cutting with find/count/split only: no Python work per event. `dropped`: bytes per line the
        input had and data has not (1 for CRLF lines given with "\n"), so offsets stay the input's."""
        pos, size, line0 = 0, len(data), line
        while pos < size:
            if self.count >= self.max_events:
                yield from self.flush()
            ev_room = self.max_events - self.count
            byte_room = self.max_bytes - self.size
            if n <= ev_room and size - pos <= byte_room:
                cut, k = size, n
            elif size - pos <= byte_room:  # the bytes fit, the events do not: cut after ev_room lines
                k = ev_room
                cut = past_newline(data, pos, size, k)
            else:
                c = data.rfind(b"\n", pos, pos + byte_room) if byte_room > 0 else -1
                if c < 0:
                    if self.count:
                        yield from self.flush()
                        continue
                    c = data.find(b"\n", pos)  # a single event over max_bytes goes alone
                cut = c + 1
                k = data.count(b"\n", pos, cut)
                if k > ev_room:
                    k = ev_room
                    cut = past_newline(data, pos, cut, k)
            self.note_lines(line, k)
            self.parts.append(data if pos == 0 and cut == size else data[pos:cut])
            self.count += k
            self.size += cut - pos
            line += k
            n -= k
            pos = cut
            self.end, self.end_line = offset + cut + dropped * (line - line0), line
            if pos < size:
                yield from self.flush()

    def fit_lines(self, out: bytes, pos: int, size: int, k: int, to_end: bool) -> tuple[int, int] | None:
        """(cut, events): the next `k` one-line records of `out` from `pos` (to its `size` when
        `to_end`), fewer when their bytes do not fit this batch; None when the batch must be
        flushed first. A single record over max_bytes goes alone."""
        cut = size if to_end else past_newline(out, pos, size, k)
        byte_room = self.max_bytes - self.size
        if cut - pos <= byte_room:
            return cut, k
        c = out.rfind(b"\n", pos, pos + byte_room) if byte_room > 0 else -1
        if c < 0:
            if self.count:
                return None
            c = out.find(b"\n", pos)
        return c + 1, out.count(b"\n", pos, c + 1)

    def add_translated(self, out: bytes, src: bytes, line: int, offset: int, n: int) -> Iterator[Batch]:
        """Add `n` one-line events whose records are the lines of `out`, made from the `n` input
        lines of `src` (input offset `offset`, first on `line`): cut like add_block, with the
        batch ends taken from `src` (text logs' fast path)."""
        pos = spos = 0
        size, ssize = len(out), len(src)
        while n:
            if self.count >= self.max_events:
                yield from self.flush()
            k = min(n, self.max_events - self.count)
            fit = self.fit_lines(out, pos, size, k, k == n)
            if fit is None:
                yield from self.flush()
                continue
            cut, k = fit
            scut = ssize if k == n else past_newline(src, spos, ssize, k)
            self.note_lines(line, k)
            self.parts.append(out if pos == 0 and cut == size else out[pos:cut])
            self.count += k
            self.size += cut - pos
            line += k
            n -= k
            pos, spos = cut, scut
            self.end, self.end_line = offset + scut, line
            if n:
                yield from self.flush()
