"""The entry point: a decoded stream and a plan in, batches out, by the reader for the plan's format.

Each format's reader is imported when a plan needs it: an NDJSON send never loads the text-log
parsers (~30 ms of regular expressions) or the CSV and JSON-array readers (issue #15: the
CLI's first request; tests/cli/test_cli_imports.py)."""

from __future__ import annotations

from typing import BinaryIO, Iterator

from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import InputError, Stop
from app.core.batching.limits import FORMATS, MAX_BYTES, MAX_EVENTS
from app.core.batching.ndjson import read_ndjson
from app.core.batching.timefix import TimeFix
from app.core.io import CompressedDataError
from app.core.plan import Plan


def iter_batches(stream: BinaryIO, plan: Plan, *, max_events: int = MAX_EVENTS, max_bytes: int = MAX_BYTES,
                 start_offset: int = 0, start_line: int = 1, start_ordinal: int = 1) -> Iterator[Batch]:
    batches = _batches(stream, plan, max_events, max_bytes, start_offset, start_line, start_ordinal)
    if plan.format == "json-object" and plan.records_path and plan.records_fields:
        from app.core.batching.wrapped import with_fields

        batches = with_fields(batches, plan.records_fields)  # the wrapper's other keys in each event
    yield from batches


def _batches(stream: BinaryIO, plan: Plan, max_events: int, max_bytes: int, start_offset: int, start_line: int,
             start_ordinal: int) -> Iterator[Batch]:
    """Batches of at most max_events events and max_bytes payload bytes (an event bigger than
    max_bytes goes alone), in input order.

    stream: UTF-8 bytes (app.core.io.decoded), already positioned at start_offset, which is on
    line start_line (resume: pass a batch's end, end_line and end_ordinal). A CSV with a header resumed past
    offset 0 gets its header rebuilt from plan.csv.fields. Raises InputError after yielding every
    good event when the input is cut off or broken (a cut compressed file too: the line after the
    last whole event is where it stopped). When the plan's times would be misread by Axiom, each
    batch gets the app's own `_time` (timefix.py)."""
    batches = _iter_batches(stream, plan, max_events, max_bytes, start_offset, start_line, start_ordinal)
    fix = TimeFix.for_plan(plan)
    return fix.apply_all(batches) if fix else batches


def _iter_batches(stream: BinaryIO, plan: Plan, max_events: int, max_bytes: int, start_offset: int,
                  start_line: int, start_ordinal: int) -> Iterator[Batch]:
    if max_events < 1 or max_bytes < 1:
        raise ValueError("max_events and max_bytes must be positive")
    fmt = plan.format
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "csv":
        from app.core.batching.csv_reader import header_from_fields, read_csv
        from app.core.batching.typed_csv import BYTES_SHARE, typed_batches

        dialect = plan.csv
        if dialect is None:
            from app.core.sniff import CsvDialect as _Dialect
            dialect = _Dialect()
        q = (dialect.quotechar or "").encode("utf-8")
        if plan.csv_types:
            max_bytes = max(1, max_bytes // BYTES_SHARE)
        b = Builder("csv", max_events, max_bytes, start_offset, start_line, q, start_ordinal)
        need_header = dialect.has_header
        if need_header and start_offset > 0:
            if not dialect.fields:
                raise ValueError("resuming a CSV with a header needs the header's field names (plan.csv.fields)")
            b.set_header(header_from_fields(dialect))
            need_header = False
        reader = read_csv(stream, b, start_line, start_offset, q, need_header)
        if plan.csv_types:  # every batch, the flushed ones too
            yield from typed_batches(_read(reader, b), dialect, plan.csv_types, plan.empty_cells)
            return
    elif fmt == "text":
        from app.core.batching.textlog import log_parser, read_textlog

        b = Builder("ndjson", max_events, max_bytes, start_offset, start_line, ordinal=start_ordinal)
        reader = read_textlog(stream, b, start_line, start_offset, log_parser(plan))
    elif fmt == "ndjson":
        b = Builder("ndjson", max_events, max_bytes, start_offset, start_line, ordinal=start_ordinal)
        reader = read_ndjson(stream, b, start_line, start_offset)
    elif fmt == "json-array":
        from app.core.batching.json_fast import read_json_array

        b = Builder("ndjson", max_events, max_bytes, start_offset, start_line, ordinal=start_ordinal)
        reader = read_json_array(stream, b, start_line, start_offset, resumed=start_offset > 0)
    else:
        b = Builder("ndjson", max_events, max_bytes, start_offset, start_line, ordinal=start_ordinal)
        if plan.records_path:  # wrapped records: the elements of an array inside the object
            from app.core.batching.wrapped import read_wrapped

            reader = read_wrapped(stream, b, plan.records_path.split("."), start_line, start_offset,
                                  resumed=start_offset > 0)
        else:
            from app.core.batching.json_reader import read_json

            reader = read_json(stream, b, start_line, start_offset, array=False, resumed=start_offset > 0)
    yield from _read(reader, b)


def _read(reader: Iterator[Batch], b: Builder) -> Iterator[Batch]:
    """The reader's batches, then the builder's last; the events before a stop are sent."""
    try:
        yield from reader
    except Stop as e:
        yield from b.flush()
        raise InputError(e.message, e.line, e.offset) from None
    except CompressedDataError as e:  # the events before the cut are whole: send them, stop after
        line, offset = b.end_line, b.end
        yield from b.flush()
        raise InputError(e.message, line, offset) from None
    yield from b.flush()
