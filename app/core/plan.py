"""A Plan from a sniff plus what the user changed: the one place the window and the CLI build it.

`Plan` is what the batch readers and the job consume; `Plan.from_sniff` is the plan with no
override, `plan_for` applies what the user changed. The request options a plan implies are the
job's (`app.core.job.ingest_options`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from app.core.sniff import CsvDialect, Sniff

JSON_FORMATS = ("ndjson", "json-array", "json-object")


@dataclass
class Plan:
    """What to send and how: the sniff's guesses, possibly overridden by the user."""

    format: str                          # "ndjson" | "json-array" | "json-object" | "csv"
    compression: str | None = None
    encoding: str = "utf-8"
    csv: CsvDialect | None = None
    timestamp_field: str | None = None
    timestamp_format: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    # json-object only: the dotted key of the array whose elements are the events ("Records",
    # "hits.hits"); None: the object is one event. Fields: the object's other keys (before the
    # array), added to each event; None: left out.
    records_path: str | None = None
    records_fields: dict | None = None

    @classmethod
    def from_sniff(cls, sniff: Sniff) -> Plan:
        """A plan that follows the sniff; the dialect is copied so overriding it leaves the sniff alone."""
        if sniff.format is None:
            raise ValueError(sniff.error or "the input's format could not be recognised")
        dialect = None
        if sniff.csv is not None:
            dialect = dataclasses.replace(sniff.csv, fields=list(sniff.csv.fields))
        ts = sniff.timestamp
        return cls(format=sniff.format, compression=sniff.compression, encoding=sniff.encoding or "utf-8",
                   csv=dialect, timestamp_field=ts.field if ts else None,
                   timestamp_format=ts.layout if ts else None,
                   records_path=records.path if (records := getattr(sniff, "records", None)) else None)


class PlanError(ValueError):
    """The input cannot be read (its sniff failed) and no format was given to read it anyway."""


@dataclass
class Overrides:
    """What the user may change about the sniff's guesses; None (or empty) keeps the guess."""

    format: str | None = None  # ndjson | json-array | json-object | csv; "json": the sniffed JSON form, else NDJSON
    encoding: str | None = None
    csv_delimiter: str | None = None
    csv_has_header: bool | None = None
    # Column names. They replace the sniffed ones when the file has no header row, when the
    # delimiter/header override changes how the header reads, or when the sniff found none.
    # Given without csv_has_header, they mean the file has no header row.
    csv_fields: list[str] | None = None
    timestamp_field: str | None = None  # "": no field (the events' _time, else the ingest time)
    timestamp_format: str | None = None  # a Go layout; else the sniffed one when it is the sniffed field
    labels: dict[str, str] = field(default_factory=dict)
    records_path: str | None = None  # a JSON object's array of events ("data", "hits.hits"); "": one event
    records_fields: bool | None = None  # add the object's other keys to each event (default: left out)


def plan_for(sniff: Sniff, overrides: Overrides | None = None) -> Plan:
    """The sniff's plan with `overrides` applied; the sniff itself is left alone."""
    o = overrides or Overrides()
    fmt = None if o.format == "json" else o.format
    if sniff.error:
        if not fmt:
            raise PlanError(sniff.error)
        plan = Plan(format=fmt, compression=sniff.compression, encoding=sniff.encoding or "utf-8")
    else:
        plan = Plan.from_sniff(sniff)
    if fmt:
        plan.format = fmt
    elif o.format == "json" and plan.format not in JSON_FORMATS:
        plan.format = "ndjson"
    if o.encoding:
        plan.encoding = o.encoding
    plan.csv = _dialect(plan.csv or CsvDialect(), o) if plan.format == "csv" else None
    if o.timestamp_field is not None:
        # A sniffed layout belongs to the field it was detected on.
        guess = sniff.timestamp
        plan.timestamp_field = o.timestamp_field or None
        plan.timestamp_format = guess.layout if guess and plan.timestamp_field == guess.field else None
    if o.timestamp_format:
        plan.timestamp_format = o.timestamp_format
    plan.labels = dict(o.labels)
    if o.records_path is not None:
        plan.records_path = o.records_path or None
    if plan.format != "json-object":
        plan.records_path = None
    if plan.records_path and o.records_fields:
        found = getattr(sniff, "records", None)
        found = found if found and found.path == plan.records_path else None
        plan.records_fields = dict(found.fields) if found else {}
    return plan


def _dialect(d: CsvDialect, o: Overrides) -> CsvDialect:
    """`d` (the plan's own copy) with the CSV overrides applied."""
    changed = False
    if o.csv_delimiter is not None and o.csv_delimiter != d.delimiter:
        d.delimiter, changed = o.csv_delimiter, True
    has_header = o.csv_has_header if o.csv_has_header is not None else d.has_header and not o.csv_fields
    if has_header != d.has_header:
        d.has_header, changed = has_header, True
    if o.csv_fields and (not d.has_header or changed or not d.fields):
        d.fields = list(o.csv_fields)
    return d
