"""Which field of the first events holds their time, and in which timestamp-format: the kinds
Axiom reads unaided (RFC 3339, epochs by magnitude) and the Go layout to send for the others."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from app.core.time.orders import ORDER_NAMES, date_layouts
from app.core.time.parse import NUMERIC_RE
from app.core.time.units import epoch_unit

TIME_FIELD_NAMES = ["_time", "timestamp", "time", "ts", "@timestamp", "date", "datetime", "created_at"]


@dataclass
class TimestampGuess:
    field: str
    kind: str  # rfc3339 | iso8601-no-zone | epoch-s | epoch-ms | epoch-us | epoch-ns | layout
    layout: str | None  # Go layout for timestamp-format; None when the server parses it unaided
    example: str
    confidence: float
    # {order: layout} when the dates fit both day-first and month-first ("dmy", "mdy"): the
    # user chooses (layout is then None); the sniff never guesses an order.
    orders: dict[str, str] | None = None


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$")
_ISO_ZONE_OTHER = re.compile(r"^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.(\d+))?(Z|[+-]\d{2}:?\d{2})$")
_ISO_NO_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.(\d+))?$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_APACHE = re.compile(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$")
_RFC1123 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} ([A-Z]{3,4}|[+-]\d{4})$")
_ISO_ZONE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.\d+)? [A-Z]{3,5}$")
_UNIX_DATE = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} [A-Z]{3,5} \d{4}$")
_SYSLOG = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}$")
_EPOCH_SCALE = {"epoch-s": 1, "epoch-ms": 1e3, "epoch-us": 1e6, "epoch-ns": 1e9}


def _valid(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def time_kind(v: str) -> tuple[str, str | None] | None:
    """(kind, Go layout) for a string that looks like a time, else None."""
    if len(v) < 8 or len(v) > 40:
        return None
    if v[0].isdigit():
        if _RFC3339.match(v):
            return ("rfc3339", None) if _valid(v[:19], "%Y-%m-%dT%H:%M:%S") else None
        m = _ISO_NO_ZONE.match(v)
        if m:
            if not _valid(v[:10] + "T" + v[11:19], "%Y-%m-%dT%H:%M:%S"):
                return None
            # No fraction in the layout: Go reads any fraction after the seconds, and ".000" would
            # refuse ".5" (pkg.go.dev/time#Parse).
            return "iso8601-no-zone", f"2006-01-02{m.group(1)}15:04:05"
        m = _ISO_ZONE_OTHER.match(v)
        if m:
            zone = m.group(4)
            zlayout = "Z07:00" if ":" in zone or zone == "Z" else "Z0700"
            return "layout", f"2006-01-02{m.group(1)}15:04:05" + zlayout
        m = _ISO_ZONE_NAME.match(v)
        if m:  # "2026-07-12 10:00:00 CEST": a zone name, which the app reads (time.instant)
            ok = _valid(v[:10] + "T" + v[11:19], "%Y-%m-%dT%H:%M:%S")
            return ("layout", f"2006-01-02{m.group(1)}15:04:05 MST") if ok else None
        if _DATE_ONLY.match(v):
            return ("layout", "2006-01-02") if _valid(v, "%Y-%m-%d") else None
        if _APACHE.match(v):
            return ("layout", "02/Jan/2006:15:04:05 -0700") if _valid(v[:20], "%d/%b/%Y:%H:%M:%S") else None
        orders = date_layouts([v])
        if orders:  # one value alone: month first when it fits (the sample decides: guess_timestamp)
            return "layout", orders.get("mdy") or next(iter(orders.values()))
        return None
    if _RFC1123.match(v):
        if not _valid(v[5:25], "%d %b %Y %H:%M:%S"):
            return None
        return "layout", "Mon, 02 Jan 2006 15:04:05 -0700" if v[-5] in "+-" else "Mon, 02 Jan 2006 15:04:05 MST"
    if _UNIX_DATE.match(v):  # date(1), Go's UnixDate
        ok = _valid(v[4:19].replace("  ", " ") + v[-5:], "%b %d %H:%M:%S %Y")
        return ("layout", "Mon Jan _2 15:04:05 MST 2006") if ok else None
    if _SYSLOG.match(v):
        return ("layout", "Jan _2 15:04:05") if _valid("2000 " + v.replace("  ", " "), "%Y %b %d %H:%M:%S") else None
    return None


def epoch_kind(value: Any, named: bool) -> str | None:
    """The epoch unit of a number, told apart by magnitude the way the server does
    (units.epoch_unit: s < 1e11 <= ms < 1e14 <= µs < 1e17 <= ns)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        num = float(value)
    elif isinstance(value, str) and NUMERIC_RE.fullmatch(value.strip()) and "e" not in value.lower():
        num = float(value)
    else:
        return None
    if num < 1e8:  # before 1973 in seconds: a count or a duration, not a time
        return None
    kind = "epoch-" + epoch_unit(num)
    if not named:  # an unnamed number only counts when it lands in 2000..2100
        secs = num / _EPOCH_SCALE[kind]
        if not (946_684_800 <= secs <= 4_102_444_800):
            return None
    return kind


