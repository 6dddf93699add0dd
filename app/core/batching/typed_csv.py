"""CSV batches turned into NDJSON ones whose typed columns hold JSON numbers and booleans (the
rule of which column is which is app.core.sniff.csv_types'). Lines, offsets and counts stay the
CSV batch's, so failures, resume and the journal work as for any batch."""

from __future__ import annotations

import csv
import dataclasses
import io
import operator
import re
from itertools import chain, compress
from typing import Iterator

import orjson

from app.core.batching.batch import Batch
from app.core.batching.typed_fast import NativeBlocks, native_blocks, plain_cells
from app.core.sniff import CsvDialect
from app.core.sniff.csv_types import convert, json_texts

BYTES_SHARE = 3  # a typed row repeats its field names: cut CSV batches at a third of the byte cap


def typed_batches(batches: Iterator[Batch], dialect: CsvDialect, types: dict[str, str],
                  empty_cells: str, native: bool = True) -> Iterator[Batch]:
    """`native=False`: the Python fast path even where the C one is built (tests compare them)."""
    names: list[str] | None = None
    blocks: NativeBlocks | None = None
    for batch in batches:
        if names is None:
            names = _names(batch, dialect)
            blocks = native_blocks(names, [types.get(n) for n in names]) if native else None
        yield _typed(batch, names, types, empty_cells == "null", dialect, blocks)


def _names(batch: Batch, dialect: CsvDialect) -> list[str]:
    if batch.header:
        row = next(csv.reader([batch.header.decode("utf-8", "replace").rstrip("\n")], delimiter=dialect.delimiter,
                              quotechar=dialect.quotechar or '"'), [])
        return [c.strip() for c in row]
    return list(dialect.fields)


def _typed(batch: Batch, names: list[str], types: dict[str, str], null: bool, dialect: CsvDialect,
           native: NativeBlocks | None = None) -> Batch:
    if not batch.count:
        return dataclasses.replace(batch, kind="ndjson", header=None)
    if native is not None:  # the C fast path: the same bytes as the Python one below
        body = native.ndjson(batch.body, batch.count, dialect.delimiter, dialect.quotechar, null)
        if body is not None:
            return dataclasses.replace(batch, kind="ndjson", header=None, ragged=[], body=body)
    kinds = [types.get(n) for n in names]
    n = len(names)
    plain = plain_cells(batch.body, batch.count, n, dialect.delimiter, dialect.quotechar)
    if plain is not None:  # the fast path: no quotes, nothing to escape, every row n wide
        cells, empty = plain
        return dataclasses.replace(batch, kind="ndjson", header=None, ragged=[],
                                   body=_by_template(cells, batch.count, names, kinds, null, False, empty))
    text = batch.body.decode("utf-8", "replace")
    q = dialect.quotechar or '"'
    rows = list(filter(None, csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=q)))
    if len(rows) != batch.count:  # a stray quote read differently: one record at a time, as cut
        rows = [next(csv.reader(io.StringIO(r.decode("utf-8", "replace"), newline=""), delimiter=dialect.delimiter,
                                quotechar=q), [""]) for r in batch.records()]
    ragged: list[tuple[int, int, int]] = []
    if set(map(len, rows)) == {n}:
        cells = list(chain.from_iterable(rows))
        body = _by_template(cells, len(rows), names, kinds, null, True, "" in cells)
    else:
        body = b"\n".join(orjson.dumps(_row(row, names, kinds, null)) for row in rows) + b"\n"
        ragged = [(i, len(r), n) for i, r in enumerate(rows) if len(r) != n]
    return dataclasses.replace(batch, kind="ndjson", header=None, body=body, ragged=ragged)


_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f]')  # cells that need more than quotes around them in JSON


def _by_template(cells: list[str], count: int, names: list[str], kinds: list[str | None], null: bool,
                 escapes: bool, empty: bool) -> bytes:
    """Rows of the header's width (`cells` row after row) as JSON lines from one %-template, a
    column at a time and one %-format for the whole batch (no Python work per row); rows holding
    an empty cell (`empty`: some are) are written one by one. escapes=False: no cell needs JSON
    escaping (checked), so only the typed columns are looked at."""
    w = len(names)
    parts: list[str] = []
    with_empty: set[int] = set()
    given = cells[:] if empty else cells  # the rows as read, for those written one by one
    for k, (name, kind) in enumerate(zip(names, kinds)):
        key = orjson.dumps(name).decode().replace("%", "%%")
        if kind is None and not escapes and not empty:
            parts.append(f'{key}:"%s"')
            continue
        col = cells[k::w]
        if empty and "" in col:
            with_empty.update(compress(range(count), map(operator.not_, col)))
            col = [v or "0" for v in col]  # a placeholder: these rows are rewritten below
            cells[k::w] = col
        if kind is not None:
            cells[k::w] = json_texts(col, kind)
            parts.append(f"{key}:%s")
        elif escapes and _ESCAPED.search("".join(col)):
            cells[k::w] = [orjson.dumps(v).decode() for v in col]
            parts.append(f"{key}:%s")
        else:
            parts.append(f'{key}:"%s"')
    # every line is one row: a cell's own line break, if any, is escaped above
    text = (("{" + ",".join(parts) + "}\n") * count) % tuple(cells)
    if with_empty:
        lines = text.split("\n")
        for i in with_empty:
            lines[i] = orjson.dumps(_row(given[i * w:(i + 1) * w], names, kinds, null)).decode()
        text = "\n".join(lines)
    return text.encode("utf-8")


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
