"""CSV batches turned into NDJSON ones whose typed columns hold JSON numbers and booleans (the
rule of which column is which is app.core.sniff.csv_types'). Lines, offsets and counts stay the
CSV batch's, so failures, resume and the journal work as for any batch."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from typing import Iterator, Sequence

import orjson

from app.core.batching.batch import Batch
from app.core.sniff import CsvDialect
from app.core.sniff.csv_types import convert, json_texts

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
    n = len(names)
    ragged: list[tuple[int, int, int]] = []
    if set(map(len, rows)) == {n}:
        body = _by_template(rows, names, kinds, null)
    else:
        body = b"\n".join(orjson.dumps(_row(row, names, kinds, null)) for row in rows) + b"\n"
        ragged = [(i, len(r), n) for i, r in enumerate(rows) if len(r) != n]
    return dataclasses.replace(batch, kind="ndjson", header=None, body=body, ragged=ragged)


_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f]')  # cells that need more than quotes around them in JSON


def _by_template(rows: list[list[str]], names: list[str], kinds: list[str | None], null: bool) -> bytes:
    """Rows of the header's width as JSON lines built from one %-template per batch, a column at
    a time (no Python work per row); rows holding an empty cell are written one by one."""
    columns: list[Sequence[str]] = []
    parts: list[str] = []
    with_empty: set[int] = set()
    for name, col, kind in zip(names, zip(*rows), kinds):
        key = orjson.dumps(name).decode().replace("%", "%%")
        if "" in col:
            with_empty.update(i for i, v in enumerate(col) if not v)
            col = tuple(v or "0" for v in col)  # a placeholder: these rows are rewritten below
        if kind is not None:
            columns.append(json_texts(col, kind))
            parts.append(f"{key}:%s")
        elif _ESCAPED.search("".join(col)):
            columns.append([orjson.dumps(v).decode() for v in col])
            parts.append(f"{key}:%s")
        else:
            columns.append(col)
            parts.append(f'{key}:"%s"')
    lines = list(map(("{" + ",".join(parts) + "}").__mod__, zip(*columns)))
    for i in with_empty:
        lines[i] = orjson.dumps(_row(rows[i], names, kinds, null)).decode()
    return ("\n".join(lines) + "\n").encode("utf-8")


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
