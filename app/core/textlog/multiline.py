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


def group(items: Iterable[tuple[str, int]], start: StartTest, line: int, offset: int,
          partial: Callable[["re.Match[str]"], bool] | None = None, drop_blank: bool = False) -> Iterator[Grouped]:
    """Events from (line text, bytes it took with its line end) pairs, first on `line` at `offset`.

    partial(match) says a start line continues into the next one (CRI `P`); drop_blank: a blank
    line is no event and no part of one (one-line formats)."""
    lines: list[str] | None = None
    match = None
    first = chars = 0
    joining = False
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
    if lines is not None:
        yield Grouped(first, lines, match, offset, line)


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
