"""Text logs read as events: lines grouped into events by the line-start pattern, each event made
into a JSON object by the format's parser (app.core.textlog), sent as NDJSON. Streamed in the
blocks of whole lines the other readers use; an event's line is its first line, its end the end of
its last, so a batch ends on an event boundary and a resume starts on one."""

from __future__ import annotations

from typing import BinaryIO, Iterator

import orjson

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop, TooLong
from app.core.batching.lines import binary_from, binary_stop, line_blocks
from app.core.plan import Plan
from app.core.textlog import BY_ID, Parser, group, split_lines


def log_parser(plan: Plan) -> Parser:
    """The parser for a "text" plan; an unknown format id or zone is the caller's ValueError."""
    fmt = BY_ID.get(plan.log_format or "plain")
    if fmt is None:
        raise ValueError(f"unknown text-log format {plan.log_format!r}; expected one of {', '.join(BY_ID)}")
    return Parser(fmt, plan.log_line_start, plan.log_zone)


def _lines(stream: BinaryIO, line: int, offset: int) -> Iterator[tuple[str, int]]:
    try:
        for data in line_blocks(stream):
            if not data:
                continue
            cut = binary_from(data) if b"\0" in data else None
            if cut is not None:
                yield from split_lines(data[:cut])
                before = data[:cut]
                raise binary_stop(data[cut:], line + before.count(b"\n"), offset + cut)
            yield from split_lines(data)
            line += data.count(b"\n")
            offset += len(data)
    except TooLong:
        raise Stop(f"line {line} is longer than {limits.MAX_RECORD >> 20} MB without a line break: "
                   "this does not look like a text log", line, offset) from None


def read_textlog(stream: BinaryIO, b: Builder, line: int, offset: int, parser: Parser) -> Iterator[Batch]:
    dumps, make, add = orjson.dumps, parser.event, b.add_record
    for g in group(_lines(stream, line, offset), parser.start, line, offset, parser.partial, parser.drop_blank):
        yield from add(dumps(make(g)) + b"\n", g.first_line, g.end, g.end_line)
