"""What the fast paths make of one block of whole lines, worked out without the reader's state
(so it can be done ahead, in another process: pool.py). The reader (batching/textlog.py) then
adds it where the block belongs, or reads the block line by line when this is None."""

from __future__ import annotations

import re
from typing import Union

from app.core.textlog.parse import Parser

# ("block", lines, NDJSON): every line one event;  ("region", first, last, (NDJSON, lines of each
# event, bytes of each event) or None): the events between the block's first and last start lines
Prepared = Union[tuple[str, int, bytes], tuple[str, int, int, "tuple[bytes, list[int], list[int]] | None"]]


def prepare(parser: Parser, data: bytes) -> Prepared | None:
    """The fast path's reading of `data`, or None when the block goes line by line."""
    if not data or b"\0" in data:
        return None
    if parser.fast is not None:
        n = data.count(b"\n")
        out = parser.fast.translate(data, n)
        return None if out is None else ("block", n, out)
    if parser.events is not None:
        start = parser.events.start
        m = start.search(data)
        if m is None:
            return None
        first = m.start()
        last = last_start(start, data, first)
        return "region", first, last, parser.events.translate(data[first:last]) if last > first else None
    return None


def last_start(start: "re.Pattern[bytes]", data: bytes, first: int) -> int:
    """The offset of the last line of `data` that starts an event (`first` when no later one does)."""
    end = len(data)
    while True:
        at = data.rfind(b"\n", first, end - 1) + 1
        if at <= first:
            return first
        if start.match(data, at):
            return at
        end = at
