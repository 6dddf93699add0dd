"""CSV batches turned into NDJSON ones whose typed columns hold JSON numbers and booleans (the
rule of which column is which is app.core.sniff.csv_types'). Lines, offsets and counts stay the
CSV batch's, so failures, resume and the journal work as for any batch."""

from __future__ import annotations

import csv
import dataclasses
import io
from itertools import repeat
from typing import Iterator, Sequence

import orjson

from app.core.batching.batch import Batch
from app.core.sniff import CsvDialect
from app.core.sniff.csv_types import convert, convert_column

BYTES_SHARE = 3  # a typed row repeats its field names: cut CSV batches at a third of the byte cap


def typed_batches(batches: Iterator[Batch], dialect: CsvDialect, types: dict[str, str],
                  empty_cells: str) -> Iterator[Batch]:
    names: list[str] | None = None
    for batch in batches:
        if names is None:
            names = _names(batch, dialect)
        yield _typed(batch, names, types, empty_cells == "null", dialect)


def _names(batch: Batch, dialect: CsvDialect) -> list[str]:
    if batch.header:
        row = next(csv.reader([batch.header.decode("utf-8", "replace").rstrip("\n")], delimiter=dialect.delimiter,
                              quotechar=dialect.quotechar or '"'), [])
        return [c.strip() for c in row]
    return list(dialect.fields)


def _typed(batch: Batch, names: list[str], types: dict[str, str], null: bool, dialect: CsvDialect) -> Batch:
    if not batch.count:
        return dataclasses.replace(batch, kind="ndjson", header=None)
    kinds = [types.get(n) for n in names]
    text = batch.body.decode("utf-8", "replace")
    q = dialect.quotechar or '"'
    rows = list(filter(None, csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=q)))
    if len(rows) != batch.count:  # a stray quote read differently: one record at a time, as cut
        rows = [next(csv.reader(io.StringIO(r.decode("utf-8", "replace"), newline=""), delimiter=dialect.delimiter,
                                quotechar=q), [""]) for r in batch.records()]
    if set(map(len, rows)) == {len(names)}:
        events = _by_column(rows, names, kinds, null)
    else:
        events = [_row(row, names, kinds, null) for row in rows]
    body = b"\n".join(map(orjson.dumps, events)) + b"\n"
    return dataclasses.replace(batch, kind="ndjson", header=None, body=body)


def _by_column(rows: list[list[str]], names: list[str], kinds: list[str | None], null: bool) -> list[dict]:
    """Rows of the header's width, converted a column at a time (the fast path)."""
    columns: list[Sequence[object]] = []
    with_empty: set[int] = set()  # rows holding an empty cell: left out or null, after
    for col, kind in zip(zip(*rows), kinds):
        has_empty = "" in col
        if has_empty:
            with_empty.update(i for i, v in enumerate(col) if not v)
        if kind is None:
            columns.append(col)
            continue
        typed = None if has_empty else convert_column(col, kind)
        columns.append(typed if typed is not None else [convert(v, kind) if v else "" for v in col])
    events = list(map(dict, map(zip, repeat(names), zip(*columns))))
    for i in with_empty:
        ev = events[i]
        events[i] = ({k: (None if v == "" else v) for k, v in ev.items()} if null else
                     {k: v for k, v in ev.items() if v != ""})
    return events


def _row(row: list[str], names: list[str], kinds: list[str | None], null: bool) -> dict:
    """A ragged row, cell by cell: an extra cell keeps its place under "columnN", not lost."""
    n = len(names)
    ev: dict[str, object] = {}
    for k, v in enumerate(row):
        name = names[k] if k < n else f"column{k + 1}"
        if v == "":
            if null:
                ev[name] = None
            continue
        kind = kinds[k] if k < n else None
        ev[name] = convert(v, kind) if kind else v
    return ev
