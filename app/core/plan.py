"""A Plan from a sniff plus what the user changed: the one place the window and the CLI build it.

`Plan` is what the batch readers and the job consume; `Plan.from_sniff` is the plan with no
override, `plan_for` applies what the user changed. The request options a plan implies are the
job's (`app.core.job.ingest_options`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from app.core.sniff import CsvDialect, Sniff
from app.core.time.civil import NaiveZone
from app.core.time.instant import needs_client_time
from app.core.sniff.csv_types import TEXT, TYPES

JSON_FORMATS = ("ndjson", "json-array", "json-object")
LOW_CONFIDENCE = 0.24  # a guess below this is sent only in a format the user chose (ragged CSV is ~0.48)


def unsure_format(sniff: Sniff, chosen: bool, how: str) -> str | None:
    """Why a low-confidence format guess is not sent as it is (a wrong guess stores junk events),
    or None when the guess is sure enough or the user chose the format (`how` says how to)."""
    if chosen or sniff.error or sniff.format is None or sniff.confidence >= LOW_CONFIDENCE:
        return None
    why = "; ".join(sniff.reasons[1:3] or sniff.reasons)
    return (f"not sent: it reads as {sniff.format} only {sniff.confidence:.0%} sure ({why}); "
            f"{how} to send it anyway")


@dataclass
class Plan:
    """What to send and how: the sniff's guesses, possibly overridden by the user."""

    format: str                          # "ndjson" | "json-array" | "json-object" | "csv" | "text"
    compression: str | None = None
    encoding: str = "utf-8"
    csv: CsvDialect | None = None
    timestamp_field: str | None = None
    timestamp_format: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    # format "text": the textlog format id ("plain": one event per line), the line-start pattern
    # (None: the format's own) (the zone is time_zone's)
    log_format: str | None = None
    log_line_start: str | None = None
    time_zone: NaiveZone = field(default_factory=NaiveZone)  # the zone of times written without one
    date_orders: tuple[str, ...] = ()  # still open: the dates fit each of these orders (the user picks)

    @property
    def client_time(self) -> bool:
        """The app computes `_time` itself (Go would misread the layout, or zone-less times are
        not UTC): events go with an RFC 3339 `_time` and no timestamp-field/format."""
        return (self.format != "text" and bool(self.timestamp_field)  # a text log's reader sends its own
                and needs_client_time(self.timestamp_format, self.time_zone))
    # CSV sent as NDJSON with these columns typed (field → sniff.csv_types type); empty: as CSV
    csv_types: dict[str, str] = field(default_factory=dict)
    empty_cells: str = "omit"            # typed CSV: an empty cell is left out ("omit") or null

    @property
    def sends_csv(self) -> bool:
        """CSV sent as CSV (not typed, which goes as NDJSON): records, headers and options are CSV's."""
        return self.format == "csv" and not self.csv_types

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
        log = getattr(sniff, "log_settings", None)
        return cls(format=sniff.format, compression=sniff.compression, encoding=sniff.encoding or "utf-8",
                   csv=dialect, timestamp_field=ts.field if ts else None,
                   timestamp_format=ts.layout if ts else None,
                   records_path=records.path if (records := getattr(sniff, "records", None)) else None,
                   log_format=log.format if log else None, log_line_start=log.line_start if log else None)


class PlanError(ValueError):
    """The input cannot be read (its sniff failed) and no format was given to read it anyway."""


@dataclass
class Overrides:
    """What the user may change about the sniff's guesses; None (or empty) keeps the guess."""

    format: str | None = None  # ndjson | json-array | json-object | csv | text; "json": the sniffed JSON form, else NDJSON
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
    log_format: str | None = None  # a textlog format id, or "plain" (plain lines); implies format "text"
    log_line_start: str | None = None  # a regular expression the first line of each event matches
    time_zone: str | None = None  # zone-less times are in: "UTC" | "local" | a zone name (NaiveZone)
    date_order: str | None = None  # "dmy" | "mdy": how to read dates that fit both
    typed_columns: bool | None = None  # CSV numbers and booleans as typed values; None: when clearly typed
    column_types: dict[str, str] = field(default_factory=dict)  # per column, over the inferred type
    empty_cells: str | None = None     # "omit" | "null"
    records_path: str | None = None  # a JSON object's array of events ("data", "hits.hits"); "": one event
    records_fields: bool | None = None  # add the object's other keys to each event (default: left out)


def delimiter_problem(delimiter: str) -> str | None:
    """Why `delimiter` cannot split CSV cells, or None: a CSV reader takes one character, and a
    quote or line break would split what it has to keep together."""
    if len(delimiter) != 1:
        return f"the delimiter must be one character, got {delimiter!r}"
    if delimiter in "\"\r\n":
        return f"the delimiter cannot be a quote or a line break, got {delimiter!r}"
    return None


