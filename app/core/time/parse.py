"""The strict reader, the way the server reads a time: exact decimals, Axiom's 0001..9999
range, RFC 3339 / ISO 8601 strings, numeric epochs by magnitude, Go layouts. The sandbox stores
`_time` with it and the preview shows each value as it reads it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.time.layouts import compile_go_layout, parse_go_layout
from app.core.time.units import NS_PER_UNIT, datetime_ns, epoch_unit, fraction_ns, in_range, offset_seconds


def _epoch_ns(value: Decimal) -> int | None:
    """Numeric epoch, unit guessed by magnitude like Axiom, kept exact; None out of range."""
    return in_range(int(value * NS_PER_UNIT[epoch_unit(value)]))


NUMERIC_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_RFC3339_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?"
)


def _guess_time(text: str) -> int | None:
    """RFC 3339, ISO 8601 or a numeric epoch in a string (CSV values are strings)."""
    if NUMERIC_RE.fullmatch(text):
        try:
            return _epoch_ns(Decimal(text))
        except InvalidOperation:
            return None
    m = _RFC3339_RE.fullmatch(text)
    if m:
        y, mo, d, h, mi, s, frac, off = m.groups()
        try:
            dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                          tzinfo=timezone(timedelta(seconds=offset_seconds(off or ""))))
        except ValueError:
            return None
        return in_range(datetime_ns(dt, fraction_ns(frac or "")))
    try:  # other ISO 8601 spellings (basic format, week dates …)
        return in_range(datetime_ns(datetime.fromisoformat(text)))
    except ValueError:
        return None


def parse_time(value: Any, layout: str | None = None) -> int | None:
    """A timestamp value as nanoseconds since the epoch, or None when it cannot be read."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return _epoch_ns(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
        except (InvalidOperation, OverflowError):  # NaN, ±Infinity (Python's JSON reader accepts them)
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if layout:
        if compile_go_layout(layout) is None:
            return None
        ns = parse_go_layout(text, layout)
        if ns is None and NUMERIC_RE.fullmatch(text):
            return parse_time(float(text)) if "." in text or "e" in text.lower() else _epoch_ns(Decimal(text))
        return ns
    return _guess_time(text)
