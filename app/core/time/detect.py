"""Which field of the first events holds their time, and in which timestamp-format: the kinds
Axiom reads unaided (RFC 3339, epochs by magnitude) and the Go layout to send for the others."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$")
_ISO_ZONE_OTHER = re.compile(r"^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.(\d+))?(Z|[+-]\d{2}:?\d{2})$")
_ISO_NO_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.(\d+))?$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_APACHE = re.compile(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$")
_RFC1123 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} ([A-Z]{3,4}|[+-]\d{4})$")
_SYSLOG = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}$")
_SLASHED = re.compile(r"^(\d{2})/(\d{2})/\d{4} \d{2}:\d{2}:\d{2}$")
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
            frac = m.group(3)
            return "iso8601-no-zone", f"2006-01-02{m.group(1)}15:04:05" + ("." + "0" * len(frac) if frac else "")
        m = _ISO_ZONE_OTHER.match(v)
        if m:
            zone = m.group(4)
            frac = m.group(3)
            zlayout = "Z07:00" if ":" in zone or zone == "Z" else "Z0700"
            return "layout", f"2006-01-02{m.group(1)}15:04:05" + ("." + "0" * len(frac) if frac else "") + zlayout
        if _DATE_ONLY.match(v):
            return ("layout", "2006-01-02") if _valid(v, "%Y-%m-%d") else None
        if _APACHE.match(v):
            return ("layout", "02/Jan/2006:15:04:05 -0700") if _valid(v[:20], "%d/%b/%Y:%H:%M:%S") else None
        m = _SLASHED.match(v)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a <= 12 and 1 <= b <= 31:
                return "layout", "01/02/2006 15:04:05"
            if b <= 12 and 1 <= a <= 31:
                return "layout", "02/01/2006 15:04:05"
        return None
    if _RFC1123.match(v):
        if not _valid(v[5:25], "%d %b %Y %H:%M:%S"):
            return None
        return "layout", "Mon, 02 Jan 2006 15:04:05 -0700" if v[-5] in "+-" else "Mon, 02 Jan 2006 15:04:05 MST"
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


def guess_timestamp(sample: list, reasons: list[str]) -> TimestampGuess | None:
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
    for name in preferred + others:
        is_named = name in preferred
        values = [e[name] for e in sample if e.get(name) not in (None, "")]
        if not values:
            continue
        kinds = Counter(value_kind(v, is_named) for v in values)
        (kind_layout, hits), = kinds.most_common(1)
        if kind_layout is None:
            continue
        share = hits / len(values)
        if share < (0.8 if is_named else 1.0):
            continue
        kind, layout = kind_layout
        example = next(str(v) for v in values if value_kind(v, is_named) == kind_layout)
        conf = share * (0.95 if is_named else 0.7)
        how = {"rfc3339": "RFC 3339 times (the server reads them unaided)",
               "iso8601-no-zone": f"ISO 8601 times without a zone (layout {layout}; read as UTC)",
               "layout": f"times in the layout {layout}"}.get(kind, f"{kind} numbers (the server reads them unaided)")
        if kinds[kind_layout] < len(values):
            how += f"; {len(values) - hits} of {len(values)} values differ"
        reasons.append(f"field {name!r} holds {how}")
        return TimestampGuess(name, kind, layout, example, round(conf, 2))
    return None
