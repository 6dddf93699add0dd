"""Export of an upload's failed rows, with the reason each failed, in a file the user can fix
and drop again: NDJSON for any input, CSV (the original columns plus an error) for CSV inputs."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable

from app.core.job import Failure, Source

ERROR_FIELD = "_axiom_drop_error"
LINE_FIELD = "_axiom_drop_line"
RECORD_FIELD = "_axiom_drop_record"
CSV_ERROR_COLUMN = "error"


def _csv_dialect(plan) -> tuple[str, str, bool, list[str]]:
    d = plan.csv
    if d is None:
        return ",", '"', True, []
    return d.delimiter or ",", d.quotechar or '"', bool(d.has_header), list(d.fields or [])


def _parse_csv_record(record: str, delimiter: str, quotechar: str) -> list[str] | None:
    try:
        rows = list(csv.reader(io.StringIO(record), delimiter=delimiter, quotechar=quotechar))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def export_failures(path: str | Path, failures: Iterable, plan=None, fmt: str = "ndjson") -> int:
    """Write the failed rows with their reasons to `path`; returns how many rows were written.

    NDJSON: each failed event object plus `_axiom_drop_error` (and `_axiom_drop_line`); an event
    that is not an object (or a CSV row that cannot be split) is written as
    {"_axiom_drop_line", "_axiom_drop_record", "_axiom_drop_error"}.
    CSV (for CSV inputs): the original columns, in the same dialect, plus an `error` column.
    """
    failures = list(failures)
    is_csv = plan.sends_csv
    delimiter, quotechar, _, fields = _csv_dialect(plan)
    written = 0
    if fmt == "csv":
        if not is_csv:
            raise ValueError("CSV export is for CSV inputs; use NDJSON for JSON events")
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=delimiter, quotechar=quotechar, lineterminator="\n")
            writer.writerow([*fields, CSV_ERROR_COLUMN])
            for failure in failures:
                values = _parse_csv_record((failure.record or "").rstrip("\r\n"), delimiter, quotechar)
                if values is None:
                    values = [failure.record or ""]
                padded = values + [""] * (len(fields) - len(values)) if len(values) < len(fields) else values
                writer.writerow([*padded, _reason(failure)])
                written += 1
        return written
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for failure in failures:
            f.write(json.dumps(_ndjson_row(failure, is_csv, delimiter, quotechar, fields), ensure_ascii=False))
            f.write("\n")
            written += 1
    return written


def _reason(failure) -> str:
    return failure.error or "failed"


def _ndjson_row(failure, is_csv: bool, delimiter: str, quotechar: str, fields: list[str]) -> dict[str, Any]:
    record = (failure.record or "").rstrip("\r\n")
    obj: Any = None
    if is_csv:
        values = _parse_csv_record(record, delimiter, quotechar)
        if values is not None and fields and len(values) == len(fields):
            obj = dict(zip(fields, values))
    elif record:
        try:
            obj = json.loads(record)
        except ValueError:
            obj = None
    if isinstance(obj, dict):
        out = dict(obj)
        out[ERROR_FIELD] = _reason(failure)
        if failure.line is not None:
            out[LINE_FIELD] = failure.line
        return out
    return {LINE_FIELD: failure.line, RECORD_FIELD: record, ERROR_FIELD: _reason(failure)}


def failed_rows(failures: list[Failure], plan: Any, name: str) -> tuple[Source, Any] | None:
    """A Source holding just these failed rows (CSV keeps its header), and its Plan. None when a
    row's text is unknown or was cut short in the report (app.core.queue's "retry failed rows")."""
    if not all(f.complete for f in failures):
        return None
    plan = copy.copy(plan)
    plan.compression = None
    plan.encoding = "utf-8"
    out = io.StringIO()
    if plan.sends_csv and plan.csv is not None:
        dialect = copy.copy(plan.csv)
        if dialect.fields:
            csv.writer(out, delimiter=dialect.delimiter, quotechar=dialect.quotechar,
                       lineterminator="\n").writerow(dialect.fields)
            dialect.has_header = True
        plan.csv = dialect
    else:
        plan.format = "ndjson"
        plan.csv = None
        plan.csv_types = {}
    for f in failures:
        out.write(f.record.rstrip("\r\n") + "\n")
    return Source.from_bytes(out.getvalue().encode("utf-8"), name=name), plan
