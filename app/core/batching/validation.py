"""Which events of a batch the server will refuse or misread, found before sending."""

from __future__ import annotations

import csv
import io
from typing import Sequence

import orjson

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.csv_reader import quoted_cells

# A CSV record (so a field) may be up to MAX_RECORD; the csv module's default stops at 128 KiB.
# Process-wide, so only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), limits.MAX_RECORD))


MAX_VALUE_BYTES = 1 << 20  # Axiom stores a longer string as "<invalid string: too long>" (docs/axiom-api.md)
NOT_FINITE = ("holds a number out of range of a 64-bit float (or NaN/Infinity), which Axiom would store as "
              "null: the event was not sent; fix the number and send the line again")


def not_finite(value: object) -> bool:
    """True when a decoded value holds inf or nan anywhere (JSON that Axiom would turn into null)."""
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        return any(not_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(not_finite(v) for v in value)
    return False


def long_values(batch: Batch, delimiter: str = ",") -> list[tuple[int, str]]:
    """(index in batch, warning) for events holding a string over Axiom's value limit: they are
    stored, but with that value replaced. Only records longer than the limit can hold one."""
    out: list[tuple[int, str]] = []
    if len(batch.body) <= MAX_VALUE_BYTES or _short_lines(batch):
        return out
    header = None
    if batch.kind == "csv" and batch.header:
        header = next(csv.reader([batch.header.decode("utf-8", "replace")], delimiter=delimiter), [])
    for i, rec in enumerate(batch.records()):
        if len(rec) <= MAX_VALUE_BYTES:
            continue
        if batch.kind == "csv":
            row = next(csv.reader(io.StringIO(rec.decode("utf-8", "replace"), newline=""),
                                  delimiter=delimiter, quotechar=(batch.quote or b'"').decode()), [])
            names = header or []
            found = [(names[k] if k < len(names) else f"column {k + 1}", v) for k, v in enumerate(row)]
        else:
            try:
                found = list(_strings(orjson.loads(rec[:-1]), ""))
            except orjson.JSONDecodeError:
                continue  # refused whole by the server, and named then
        for name, value in found:
            size = len(value.encode("utf-8", "surrogatepass"))
            if size > MAX_VALUE_BYTES:
                out.append((i, f"field {name!r} is {size / (1 << 20):.1f} MB, over Axiom's 1 MB value limit: it is "
                               "stored as \"<invalid string: too long>\" (the rest of the event is kept)"))
    return out


def _short_lines(batch: Batch) -> bool:
    """True when no record can be over the value limit, found with one find per half limit: each
    half-limit window holding a line break means no line is longer than the limit. (A quoted CSV
    record may hold a long value over many short lines: batches holding one are read record by record.)"""
    body, half = batch.body, MAX_VALUE_BYTES // 2
    if batch.kind == "csv" and batch.quote and batch.quote in body and body.count(b"\n") != batch.count:
        return False
    return all(body.find(b"\n", pos, pos + half) >= 0 for pos in range(0, len(body), half))


def _strings(value: object, path: str):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for k, v in enumerate(value):
            yield from _strings(v, f"{path}[{k}]")


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
            if "infinity" in e.msg:
                bad.append((i, NOT_FINITE))
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
        return list(batch.ragged)  # a typed CSV's, counted when it was converted
    if batch.header:
        expected = len(next(csv.reader([batch.header.decode("utf-8", "replace")], delimiter=delimiter), []))
    else:
        expected = len(fields)
    if expected == 0:
        return []
    d = delimiter.encode("utf-8")
    if _cells_all(batch, d, expected):
        return []
    if not (batch.quote and batch.quote in batch.body):
        lines = batch.body.split(b"\n")[:-1]
        if len(lines) == batch.count:
            want = expected - 1
            return [(i, line.count(d) + 1, expected) for i, line in enumerate(lines) if line.count(d) != want]
    quote = batch.quote.decode("utf-8") if batch.quote else '"'
    rows = (r for r in csv.reader(io.StringIO(batch.body.decode("utf-8", "replace"), newline=""),
                                  delimiter=delimiter, quotechar=quote) if r)
    return [(i, len(r), expected) for i, r in enumerate(rows) if len(r) != expected]


def _cells_all(batch: Batch, d: bytes, expected: int) -> bool:
    """True when every record has `expected` cells, found at C speed: with quoted stretches removed
    (each record then one line), what is left of delimiters and newlines is one pattern repeated."""
    body = batch.body
    if len(d) != 1 or d == b"\n":
        return False
    if batch.quote and batch.quote in body:
        body = quoted_cells(batch.quote).sub(b"", body)
        if batch.quote in body:
            return False
    keep = _SKELETON.get(d)
    if keep is None:
        keep = _SKELETON[d] = bytes(b for b in range(256) if b not in (d[0], 0x0A))
    return body.translate(None, keep) == (d * (expected - 1) + b"\n") * batch.count


_SKELETON: dict[bytes, bytes] = {}  # delimiter → the bytes to delete (all but it and "\n")
