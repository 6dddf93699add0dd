"""The clock reads each second of a syslog, access-log or naive ISO minute by splicing it into the minute's
text: it must give what reading that second on its own gives, on the days the offset changes too
(Berlin's hour, Lord Howe's half hour) and for seconds that are no time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.textlog.clock import Clock, _offset
from app.core.time.civil import syslog_year
from app.core.textlog.timestamps import MONTHS


def _alone(zone: str, today: date, month: int, day: int, hh: int, mm: int, ss: int) -> str | None:
    try:
        naive = datetime(syslog_year(month, day, today), month, day, hh, mm, ss)
    except ValueError:
        return None
    aware = naive.replace(tzinfo=ZoneInfo(zone))
    return aware.strftime("%Y-%m-%dT%H:%M:%S") + _offset(aware.utcoffset())


@pytest.mark.parametrize("zone, day", [("Europe/Berlin", date(2026, 3, 29)), ("Europe/Berlin", date(2026, 10, 25)),
                                       ("Australia/Lord_Howe", date(2026, 4, 5)),
                                       ("Australia/Lord_Howe", date(2026, 10, 4))])
def test_every_second_of_a_day_the_offset_changes_reads_as_on_its_own(zone, day):
    clock, today = Clock(zone, date(2026, 12, 3)), date(2026, 12, 3)
    mon = MONTHS[day.month - 1]
    for s in range(0, 86400, 7):  # every 7th second: all minutes, all second digits
        hh, mm, ss = s // 3600, s // 60 % 60, s % 60
        text = f"{mon} {day.day:2d} {hh:02d}:{mm:02d}:{ss:02d}"
        assert clock.rfc3339("syslog", text) == _alone(zone, today, day.month, day.day, hh, mm, ss), text


@pytest.mark.parametrize("text, expected", [
    ("Dec  1 10:00:59", "2026-12-01T10:00:59+01:00"), ("Dec  1 10:00:60", None), ("Feb 30 10:00:01", None),
    ("Dec  1 24:00:00", None)])
def test_syslog_seconds_and_days_that_are_no_time(text, expected):
    assert Clock("Europe/Berlin", date(2026, 12, 3)).rfc3339("syslog", text) == expected


@pytest.mark.parametrize("text, expected", [
    ("01/Dec/2026:10:00:01 +0100", "2026-12-01T10:00:01+01:00"), ("01/Dec/2026:10:00:59 -0000", "2026-12-01T10:00:59Z"),
    ("01/Dec/2026:10:00:60 +0100", None), ("31/Nov/2026:10:00:01 +0100", None), ("01/Dec/2026:25:00:01 +0100", None)])
def test_access_log_seconds_that_are_no_time(text, expected):
    clock = Clock("Europe/Berlin", date(2026, 12, 3))
    assert clock.rfc3339("apache", "01/Dec/2026:10:00:00 +0100") == "2026-12-01T10:00:00+01:00"  # the minute first
    assert clock.rfc3339("apache", text) == expected


@pytest.mark.parametrize("zone, day", [("Europe/Berlin", date(2026, 3, 29)), ("Europe/Berlin", date(2026, 10, 25)),
                                       ("Australia/Lord_Howe", date(2026, 4, 5))])
def test_every_second_of_a_naive_iso_day_the_offset_changes_reads_as_on_its_own(zone, day):
    clock = Clock(zone, date(2026, 12, 3))
    for s in range(0, 86400, 7):
        hh, mm, ss = s // 3600, s // 60 % 60, s % 60
        alone = _alone(zone, day, day.month, day.day, hh, mm, ss)
        frac = ",5" if s % 2 else ""
        expected = alone[:19] + frac.replace(",", ".") + alone[19:]
        assert clock.rfc3339("iso-naive", f"{day.isoformat()} {hh:02d}:{mm:02d}:{ss:02d}{frac}") == expected
        assert clock.rfc3339("slashed", f"{day.isoformat().replace('-', '/')} {hh:02d}:{mm:02d}:{ss:02d}") == alone


def test_a_minute_whose_offset_changes_at_a_second_reads_each_second_on_its_own():
    clock = Clock("Africa/Monrovia", date(2026, 12, 3))  # -0:44:30 until 1972-01-07 00:44:30 local
    got = [clock.rfc3339("iso-naive", f"1972-01-07 00:44:{ss:02d}") for ss in range(60)]
    assert got == [_alone("Africa/Monrovia", date(1972, 1, 7), 1, 7, 0, 44, ss) for ss in range(60)]
    assert got[29].endswith("-00:45") and got[30].endswith(":30Z")


@pytest.mark.parametrize("text, expected", [
    ("2026-12-01 10:00:59", "2026-12-01T10:00:59+01:00"), ("2026-12-01 10:00:60", None),
    ("2026-02-30 10:00:01", None), ("2026-12-01 24:00:00", None), ("2026-12-01 10:60:00", None),
    ("2026-12-01 10:00:0x", None), ("2026-12-01 10:00:5", None)])
def test_naive_iso_seconds_and_days_that_are_no_time(text, expected):
    clock = Clock("Europe/Berlin", date(2026, 12, 3))
    clock.rfc3339("iso-naive", text[:17] + "00")  # the minute read first: its second 60 must still be none
    assert clock.rfc3339("iso-naive", text) == expected
