"""The instant a written time means, read by the app where Axiom's Go parser would misread it.

Go's time.Parse fills what a layout lacks with zero (a syslog date lands in year 0), gives zone
abbreviations other than UTC a zero offset, and Axiom reads zone-less times as UTC. When a plan's
layout or the user's zone choice meets one of these, the app reads each value itself (this
module) and sends `_time` as RFC 3339 (batching/timefix.py)."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

from app.core.time.civil import NaiveZone, syslog_year, zone_for_name
from app.core.time.layouts import compile_go_layout, fields_datetime, match_go_layout
from app.core.time.parse import NUMERIC_RE, parse_time
from app.core.time.units import datetime_ns, in_range, utc_datetime

_HAS_ZONE = re.compile(r"(Z|z|UTC|GMT|[+-]\d{2}(:?\d{2})?)$")


def layout_kinds(layout: str) -> set[str]:
    compiled = compile_go_layout(layout)
    return set(compiled[1]) if compiled else set()


def misread_by_go(layout: str | None) -> str | None:
    """Why Axiom would misread values in `layout` (None when it reads them right)."""
    if not layout:
        return None
    kinds = layout_kinds(layout)
    if not kinds:
        return None
    if not kinds & {"year", "year2"}:
        return "the layout has no year (Axiom's Go parser reads year 0)"
    if "zone_name" in kinds:
        return "the values name their zone (Axiom's Go parser gives names other than UTC a zero offset)"
    return None


def has_zone(layout: str | None) -> bool:
    return bool(layout_kinds(layout or "") & {"tz", "zone_name"})


def needs_client_time(layout: str | None, zone: NaiveZone) -> bool:
    """Whether the app computes `_time` itself: Go would misread the layout, or zone-less
    values are in a zone other than UTC."""
    if misread_by_go(layout):
        return True
    return not zone.is_utc and not has_zone(layout)


@dataclass
class InstantReader:
    """Reads a time field's values as the user means them: `layout` (a Go layout, or None for
    RFC 3339 / ISO 8601 / epochs), zone-less values in `zone`, a missing year by the syslog rule
    relative to `today`."""

    layout: str | None
    zone: NaiveZone = field(default_factory=NaiveZone)
    today: _dt.date = field(default_factory=_dt.date.today)

    def __post_init__(self) -> None:
        self._tz = self.zone.tzinfo()
        self._years: dict[tuple[int, int], int | None] = {}  # (month, day) → the syslog year
        self._memo: dict[str, int | None] = {}
        kinds = layout_kinds(self.layout or "")
        self._dateless = not kinds & {"month", "month_name", "day"}

    def read(self, value: Any) -> int | None:
        """ns since the epoch, or None when the value does not read."""
        if self.layout and isinstance(value, str) and compile_go_layout(self.layout) is not None:
            # Log lines share their second: remember the last few thousand values read.
            if value in self._memo:
                return self._memo[value]
            if len(self._memo) >= 4096:
                self._memo.clear()
            ns = self._memo[value] = self._read_layout(value.strip())
            return ns
        ns = parse_time(value, self.layout)
        if ns is None or not isinstance(value, str) or self._tz is _dt.timezone.utc:
            return ns
        text = value.strip()
        if NUMERIC_RE.fullmatch(text) or _HAS_ZONE.search(text) or has_zone(self.layout):
            return ns
        wall = utc_datetime(ns).replace(tzinfo=None)  # read as UTC: the same wall time in the zone
        moved = self.zone.attach(wall)
        return in_range(ns + (datetime_ns(moved) - datetime_ns(wall.replace(tzinfo=_dt.timezone.utc))))

    def _read_layout(self, text: str) -> int | None:
        f = match_go_layout(text, self.layout or "")
        if f is None:
            if NUMERIC_RE.fullmatch(text):  # Axiom reads a number as an epoch whatever the layout
                return parse_time(text)
            return None
        year = f.year
        if year is None:
            if f.yday is not None or self._dateless:
                return None  # no date at all: nothing to anchor a year to
            key = (f.month, f.day)
            if key not in self._years:
                try:
                    self._years[key] = syslog_year(f.month, f.day, self.today)
                except ValueError:
                    self._years[key] = None
            year = self._years[key]
            if year is None:
                return None
        if f.offset is not None:
            tz: _dt.tzinfo | None = _dt.timezone(_dt.timedelta(seconds=f.offset))
        elif f.zone_name is not None:
            tz = zone_for_name(f.zone_name)
            if tz is None:
                return None  # an abbreviation no one can place: say so rather than guess
        else:
            tz = None
        wall = fields_datetime(f, year, tz or self._tz)  # zone-less: the user's zone (NaiveZone)
        if wall is None:
            return None
        return in_range(datetime_ns(wall, f.frac))