def plan_for(sniff: Sniff, overrides: Overrides | None = None) -> Plan:
    """The sniff's plan with `overrides` applied; the sniff itself is left alone."""
    o = overrides or Overrides()
    if o.csv_delimiter is not None and (problem := delimiter_problem(o.csv_delimiter)):
        raise PlanError(problem)
    fmt = None if o.format == "json" else o.format or ("text" if o.log_format else None)
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
    _date_order(plan, sniff, o)
    if o.timestamp_format:
        plan.timestamp_format = o.timestamp_format
        plan.date_orders = ()
    if o.time_zone:
        plan.time_zone = NaiveZone(o.time_zone)
    plan.labels = dict(o.labels)
    if plan.csv is not None:
        plan.csv_types = _typed_columns(sniff, plan.csv, o)
        plan.csv_types.pop(plan.timestamp_field or "", None)  # the time field is read by its layout
        plan.empty_cells = o.empty_cells or "omit"
    if o.records_path and plan.format == "ndjson" and not o.format and sniff.estimated_events <= 1:
        plan.format = "json-object"  # one object on one line is NDJSON too: the path says it wraps events
    if o.records_path is not None:
        plan.records_path = o.records_path or None
    if plan.format != "json-object":
        plan.records_path = None
    if plan.records_path and o.records_fields:
        found = getattr(sniff, "records", None)
        found = found if found and found.path == plan.records_path else None
        plan.records_fields = dict(found.fields) if found else {}
    _log(plan, o)
    return plan


_EACH_EVENT = {"ndjson": "NDJSON: each line is already an event", "csv": "CSV: each row is an event",
               "json-array": "a JSON array: each element is already an event", "text": "a text log"}
COLUMNS_SHOWN = 40


def override_problem(plan: Plan, o: Overrides) -> str | None:
    """Why an override names something this input does not have (a column type for a column it
    lacks or for a file that is not CSV, a records path for a file that is not a JSON object), or
    None. plan_for drops such overrides quietly, as the window's controls only offer what a file
    has; a command line asks for them by name, so it is told (and sends nothing of that input)."""
    if o.column_types:
        if plan.format != "csv" or plan.csv is None:
            return f"column types apply to CSV files; this one is read as {plan.format}"
        fields = plan.csv.fields or []
        unknown = [name for name in o.column_types if name not in fields]
        if unknown:
            shown = ", ".join(fields[:COLUMNS_SHOWN]) + (f", … ({len(fields):,} in all)"
                                                       if len(fields) > COLUMNS_SHOWN else "")
            names = ", ".join(repr(n) for n in unknown)
            return f"no column {names} in this file (its columns: {shown or 'none'})"
    if o.records_path and plan.format != "json-object":
        return (f"records path {o.records_path!r} applies to a JSON object holding an array of events; "
                f"this file is {_EACH_EVENT.get(plan.format, plan.format)}")
    return None


def _log(plan: Plan, o: Overrides) -> None:
    """The text-log overrides: a log format implies format "text"; a text plan always has one."""
    if o.log_format and not o.format:
        plan.format = "text"
    if plan.format != "text":
        plan.log_format = plan.log_line_start = None
        return
    if o.log_format:
        plan.log_format = o.log_format
    plan.log_format = plan.log_format or "plain"
    if o.log_line_start:
        plan.log_line_start = o.log_line_start
    from app.core.textlog import settings_problem  # text plans only: the parsers' patterns load here

    problem = settings_problem(plan.log_format, plan.log_line_start)
    if problem:
        raise PlanError(problem)
    if plan.timestamp_field is None and plan.log_format != "plain":
        plan.timestamp_field = "_time"  # the reader writes each event's own time there (RFC 3339)
    if plan.timestamp_field == "_time":
        plan.timestamp_format, plan.date_orders = None, ()  # that RFC 3339 needs no layout
    plan.csv = None


def _date_order(plan: Plan, sniff: Sniff, o: Overrides) -> None:
    """Dates that fit both orders: the chosen order's layout, else the question stays open."""
    guess = sniff.timestamp
    if not guess or not guess.orders or plan.timestamp_field != guess.field:
        return
    if o.date_order in guess.orders:
        plan.timestamp_format = guess.orders[o.date_order]
    elif not o.timestamp_format:
        plan.date_orders = tuple(guess.orders)
def _typed_columns(sniff: Sniff, d: CsvDialect, o: Overrides) -> dict[str, str]:
    """The typed columns to send, or {} for CSV as it is (today's default when not clearly typed)."""
    inferred = {f: t for f, t in sniff.column_types.items() if f in d.fields}
    on = o.typed_columns if o.typed_columns is not None else (sniff.typed_by_default and inferred == sniff.column_types)
    if not on:
        return {}
    types = {**inferred, **{f: t for f, t in o.column_types.items() if t in TYPES}}
    return {f: t for f, t in types.items() if t != TEXT}


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


def check_plan_times(sniff: Sniff, plan: Plan):
    """The plan's time settings tried on the sniff's sample (time.check.TimeCheck): what the
    window's Send confirmation and the CLI's refusal say."""
    from app.core.time.check import check_times, unused_time

    check = check_times(sniff.sample, plan.timestamp_field, plan.timestamp_format, plan.time_zone,
                        plan.date_orders)
    check.unused = unused_time(getattr(sniff, "likely_time", None), plan.timestamp_field)
    return check
