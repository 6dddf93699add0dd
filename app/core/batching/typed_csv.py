"""CSV batches turned into NDJSON ones whose typed columns hold JSON numbers and booleans (the
rule of which column is which is app.core.sniff.csv_types'). Lines, offsets and counts stay the
CSV batch's, so failures, resume and the journal work as for any batch."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Iterator

import orjson

from app.core.batching.batch import Batch
from app.core.sniff import CsvDialect
from app.core.sniff.csv_types import convert

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
    n = len(names)
    text = batch.body.decode("utf-8", "replace")
    q = dialect.quotechar or '"'
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=q) if r]
    if len(rows) != batch.count:  # a stray quote read differently: one record at a time, as cut
        rows = [next(csv.reader(io.StringIO(r.decode("utf-8", "replace"), newline=""), delimiter=dialect.delimiter,
                                quotechar=q), [""]) for r in batch.records()]
    out: list[bytes] = []
    dumps = orjson.dumps
    for row in rows:
        ev: dict[str, object] = {}
        for k, v in enumerate(row):
            name = names[k] if k < n else f"column{k + 1}"  # an extra cell keeps its place, not lost
            if v == "":
                if null:
                    ev[name] = None
                continue
            kind = kinds[k] if k < n else None
            ev[name] = convert(v, kind) if kind else v
        out.append(dumps(ev))
    body = b"\n".join(out) + b"\n"
    return dataclasses.replace(batch, kind="ndjson", header=None, body=body)
