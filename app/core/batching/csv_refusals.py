"""Which CSV rows Axiom's reader refuses, found on this side after a 400.

Axiom reads text/csv as Go's `encoding/csv` does with its defaults (docs/axiom-api.md, "CSV"): a
row whose cell count differs from the header's, a `"` inside an unquoted cell, a stray `"` after a
quoted cell, or a quote never closed refuses the whole request, in words that count lines within
that request and may name no event. So the job does not read the server's words: after a 400 to
a CSV batch it names these rows itself (by their line in the file), fails them and sends the rest.
Only `"` quotes, as Go knows no other quote character; spaces belong to the cell.
"""

from __future__ import annotations

from typing import Sequence

from app.core.batching.batch import Batch

WHY = "Axiom reads CSV as Go's encoding/csv does and refuses such a row, and with it the whole request (400)"


def _scan(record: bytes, comma: bytes) -> tuple[int, str | None]:
    """(cells, problem or None) of one record as Go reads it."""
    if record.endswith(b"\r\n"):
        record = record[:-2]
    elif record.endswith(b"\n"):
        record = record[:-1]
    cells, pos, n = 0, 0, len(record)
    while True:
        cells += 1
        if record.startswith(b'"', pos):
            pos += 1
            while True:
                q = record.find(b'"', pos)
                if q < 0:
                    return cells, "a quoted cell is never closed"
                if record.startswith(b'"', q + 1):
                    pos = q + 2
                    continue
                pos = q + 1
                break
            if pos >= n:
                return cells, None
            if not record.startswith(comma, pos):
                return cells, (f'a " closes a quoted cell but more follows it (column {pos}); inside quotes a " '
                               'is written ""')
            pos += len(comma)
            continue
        end = record.find(comma, pos)
        cell = record[pos:] if end < 0 else record[pos:end]
        if (q := cell.find(b'"')) >= 0:
            return cells, (f'a " inside an unquoted cell (column {pos + q + 1}); quote the whole cell and write '
                           'the " inside it as ""')
        if end < 0:
            return cells, None
        pos = end + len(comma)


def refused_rows(batch: Batch, delimiter: str = ",", fields: Sequence[str] = ()) -> list[tuple[int, str]]:
    """(index in batch, reason) for the CSV rows Axiom's reader refuses; every row when the header
    itself is refused. Empty for other batches, or when no row is at fault."""
    if batch.kind != "csv" or not batch.body:
        return []
    comma = delimiter.encode("utf-8")
    records = batch.records()
    if batch.header:
        expected, problem = _scan(batch.header, comma)
        if problem:
            return [(i, f"the header row is refused: {problem}; {WHY}") for i in range(len(records))]
    else:
        expected = len(fields) or _scan(records[0], comma)[0]
    out: list[tuple[int, str]] = []
    for i, record in enumerate(records):
        cells, problem = _scan(record, comma)
        if problem:
            out.append((i, f"{problem}; {WHY}"))
        elif cells != expected:
            out.append((i, f"{cells} cell{'s' if cells != 1 else ''} where the header names {expected}; {WHY}"))
    return out
