"""Dates written with numbers in either order (01.11.2026, 02/12/2026 14:03), year-first
(2026/12/02) or with a month name (12-Nov-2026), decided from every sampled value at once:
one value past 12 settles the order for all; when every value fits both, the user is asked."""

from __future__ import annotations

import re
from datetime import date

_NUMERIC = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:([ T])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?")
_YEAR_FIRST = re.compile(r"(\d{4})([./])(\d{1,2})\2(\d{1,2})(?:([ T])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?")
_MONTH_NAME = re.compile(r"(\d{1,2})([- ])([A-Za-z]{3})\2(\d{4})(?:([ T:])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?")
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

ORDER_NAMES = {"dmy": "day first", "mdy": "month first"}


def _clock(matches: list[re.Match], at: int) -> str | None:
    """The layout of the time part shared by every value ("" for none), or None when they differ."""
    shapes = {(m.group(at), m.group(at + 3) is not None) if m.group(at) else None for m in matches}
    if len(shapes) != 1:
        return None
    shape = shapes.pop()
    if shape is None:
        return ""
    sep, seconds = shape
    return f"{sep}15:04" + (":05" if seconds else "")  # Go reads any fraction after the seconds


def _ok(y: int, m: int, d: int, hour: str | None) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return hour is None or int(hour) < 24


def date_layouts(values: list[str]) -> dict[str, str] | None:
    """{order: Go layout} for the orders that read every value ("dmy", "mdy"; "ymd" for year-first,
    "named" for a month name), {} when the values are such dates but no order reads them all, or
    None when they are not dates of these shapes."""
    if not values:
        return None
    for rx, kind in ((_NUMERIC, "numeric"), (_YEAR_FIRST, "ymd"), (_MONTH_NAME, "named")):
        matches = [rx.fullmatch(v) for v in values]
        if not all(matches):
            continue
        ms = [m for m in matches if m]
        seps = {m.group(2) for m in ms}
        clock = _clock(ms, 5)
        if len(seps) != 1 or clock is None:
            return {}
        sep = seps.pop()
        wide = all(len(m.group(1)) == 2 and len(m.group(3)) == 2 for m in ms)
        if kind == "ymd":
            wide = all(len(m.group(3)) == 2 and len(m.group(4)) == 2 for m in ms)
            if all(_ok(int(m.group(1)), int(m.group(3)), int(m.group(4)), m.group(6)) for m in ms):
                mo, d = ("01", "02") if wide else ("1", "2")
                return {"ymd": f"2006{sep}{mo}{sep}{d}{clock}"}
            return {}
        if kind == "named":
            day = "02" if all(len(m.group(1)) == 2 for m in ms) else "2"
            if all(m.group(3).lower() in _MONTHS and
                   _ok(int(m.group(4)), _MONTHS.index(m.group(3).lower()) + 1, int(m.group(1)), m.group(6))
                   for m in ms):
                return {"named": f"{day}{sep}Jan{sep}2006{clock}"}
            return {}
        d, mo = ("02", "01") if wide else ("2", "1")
        out = {}
        if all(_ok(int(m.group(4)), int(m.group(3)), int(m.group(1)), m.group(6)) for m in ms):
            out["dmy"] = f"{d}{sep}{mo}{sep}2006{clock}"
        if all(_ok(int(m.group(4)), int(m.group(1)), int(m.group(3)), m.group(6)) for m in ms):
            out["mdy"] = f"{mo}{sep}{d}{sep}2006{clock}"
        return out
    return None
