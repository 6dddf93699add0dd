"""Lines into events: a line the line-start pattern matches starts an event, the lines after it
(stack traces, `Caused by:`, indented lines) belong to it, as Kibana's `multiline_start_pattern`
does. Lines before the first event start are an event of their own; nothing is dropped.

A container runtime's partial line (`P`) continues into the next line whatever that line holds.
An event is cut after MAX_EVENT_LINES lines or MAX_EVENT_CHARS characters (a file whose start
pattern never matches again must not become one event held in memory): the rest is the next event.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator, NamedTuple

MAX_EVENT_LINES = 1000
MAX_EVENT_CHARS = 512 * 1024

StartTest = Callable[[str], "re.Match[str] | None"]


class Grouped(NamedTuple):
    first_line: int              # the event's first line (1-based)
    lines: list[str]             # its lines, without line ends
    match: "re.Match[str] | None"  # the start line's match (None: lines before the first start, or a cut)
    end: int                     # byte offset just past its last line
    end_line: int                # the line after it


class Grouper:
    """Groups a stream of lines fed in pieces; the event in progress is held until the line that
    ends it (the next start, a cap, the end of input) arrives.

    partial(match) says a start line continues into the next one (CRI `P`); drop_blank: a blank
    line is no event and no part of one (one-line formats)."""

    def __init__(self, start: StartTest, line: int, offset: int,
                 partial: Callable[["re.Match[str]"], bool] | None = None, drop_blank: bool = False):
        self.start, self.partial, self.drop_blank = start, partial, drop_blank
        self.line, self.offset = line, offset
        self.lines: list[str] | None = None
        self.match = None
        self.first = self.chars = 0
        self.joining = False

    def feed(self, items: Iterable[tuple[str, int]]) -> Iterator[Grouped]:
        """Events completed by these (line text, bytes it took with its line end) pairs."""
        start, partial, drop_blank = self.start, self.partial, self.drop_blank
        lines, match, first, chars, joining = self.lines, self.match, self.first, self.chars, self.joining
        line, offset = self.line, self.offset
        for text, size in items:
            if drop_blank and not joining and not text.strip():
                if lines is not None:
                    yield Grouped(first, lines, match, offset, line)
                    lines = None
                line += 1
                offset += size
                continue
            m = start(text)
            if joining:
                lines.append(text)  # type: ignore[union-attr]
                chars += len(text)
            elif m is not None or lines is None or len(lines) >= MAX_EVENT_LINES or chars >= MAX_EVENT_CHARS:
                if lines is not None:
                    yield Grouped(first, lines, match, offset, line)
                lines, match, first, chars = [text], m, line, len(text)
            else:
                lines.append(text)
                chars += len(text)
            if partial is not None:
                joining = m is not None and partial(m) and len(lines) < MAX_EVENT_LINES
            line += 1
            offset += size
        self.lines, self.match, self.first, self.chars, self.joining = lines, match, first, chars, joining
        self.line, self.offset = line, offset

    def close(self) -> Iterator[Grouped]:
        """The event in progress, complete: the input ended, or the next line starts an event."""
        if self.lines is not None:
            yield Grouped(self.first, self.lines, self.match, self.offset, self.line)
            self.lines = None
        self.joining = False

    def skip(self, lines: int, size: int) -> None:
        """Lines read by someone else (the fast path), after close()."""
        self.line += lines
        self.offset += size


def group(items: Iterable[tuple[str, int]], start: StartTest, line: int, offset: int,
          partial: Callable[["re.Match[str]"], bool] | None = None, drop_blank: bool = False) -> Iterator[Grouped]:
    """Events from (line text, bytes it took with its line end) pairs, first on `line` at `offset`."""
    g = Grouper(start, line, offset, partial, drop_blank)
    yield from g.feed(items)
    yield from g.close()


def split_lines(data: bytes) -> Iterator[tuple[str, int]]:
    """(line, bytes with its line end) for a block of whole lines (or a final unterminated tail);
    a CR before the LF is no part of the line. Bytes that are not UTF-8 read as U+FFFD."""
    if data.isascii():
        parts = data.decode("ascii").split("\n")
        sizes = None
    else:
        raw = data.split(b"\n")
        parts = [r.decode("utf-8", "replace") for r in raw]
        sizes = [len(r) + 1 for r in raw]
    ends = data.endswith(b"\n")
    if ends:
        parts.pop()
    last = len(parts) - 1
    for i, ln in enumerate(parts):
        size = (len(ln) + 1 if sizes is None else sizes[i]) - (0 if ends or i < last else 1)
        yield (ln[:-1] if ln.endswith("\r") else ln), size