def value_kind(value: Any, named: bool) -> tuple[str, str | None] | None:
    epoch = epoch_kind(value, named)
    if epoch:
        return epoch, None
    if isinstance(value, str):
        return time_kind(value.strip())
    return None


class LikelyTime(NamedTuple):
    """A field named like a time whose sampled values mostly read as one: not chosen, since the
    others would lose their time, but a send that leaves it unused must say so (time.check)."""
    field: str
    unread: int
    total: int


def _field_guess(name: str, values: list, is_named: bool, reasons: list[str],
                 likely: list[LikelyTime] | None = None) -> TimestampGuess | None:
    """The guess for one field when every sampled value reads the same way, else None (with a
    reason when most do: a layout that misses some values would lose their events)."""
    strings = [v.strip() for v in values if isinstance(v, str)]
    orders = date_layouts(strings) if len(strings) == len(values) else None
    if orders:
        conf = 0.95 if is_named else 0.7
        if len(orders) > 1:
            reasons.append(f"field {name!r} holds dates that read both day first and month first "
                           f"(e.g. {strings[0]!r}): choose the order")
            return TimestampGuess(name, "layout", None, strings[0], conf, orders=dict(orders))
        order, layout = next(iter(orders.items()))
        how = f"dates {ORDER_NAMES[order]} " if order in ORDER_NAMES else "times "
        reasons.append(f"field {name!r} holds {how}in the layout {layout}")
        return TimestampGuess(name, "layout", layout, strings[0], conf)
    kinds = Counter(value_kind(v, is_named) for v in values)
    (kind_layout, hits), = kinds.most_common(1)
    if kind_layout is None:
        return None
    if hits < len(values) and all(k is not None and k[1] is None for k in kinds):
        hits = len(values)  # RFC 3339 and epochs of any unit: the server reads each unaided
    if hits < len(values):
        if is_named and hits / len(values) >= 0.8:
            kind, layout = kind_layout
            reasons.append(f"field {name!r} looks like a time ({layout or kind}), but {len(values) - hits} of "
                           f"{len(values)} sampled values do not read that way: choose its time format")
            if likely is not None:
                likely.append(LikelyTime(name, len(values) - hits, len(values)))
        return None
    kind, layout = kind_layout
    how = {"rfc3339": "RFC 3339 times (the server reads them unaided)",
           "iso8601-no-zone": f"ISO 8601 times without a zone (layout {layout}; read as UTC)",
           "layout": f"times in the layout {layout}"}.get(kind, f"{kind} numbers (the server reads them unaided)")
    reasons.append(f"field {name!r} holds {how}")
    return TimestampGuess(name, kind, layout, str(values[0]), 0.95 if is_named else 0.7)


def guess_timestamp(sample: list, reasons: list[str],
                    likely: list[LikelyTime] | None = None) -> TimestampGuess | None:
    """The time field of the sample and its layout: one that reads every sampled value. When
    events carry `_time`, only `_time` (Axiom refuses a `timestamp-field` beside a `_time`
    field: axiom-py #40)."""
    sample = [e for e in sample if isinstance(e, dict)]
    if not sample:
        return None
    names: list[str] = []
    for event in sample:
        for key in event:
            if key not in names:  # sniff's ragged-row mark holds True: never a time, so never chosen
                names.append(key)
    lower = {n.lower(): n for n in reversed(names)}
    preferred = [lower[p] for p in TIME_FIELD_NAMES if p in lower]
    others = [n for n in names if n not in preferred]
    candidates = preferred + others
    if "_time" in names:
        candidates = ["_time"]
    for name in candidates:
        is_named = name in preferred
        values = [e[name] for e in sample if e.get(name) not in (None, "")]
        if not values:
            continue
        guess = _field_guess(name, values, is_named, reasons, likely)
        if guess is not None:
            return guess
    if candidates == ["_time"]:
        reasons.append("the events carry _time, so no other field is chosen as their time")
    return None
