"""Text logs read as events: lines grouped into events by the line-start pattern, each event made
into a JSON object by the format's parser (app.core.textlog), sent as NDJSON. Streamed in the
blocks of whole lines the other readers use; an event's line is its first line, its end the end of
its last, so a batch ends on an event boundary and a resume starts on one.

A block the parser's fast path can take whole (every line one event of a regular format) skips
the per-line work; any other block goes line by line. Both give the same events."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import BinaryIO, Iterator

import orjson

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop, TooLong
from app.core.batching.lines import NulRegion, binary_from, binary_stop, line_blocks
from app.core.plan import Plan
from app.core.textlog import BY_ID, Grouper, Parser, split_lines
from app.core.textlog.blocks import Prepared, prepare
from app.core.textlog import pool


def log_parser(plan: Plan) -> Parser:
    """The parser for a "text" plan; an unknown format id or zone is the caller's ValueError."""
    fmt = BY_ID.get(plan.log_format or "plain")
    if fmt is None:
        raise ValueError(f"unknown text-log format {plan.log_format!r}; expected one of {', '.join(BY_ID)}")
    return Parser(fmt, plan.log_line_start, plan.time_zone.name)


_NUL_LINE = re.compile(rb"^[ \t\r]*\0[\0 \t\r]*(?:\n|\Z)", re.M)  # a line of nothing but NULs

UNREAD_NAMED = 20  # events with an unreadable timestamp named one by one; the rest are counted


def read_textlog(stream: BinaryIO, b: Builder, line: int, offset: int, parser: Parser,
                 fast: bool = True, workers: int | None = None) -> Iterator[Batch]:
    """`fast=False`: every block line by line (the tests compare the two paths). `workers`:
    processes preparing the fast path's blocks of a big input (None: textlog.pool decides; 0 or
    1: none, the blocks are prepared here)."""
    dumps, make, b_add = orjson.dumps, parser.event, b.add_record
    unread = parser.unread
    counted = [0, 0]  # (unreadable timestamps seen, of which named)

    def add(rec: bytes, first: int, end: int, end_line: int) -> Iterator[Batch]:
        yield from b_add(rec, first, end, end_line)
        if unread:  # the event just added (its batch is the builder's current one) had no readable time
            at, text = unread.pop()
            unread.clear()
            counted[0] += 1
            if counted[1] < UNREAD_NAMED:
                counted[1] += 1
                b.notes.append((at, at, f"line {at}: the timestamp {text!r} is not a date: the event keeps it as "
                                "'timestamp' and gets the ingest time", "unread time"))

    def feed(text: bytes) -> Iterator[Batch]:
        """Lines to the grouper, but a NUL region (lines.NulRegion) ends the event in progress and
        is noted, not sent: it would join the event before it, or be an event of NULs."""
        at = 0
        for m in (_NUL_LINE.finditer(text) if b"\0" in text else ()):
            yield from lines(text[at:m.start()])
            for g in grouper.close():
                yield from add(dumps(make(g)) + b"\n", g.first_line, g.end, g.end_line)
            nuls.line(m.group().rstrip(b"\n"), grouper.line, grouper.offset + len(m.group()))
            grouper.skip(1, len(m.group()))
            at = m.end()
        yield from lines(text[at:])

    def lines(text: bytes) -> Iterator[Batch]:
        if text:
            nuls.close(b)
            for g in grouper.feed(split_lines(text)):
                yield from add(dumps(make(g)) + b"\n", g.first_line, g.end, g.end_line)

    def region(data: bytes, first: int, last: int, got) -> Iterator[Batch]:
        """A block of multi-line events: the lines up to its first start line and from its last
        one on go line by line (they continue or start an event another block holds), the
        region between them at once when it qualified (`got`)."""
        if first:
            yield from lines(data[:first])
        if last > first:
            for g in grouper.close():  # the region's first line starts an event
                yield from add(dumps(make(g)) + b"\n", g.first_line, g.end, g.end_line)
            nuls.close(b)
            if got is None:
                yield from lines(data[first:last])
            else:
                yield from _add_events(b, *got, grouper.line, grouper.offset)
                grouper.skip(sum(got[1]), last - first)
        yield from lines(data[last:])

    nuls = NulRegion()
    grouper = Grouper(parser.start, line, offset, parser.partial, parser.drop_blank)
    blocks = line_blocks(stream)
    if not fast:
        steps: Iterator[tuple[bytes, Prepared | None]] = ((data, None) for data in blocks)
    elif workers is None:
        steps = pool.prepared(blocks, parser, pool.processes())
    else:
        steps = pool.prepared(blocks, parser, workers) if workers > 1 else ((d, prepare(parser, d)) for d in blocks)
    try:
        for data, prep in steps:
            if not data:
                continue
            if prep is not None and not grouper.joining:
                if prep[0] == "region":
                    yield from region(data, *prep[1:])
                    continue
                # every line starts an event: the one in progress is complete
                for g in grouper.close():
                    yield from add(dumps(make(g)) + b"\n", g.first_line, g.end, g.end_line)
                nuls.close(b)
                n = prep[1]
                yield from b.add_translated(prep[2], data, grouper.line, grouper.offset, n)
                grouper.skip(n, len(data))
                continue
            cut = binary_from(data) if b"\0" in data else None
            yield from feed(data if cut is None else data[:cut])
            if cut is not None:
                for g in grouper.close():
                    yield from add(dumps(make(g)) + b"\n", g.first_line, g.end, g.end_line)
                nuls.close(b)
                raise binary_stop(data[cut:], grouper.line, grouper.offset)
    except TooLong:
        raise Stop(f"line {grouper.line} is longer than {limits.MAX_RECORD >> 20} MB without a line break: "
                   "this does not look like a text log", grouper.line, grouper.offset) from None
    finally:
        close = getattr(steps, "close", None)
        if close is not None:
            close()  # a pool's workers end with the reading, however it ends
    for g in grouper.close():
        yield from add(dumps(make(g)) + b"\n", g.first_line, g.end, g.end_line)
    nuls.close(b)
    if counted[0] > counted[1]:
        more = counted[0] - counted[1]
        last = b.end_line - 1
        b.notes.append((last, last, f"line {last}: {more:,} more event{'s' if more != 1 else ''} had a timestamp "
                        "that is not a date (kept as 'timestamp'; they got the ingest time)", "unread time"))


def _add_events(b: Builder, out: bytes, counts: list[int], sizes: list[int], line: int,
                offset: int) -> Iterator[Batch]:
    """Add the events whose records are the lines of `out` (event i: counts[i] input lines,
    sizes[i] input bytes, the first on `line` at `offset`), cut into batches exactly where
    add_record, one event at a time, would cut them; find/count only, no Python per event."""
    firsts = list(accumulate(counts, initial=line))
    ends = list(accumulate(sizes, initial=offset))
    n, i, pos, size = len(counts), 0, 0, len(out)
    while i < n:
        if b.count >= b.max_events:
            yield from b.flush()
        k = min(n - i, b.max_events - b.count)
        fit = b.fit_lines(out, pos, size, k, i + k == n)
        if fit is None:
            yield from b.flush()
            continue
        cut, k = fit
        b.add_events(out if pos == 0 and cut == size else out[pos:cut], firsts[i:i + k], ends[i + k], firsts[i + k])
        i, pos = i + k, cut
        if i < n:
            yield from b.flush()
