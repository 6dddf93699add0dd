"""Civil time the way people write it in files: a syslog date without a year, a zone written as
a name, a wall time with no zone at all. Axiom's Go parser gets these wrong (year 0, zero
offset, UTC), so the app settles them itself with these rules before sending `_time`.

zoneinfo (and the sysconfig it reads its search path from) loads at the first zone looked up
by name: a plan in UTC, the default, never needs it (issue #15: the CLI's start-up)."""

from __future__ import annotations

import datetime as _dt
import os
import time as _time
from dataclasses import dataclass

_ONE_DAY = _dt.timedelta(days=1)
_UTC = _dt.timezone.utc


def syslog_year(month: int, day: int, today: _dt.date) -> int:
    """The year of a syslog date that has none: this year, or last year when month/day lies more
    than a day ahead of `today` (a December line read in January), as rsyslog and journald
    readers do. A 29 February goes to the latest leap year that is not ahead."""
    year = today.year
    while True:
        try:
            when = _dt.date(year, month, day)
        except ValueError:
            if month == 2 and day == 29 and year > today.year - 8:
                year -= 1
                continue
            raise
        if when - today > _ONE_DAY:
            year -= 1
            continue
        return year


def _fixed(hours: float, name: str) -> _dt.timezone:
    return _dt.timezone(_dt.timedelta(minutes=round(hours * 60)), name)


# Abbreviations as fixed offsets: a written abbreviation already says whether summer time was in
# force (EST vs EDT), so the offset is the abbreviation's, not the zone's on that date.
# Ambiguous ones, and the choice made: CST = US Central (-6, not China +8 or Cuba -5);
# IST = India (+5:30, not Irish Summer +1 or Israel +2); BST = British Summer (+1, not
# Bangladesh +6); AST = Atlantic (-4, not Arabia +3); MST = US Mountain (-7).
_ABBREVIATIONS: dict[str, _dt.tzinfo] = {
    name: _fixed(hours, name) for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
        "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
        "IST": 5.5, "PKT": 5, "ICT": 7, "WIB": 7, "HKT": 8, "SGT": 8, "AWST": 8, "JST": 9,
        "KST": 9, "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    }.items()
}
_UTC_NAMES = {"UTC", "GMT", "Z", "UT", "ZULU", "ETC/UTC", "ETC/GMT", "UCT"}


def zone_for_name(name: str) -> _dt.tzinfo | None:
    """A zone written in a file or typed by a user: UTC/GMT/Z, a common abbreviation (fixed
    offset; see the table for the ambiguous ones), or an IANA name ("Europe/Berlin"). None
    when unknown."""
    text = (name or "").strip()
    if not text:
        return None
    upper = text.upper()
    if upper in _UTC_NAMES:
        return _UTC
    if upper in _ABBREVIATIONS:
        return _ABBREVIATIONS[upper]
    if "/" not in text and not text.isalpha():
        return None
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


class _SystemLocal(_dt.tzinfo):
    """This computer's zone through the C library, for systems with no IANA database to name it
    (DST-aware: the offset is looked up for each instant, not fixed at start-up)."""

    def _offset_at(self, dt: _dt.datetime) -> _dt.timedelta:
        stamp = _time.mktime((dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, 0, 0, -1))
        return _dt.timedelta(seconds=_time.localtime(stamp).tm_gmtoff)

    def utcoffset(self, dt):
        return self._offset_at(dt) if dt is not None else _dt.timedelta(seconds=-_time.timezone)

    def dst(self, dt):
        return _dt.timedelta(0)

    def tzname(self, dt):
        return _time.strftime("%Z", _time.localtime())

    def fromutc(self, dt):
        stamp = (dt.replace(tzinfo=None) - _dt.datetime(1970, 1, 1)).total_seconds()
        return dt + _dt.timedelta(seconds=_time.localtime(stamp).tm_gmtoff)


def local_zone() -> _dt.tzinfo:
    """This computer's zone: $TZ or /etc/localtime as an IANA zone, else the C library's."""
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env:
        zone = zone_for_name(tz_env)
        if zone is not None:
            return zone
    import zoneinfo

    try:
        with open("/etc/localtime", "rb") as fh:
            return zoneinfo.ZoneInfo.from_file(fh, key=local_zone_name())
    except (OSError, ValueError):
        return _SystemLocal()


def local_zone_name() -> str:
    """A name for this computer's zone to show the user ("Europe/Berlin", else its abbreviation)."""
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env:
        return tz_env
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return _time.strftime("%Z", _time.localtime()) or "local"


@dataclass(frozen=True)
class NaiveZone:
    """Which zone times written without one are in: the user's choice (Axiom reads them as UTC).
    `name` is "UTC", "local" (this computer's zone) or a zone name `zone_for_name` knows."""

    name: str = "UTC"

    def __post_init__(self) -> None:
        if self.name != "local" and zone_for_name(self.name) is None:
            raise ValueError(f"unknown time zone {self.name!r} (use UTC, local or a name such as Europe/Berlin)")

    @property
    def is_utc(self) -> bool:
        return self.tzinfo() is _UTC

    def tzinfo(self) -> _dt.tzinfo:
        if self.name == "local":
            return local_zone()
        zone = zone_for_name(self.name)
        assert zone is not None  # checked in __post_init__
        return zone

    def label(self) -> str:
        """How the window and the CLI name the choice."""
        return f"this computer's zone ({local_zone_name()})" if self.name == "local" else self.name

    def attach(self, naive: _dt.datetime) -> _dt.datetime:
        """`naive` read as a wall time in this zone; an aware datetime is returned unchanged.
        A wall time that occurs twice (autumn) is the first; one that a spring-forward skips is
        read with the offset before the change, as zoneinfo's fold=0 does."""
        if naive.tzinfo is not None and naive.utcoffset() is not None:
            return naive
        return naive.replace(tzinfo=self.tzinfo())
