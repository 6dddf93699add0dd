"""Which events of a batch the server will refuse or misread, found before sending."""

from __future__ import annotations

import csv
import io
from typing import Sequence

import orjson

import app.core.batching.limits as limits
from app.core.batching.batch import Batch

# A CSV record (so a field) may be up to MAX_RECORD; the csv module's default stops at 128 KiB.
# Process-wide, so only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), limits.MAX_RECORD))


_TYPE_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean",
               type(None): "null"}


def validate_records(batch: Batch) -> list[tuple[int, str]]:
    """(index in batch, reason) for NDJSON events that are not a JSON object; CSV rows are left to
    the server (ragged rows are its call)."""
    if batch.kind != "ndjson":
        return []
    bad: list[tuple[int, str]] = []
    for i, rec in enumerate(batch.records()):
        try:
            value = orjson.loads(rec[:-1])  # without the "\n", so the column is on the line itself
        except orjson.JSONDecodeError as e:
            try:
                rec.decode("utf-8")
            except UnicodeDecodeError as u:
                bad.append((i, f"not valid UTF-8 (byte 0x{rec[u.start]:02X} at column {u.start + 1}): "
                               "the file mixes text encodings; fix this line's encoding and send it again"))
                continue
            bad.append((i, f"invalid JSON: {e.msg} at column {e.colno}"))
            continue
        if not isinstance(value, dict):
            bad.append((i, f"not a JSON object ({_TYPE_NAMES.get(type(value), type(value).__name__)})"))
    return bad


def ragged_rows(batch: Batch, delimiter: str, fields: Sequence[str] = ()) -> list[tuple[int, int, int]]:
    """(index in batch, cells, cells expected) for CSV records whose cell count differs from the
    header's (or from `fields` for a CSV without one). Extra cells have no field name, so the
    server may drop them: the job names these lines instead of losing data quietly.

    Unquoted batches are checked with bytes methods (one count per line); only batches holding
    quotes go through the csv module."""
    if batch.kind != "csv" or not batch.body:
        return []
    if batch.header:
        expected = len(next(csv.reader([batch.header.decode("utf-8", "replace")], delimiter=delimiter), []))
    else:
        expected = len(fields)
    if expected == 0:
        return []
    d = delimiter.encode("utf-8")
    if not (batch.quote and batch.quote in batch.body):
        lines = batch.body.split(b"\n")[:-1]
        if len(lines) == batch.count:
            want = expected - 1
            return [(i, line.count(d) + 1, expected) for i, line in enumerate(lines) if line.count(d) != want]
    quote = batch.quote.decode("utf-8") if batch.quote else '"'
    rows = (r for r in csv.reader(io.StringIO(batch.body.decode("utf-8", "replace"), newline=""),
                                  delimiter=delimiter, quotechar=quote) if r)
    return [(i, len(r), expected) for i, r in enumerate(rows) if len(r) != expected]
