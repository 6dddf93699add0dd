"""The send options that change how an input is read, as plan overrides. The plan and its sniff
are imported when the options are read, not with this module: `send` reads them in a worker
thread while its first request is on the wire (send.py)."""

from __future__ import annotations


class UsageError(Exception):
    """A command line that cannot be run as given (exit code 2)."""


def parse_labels(pairs: list[str]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--label takes KEY=VALUE, got {pair!r}")
        labels[key] = value
    return labels


def overrides_from_args(args) -> Overrides:
    """--format, --timestamp-*, --csv-* and --label as plan overrides ('\\t' means a tab)."""
    from app.core.plan import Overrides

    return Overrides(
        format=args.format,
        csv_delimiter=_delimiter(args.csv_delimiter),
        csv_fields=[f.strip() for f in args.csv_fields.split(",")] if args.csv_fields else None,
        timestamp_field=args.timestamp_field or None,
        timestamp_format=args.timestamp_format or None,
        labels=parse_labels(args.label),
        time_zone=_time_zone(getattr(args, "time_zone", None)),
        date_order=getattr(args, "date_order", None),
        typed_columns={"on": True, "off": False}.get(getattr(args, "typed_columns", "auto")),
        column_types=parse_column_types(getattr(args, "column_type", [])),
        empty_cells=getattr(args, "empty_cells", None),
        records_path=getattr(args, "records_path", None),
        records_fields=getattr(args, "records_fields", False) or None,
        **log_overrides(args),
    )


def _delimiter(given: str | None) -> str | None:
    """--csv-delimiter ('\\t' means a tab), checked now so a bad one is a usage error."""
    if given is None:
        return None
    from app.core.plan import delimiter_problem

    delimiter = given.replace("\\t", "\t")
    if problem := delimiter_problem(delimiter):
        raise UsageError(f"--csv-delimiter: {problem}")
    return delimiter


def _time_zone(name: str | None) -> str | None:
    """--time-zone, checked now so a typo stops the run before anything is read."""
    if not name:
        return None
    from app.core.time.civil import NaiveZone
    try:
        return NaiveZone(name).name
    except ValueError as e:
        raise UsageError(f"--time-zone: {e}") from None


def parse_column_types(pairs: list[str]) -> dict[str, str]:
    from app.core.sniff.csv_types import type_named

    types = {}
    for pair in pairs:
        name, sep, kind = pair.rpartition("=")
        if not sep or not name or type_named(kind) is None:
            raise UsageError(f"--column-type takes FIELD=TYPE with TYPE one of text, number, decimal-comma, "
                             f"boolean; got {pair!r}")
        types[name] = type_named(kind)
    return types
def log_overrides(args) -> dict:
    """--log-format and --line-start as Overrides fields (the zone is --time-zone's)."""
    return {"log_format": getattr(args, "log_format", None), "log_line_start": getattr(args, "line_start", None)}
