"""Export of an upload's failed rows, with the reason each failed, in a file the user can fix
and drop again: the raw rows as in the input plus a file of line → reason (export_raw), or one
file with the reasons inside (NDJSON for any input, CSV plus an error column for CSV inputs)."""

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


REASONS_SUFFIX = "-reasons.csv"
NOT_KEPT = "(the row was too long to keep in full: it is not in the export)"


def reasons_path(path: str | Path) -> Path:
    """Where export_raw writes the line → reason file: beside the rows, `<stem>-reasons.csv`."""
    p = Path(path)
    return p.with_name(p.name.split(".")[0] + REASONS_SUFFIX)


def raw_suffix(plan) -> str:
    """The export's extension: the input's own format (a JSON array's elements become NDJSON)."""
    return ".csv" if plan.sends_csv else ".ndjson"


def export_raw(path: str | Path, failures: Iterable, plan) -> tuple[int, Path]:
    """The failed rows as they were in the input, ready to fix and drop again: the raw lines
    (a CSV gets its header row first, in its own dialect; the elements of a JSON array one a
    line), and beside them (reasons_path) a CSV of line → reason. Returns (rows written, that file).
    A row that was cut short in the report is not written, and its reason says so."""
    failures = list(failures)
    reasons = reasons_path(path)
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as rows, open(reasons, "w", encoding="utf-8",
                                                                        newline="") as why:
        table = csv.writer(why, lineterminator="\n")
        table.writerow(["line", "reason"])
        if plan.sends_csv and plan.csv is not None and plan.csv.has_header and plan.csv.fields:
            csv.writer(rows, delimiter=plan.csv.delimiter or ",", quotechar=plan.csv.quotechar or '"',
                       lineterminator="\n").writerow(plan.csv.fields)
        for f in failures:
            if not f.complete:
                table.writerow([f.line if f.line is not None else "", f"{_reason(f)} {NOT_KEPT}"])
                continue
            text = f.record.rstrip("\r\n")
            if plan.format == "json":
                try:
                    text = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
                except ValueError:
                    pass
            rows.write(text + "\n")
            table.writerow([f.line if f.line is not None else "", _reason(f)])
            written += 1
    return written, reasons


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
    line = 1
    if plan.sends_csv and plan.csv is not None:
        dialect = copy.copy(plan.csv)
        if dialect.fields:
            csv.writer(out, delimiter=dialect.delimiter, quotechar=dialect.quotechar,
                       lineterminator="\n").writerow(dialect.fields)
            dialect.has_header = True
            line = 2
        plan.csv = dialect
    else:
        plan.format = "ndjson"
        plan.csv = None
        plan.csv_types = {}
    line_map: dict[int, int] = {}
    for f in failures:
        text = f.record.rstrip("\r\n")
        out.write(text + "\n")
        for k in range(text.count("\n") + 1):  # a CSV record may hold quoted newlines
            if f.line is not None:
                line_map[line] = f.line + k
            line += 1
    source = Source.from_bytes(out.getvalue().encode("utf-8"), name=name)
    source.line_map = line_map
    return source, plan
