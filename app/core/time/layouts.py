"""Go time layouts (the `timestamp-format` Axiom takes), read the way Go's time.Parse reads them:
reference time Mon Jan 2 15:04:05 -0700 MST 2006."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
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
_INT_KINDS = frozenset({"day", "hour", "minute", "second", "month", "year", "yday"})
# "jan" and "january" (what Go's Jan and January elements read, case-insensitively)
_MONTH_INDEX = {**{n[:3]: i + 1 for i, n in enumerate(_MONTHS)}, **{n: i + 1 for i, n in enumerate(_MONTHS)}}


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


@dataclass
class LayoutFields:
    """What a value said for each element of a layout; None where the layout has no such element."""

    year: int | None = None
    month: int = 1
    day: int = 1
    yday: int | None = None
    hour: int = 0
    minute: int = 0
    second: int = 0
    frac: int = 0
    offset: int | None = None      # seconds east of UTC, from a numeric zone
    zone_name: str | None = None   # a zone abbreviation ("PST"), from the MST element


def match_go_layout(text: str, layout: str) -> LayoutFields | None:
    """The elements of `text` read with a Go layout, or None when it does not match."""
    compiled = compile_go_layout(layout)
    if compiled is None:
        return None
    rx, kinds = compiled
    m = rx.fullmatch(text)
    if not m:
        return None
    f = LayoutFields()
    pm: bool | None = None
    for kind, raw in zip(kinds, m.groups()):
        if raw is None:
            continue
        if kind in _INT_KINDS:  # the common case first; int() takes " 2" as it is
            setattr(f, kind, int(raw))
            continue
        raw = raw.strip()
        if kind == "month_name":
            month = _MONTH_INDEX.get(raw.lower())
            if month is None:
                return None
            f.month = month
        elif kind == "weekday":
            continue
        elif kind == "zone_name":
            if raw[0] in "+-":
                f.offset = offset_seconds(raw.ljust(5, "0"))
            else:
                f.zone_name = raw.upper()
        elif kind == "tz":
            f.offset = offset_seconds(raw)
        elif kind == "year2":
            yy = int(raw)
            f.year = 1900 + yy if yy >= 69 else 2000 + yy
        elif kind == "ampm":
            pm = raw.lower() == "pm"
        elif kind == "frac":
            f.frac = fraction_ns(raw)
        elif kind == "hour12":
            f.hour = int(raw)
        else:
            setattr(f, kind, int(raw))
    if pm is not None:
        if not 1 <= f.hour <= 12:
            return None
        f.hour = f.hour % 12 + (12 if pm else 0)
    return f


def fields_datetime(f: LayoutFields, year: int, tz) -> datetime | None:
    """The wall time of `f` in `year` and zone `tz` (seconds precision), or None when invalid."""
    try:
        if f.yday is not None:
            day0 = datetime(year, 1, 1) + timedelta(days=f.yday - 1)
            return day0.replace(hour=f.hour, minute=f.minute, second=f.second, tzinfo=tz)
        return datetime(year, f.month, f.day, f.hour, f.minute, f.second, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def parse_go_layout(text: str, layout: str) -> int | None:
    """Parse `text` with a Go layout as Go's time.Parse does; nanoseconds since the epoch, or None.

    As Go: what the layout lacks is zero, so a layout without a year gives year 0 (outside
    Axiom's 0001..9999 range: None here); a zone abbreviation other than UTC has a zero offset
    (Go records it in a fabricated location with offset 0: pkg.go.dev/time#Parse)."""
    f = match_go_layout(text, layout)
    if f is None or f.year is None:
        return None
    offset = f.offset if f.offset is not None else 0  # every name (PST, CET …) reads as +00:00
    dt = fields_datetime(f, f.year, timezone(timedelta(seconds=offset)))
    if dt is None:
        return None
    return in_range(datetime_ns(dt, f.frac))
