"""Which input line each failed event is on.

- 400: the server took nothing from the batch. Validate it locally and name the bad events (CSV:
  the rows Axiom's Go reader refuses, batching/csv_refusals.py); if nothing is locally wrong, send
  the event the server names ("index N") alone, else bisect, until the culprit is alone.
- 200 with failures: the server names timestamps, not positions; match them to the batch's
  events by timestamp (or, failing that, by a property the reason names).
"""

from __future__ import annotations

import csv
import io

import orjson

from app.core.axiom import BadRequest
from app.core.batching import Batch, refused_rows, validate_records
from app.core.batching.timefix import csv_fields_sent
from app.core.plan import Plan
from app.core.job.results import CUT_SHORT
from app.core.time import parse_time, to_epoch_ns

RECORD_PREVIEW_BYTES = 2048
LONG_FIELD_NAME_BYTES = 200  # docs/axiom-api.md: longer field names are refused


def element(plan: Plan, ordinal: int | None) -> str:
    """"element N of the array: " for a JSON array: a one-line array puts every element on
    line 1, so the line alone does not find it. Other formats' messages stay as they are."""
    if plan.format != "json-array" or ordinal is None:
        return ""
    return f"element {ordinal} of the array: "


def at(plan: Plan, batch: Batch, index: int) -> str:
    """The element() prefix for the batch's event at `index`."""
    return element(plan, batch.ordinals[index] if index < len(batch.ordinals) else None)


def bad_events(plan: Plan, batch: Batch, err: BadRequest) -> dict[int, str] | None:
    """After a 400 (the server took nothing): {index: reason} of the events to fail, or None when
    none can be named yet and the batch is to be cut (`pieces_after_400`). Only local checks, or a
    400 to an event sent alone, fail an event: never the server's index by itself."""
    bad = dict(validate_records(batch))
    if batch.kind == "csv":  # Axiom's words for a CSV refusal name no event: find the rows here
        fields = csv_fields_sent(plan) or (plan.csv.fields if plan.csv else ())  # with the `_time` the app adds
        bad.update(refused_rows(batch, plan.csv.delimiter if plan.csv else ",", fields))
    if not bad:
        if batch.count == 1:
            bad = {0: err.message}
        else:
            return None
    return {index: at(plan, batch, index) + reason for index, reason in bad.items()}


def pieces_after_400(batch: Batch, err: BadRequest) -> list[Batch]:
    """The batch cut for resending when no event could be named locally. The event the server
    names ("index N") is sent alone between the events before and after it: it fails only if the
    server refuses it alone, so an index counted otherwise than this client counts (from 1, or
    from another start) costs a request, never a good event. Without an index: halves."""
    n = err.event_index
    if n is None or not 0 <= n < batch.count:
        return list(batch.split())
    cut = [range(0, n), range(n, n + 1), range(n + 1, batch.count)]
    return [batch.subset(piece) for piece in cut if len(piece)]


