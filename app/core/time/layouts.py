"""Go time layouts (the `timestamp-format` Axiom takes), read the way Go's time.Parse reads them:
reference time Mon Jan 2 15:04:05 -0700 MST 2006."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from app.core.time.units import datetime_ns, fraction_ns, in_range, offset_seconds

# Go layout chunks (reference time Mon Jan 2 15:04:05 -0700 MST 2006), longest first.
_GO_CHUNKS: list[tuple[str, str, str]] = [
    ("January", "month_name", r"([A-Za-z]+)"), ("Jan", "month_name", r"([A-Za-z]{3})"),
    ("Monday", "weekday", r"([A-Za-z]+)"), ("Mon", "weekday", r"([A-Za-z]{3})"),
    ("MST", "zone_name", r"([A-Za-z]{3,5}|[+-]\d{2,4})"),
    ("2006", "year", r"([+-]?\d{4})"), ("002", "yday", r"(\d{3})"),
    ("01", "month", r"(\d{2})"), ("02", "day", r"(\d{2})"), ("03", "hour12", r"(\d{2})"),
    ("04", "minute", r"(\d{2})"), ("05", "second", r"(\d{2})"), ("06", "year2", r"(\d{2})"),
    ("__2", "yday", r"( {0,2}\d{1,3})"), ("_2", "day", r"( ?\d{1,2})"),
    ("15", "hour", r"(\d{1,2})"), ("1", "month", r"(\d{1,2})"), ("2", "day", r"(\d{1,2})"),
    ("3", "hour12", r"(\d{1,2})"), ("4", "minute", r"(\d{1,2})"), ("5", "second", r"(\d{1,2})"),
    ("PM", "ampm", r"([AaPp][Mm])"), ("pm", "ampm", r"([AaPp][Mm])"),
    ("-07:00:00", "tz", r"([+-]\d{2}:\d{2}:\d{2})"), ("-070000", "tz", r"([+-]\d{6})"),
    ("-07:00", "tz", r"([+-]\d{2}:\d{2})"), ("-0700", "tz", r"([+-]\d{4})"), ("-07", "tz", r"([+-]\d{2})"),
    ("Z07:00:00", "tz", r"(Z|[+-]\d{2}:\d{2}:\d{2})"), ("Z070000", "tz", r"(Z|[+-]\d{6})"),
    ("Z07:00", "tz", r"(Z|[+-]\d{2}:\d{2})"), ("Z0700", "tz", r"(Z|[+-]\d{4})"), ("Z07", "tz", r"(Z|[+-]\d{2})"),
]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
          "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "BST": 1}


@functools.lru_cache(maxsize=64)
def compile_go_layout(layout: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """Translate a Go time layout into a regex and the meaning of each group; None when the
    layout has no recognisable element (then the value is stored as given)."""
    pattern, kinds, i, found = [], [], 0, False
    while i < len(layout):
        c = layout[i]
        if c in ".," and i + 1 < len(layout) and layout[i + 1] in "09":
            j = i + 1
            while j < len(layout) and layout[j] == layout[i + 1]:
                j += 1
            if j >= len(layout) or not layout[j].isdigit():
                digits = j - i - 1
                if layout[i + 1] == "0":
                    pattern.append(rf"[.,](\d{{{digits}}})")
                else:
                    pattern.append(r"(?:[.,](\d+))?")
                kinds.append("frac")
                i, found = j, True
                continue
        for chunk, kind, rx in _GO_CHUNKS:
            if layout.startswith(chunk, i):
                pattern.append(rx)
                kinds.append(kind)
                i += len(chunk)
                found = True
                if kind == "second" and not (i < len(layout) and layout[i] in ".," and
                                             i + 1 < len(layout) and layout[i + 1] in "09"):
                    pattern.append(r"(?:[.,](\d+))?")  # Go accepts a fraction after seconds
                    kinds.append("frac")
                break
        else:
            pattern.append(re.escape(c))
            i += 1
    if not found:
        return None
    return re.compile("".join(pattern), re.IGNORECASE), tuple(kinds)


def parse_go_layout(text: str, layout: str) -> int | None:
    """Parse `text` with a Go layout; nanoseconds since the epoch, or None."""
    compiled = compile_go_layout(layout)
    if compiled is None:
        return None
    rx, kinds = compiled
    m = rx.fullmatch(text)
    if not m:
        return None
    parts: dict[str, Any] = {"year": datetime.now(timezone.utc).year, "month": 1, "day": 1, "hour": 0,
                             "minute": 0, "second": 0, "frac": 0, "tz": 0}
    pm: bool | None = None
    yday = None
    try:
        for kind, raw in zip(kinds, m.groups()):
            if raw is None:
                continue
            raw = raw.strip()
            if kind == "month_name":
                names = [n for n in _MONTHS if n.startswith(raw.lower()) and len(raw) >= 3]
                if not names:
                    return None
                parts["month"] = _MONTHS.index(names[0]) + 1
            elif kind == "weekday":
                continue
            elif kind == "zone_name":
                if raw[0] in "+-":
                    parts["tz"] = offset_seconds(raw.ljust(5, "0"))
                else:
                    parts["tz"] = _ZONES.get(raw.upper(), 0) * 3600
            elif kind == "tz":
                parts["tz"] = offset_seconds(raw)
            elif kind == "year2":
                yy = int(raw)
                parts["year"] = 1900 + yy if yy >= 69 else 2000 + yy
            elif kind == "yday":
                yday = int(raw)
            elif kind == "hour12":
                parts["hour"] = int(raw)
            elif kind == "ampm":
                pm = raw.lower() == "pm"
            elif kind == "frac":
                parts["frac"] = fraction_ns(raw)
            else:
                parts[kind] = int(raw)
        hour = parts["hour"]
        if pm is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if pm else 0)
        tz = timezone(timedelta(seconds=parts["tz"]))
        if yday is not None:
            day0 = datetime(parts["year"], 1, 1, tzinfo=tz) + timedelta(days=yday - 1)
            dt = day0.replace(hour=hour, minute=parts["minute"], second=parts["second"])
        else:
            dt = datetime(parts["year"], parts["month"], parts["day"], hour, parts["minute"],
                          parts["second"], tzinfo=tz)
    except (ValueError, OverflowError):
        return None
    return in_range(datetime_ns(dt, parts["frac"]))