def map_failures(plan: Plan, batch: Batch, failures: list[dict], failed: int):
    """200 with failures names timestamps, not positions: match them to the batch's events.
    Yields (line or None, error, record preview or None), `failed` of them."""
    records = batch.records()
    reasons = {str(f.get("error", "failed")) for f in failures[:failed]}
    if failed == batch.count == len(failures) and len(reasons) == 1:
        # Every event failed, for one reason: each line is known without matching (a CSV wider
        # than the dataset's field limit fails all its rows so, with no timestamp to match).
        error = reasons.pop()
        for i in range(batch.count):
            yield batch.lines[i], at(plan, batch, i) + error, preview(records[i])
        return
    by_time: dict[int, list[int]] = {}
    field_name = "_time" if plan.client_time else plan.timestamp_field or "_time"
    unreadable: list[int] = []  # events whose time the server cannot read: it refuses them
    for i, value in enumerate(_timestamp_values(batch, records, field_name, plan)):
        ns = to_epoch_ns(value)
        if ns is not None:
            by_time.setdefault(ns, []).append(i)
        if value not in (None, "") and parse_time(value, None if plan.client_time else plan.timestamp_format) is None:
            unreadable.append(i)
    used: set[int] = set()
    span = f"lines {batch.first_line}–{batch.last_line}"
    if plan.format == "json-array" and len(batch.ordinals):
        span += f", elements {batch.ordinals[0]}–{batch.ordinals[-1]} of the array"
    for f in failures[:failed]:
        error = str(f.get("error", "failed"))
        ns = to_epoch_ns(f.get("timestamp"))
        candidates = [i for i in by_time.get(ns, []) if i not in used] if ns is not None else []
        if len(candidates) == 1:
            used.add(candidates[0])
            yield batch.lines[candidates[0]], at(plan, batch, candidates[0]) + error, preview(records[candidates[0]])
        elif candidates:
            lines = ", ".join(str(batch.lines[i]) for i in candidates[:5])
            if plan.format == "json-array" and len(batch.ordinals) == batch.count:
                elements = ", ".join(str(batch.ordinals[i]) for i in candidates[:5])
                yield None, (f"{error} (one of elements {elements} of the array, on lines {lines}, "
                             "which share its timestamp)"), None
            else:
                yield None, f"{error} (one of lines {lines}, which share its timestamp)", None
        elif ((found := _locate_by_reason(batch, records, error, used)) is not None
              or (found := next((i for i in unreadable if i not in used), None)) is not None):
            used.add(found)
            yield batch.lines[found], at(plan, batch, found) + error, preview(records[found])
        else:
            yield None, f"{error} (somewhere in {span})", None
    for _ in range(failed - len(failures)):
        yield None, f"failed without a reason from the server (somewhere in {span})", None


def preview(record: bytes | None) -> str | None:
    if record is None:
        return None
    text = record[:RECORD_PREVIEW_BYTES].decode("utf-8", "replace").rstrip("\r\n")
    return text + (CUT_SHORT if len(record) > RECORD_PREVIEW_BYTES else "")


def _locate_by_reason(batch: Batch, records: list[bytes], error: str, used: set[int]) -> int | None:
    """When timestamps cannot place a failure, a reason that names a property of the event can:
    the first event not yet matched that has a field name over Axiom's limit."""
    if "field name" not in error or "long" not in error or batch.kind != "ndjson":
        return None

    def has_long_name(value) -> bool:
        if isinstance(value, dict):
            return any(len(k.encode("utf-8")) > LONG_FIELD_NAME_BYTES or has_long_name(v) for k, v in value.items())
        if isinstance(value, list):
            return any(has_long_name(v) for v in value)
        return False

    for i, rec in enumerate(records):
        if i in used:
            continue
        try:
            if has_long_name(orjson.loads(rec)):
                return i
        except orjson.JSONDecodeError:
            continue
    return None


def _timestamp_values(batch: Batch, records: list[bytes], field_name: str, plan: Plan):
    """The timestamp value of each event of a batch (None where there is none)."""
    if batch.kind == "csv":
        delimiter = plan.csv.delimiter if plan.csv else ","
        if batch.header:
            header = next(csv.reader([batch.header.decode("utf-8", "replace")], delimiter=delimiter), [])
        else:
            header = csv_fields_sent(plan) or (list(plan.csv.fields) if plan.csv else [])
        try:
            col = header.index(field_name)
        except ValueError:
            col = None
        for rec in records:
            row = next(csv.reader(io.StringIO(rec.decode("utf-8", "replace")), delimiter=delimiter), [])
            yield row[col] if col is not None and col < len(row) else None
        return
    for rec in records:
        try:
            obj = orjson.loads(rec)
        except orjson.JSONDecodeError:
            yield None
            continue
        yield obj.get(field_name) if isinstance(obj, dict) else None
