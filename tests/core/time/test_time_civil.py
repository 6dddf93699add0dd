"""The civil-time rules: a syslog date's year, zone names, and the zone of zone-less times."""

import datetime as dt
import time

import pytest

from app.core.time.civil import NaiveZone, syslog_year, zone_for_name


@pytest.mark.parametrize(("month", "day", "today", "year"), [
    (12, 31, dt.date(2027, 1, 1), 2026),   # read on New Year's Day: last year's line
    (1, 1, dt.date(2026, 12, 31), 2026),   # January line read in December: this year
    (1, 2, dt.date(2027, 1, 1), 2027),     # a day ahead (clock skew): still this year
    (1, 3, dt.date(2027, 1, 1), 2026),     # more than a day ahead: last year
    (6, 15, dt.date(2026, 6, 15), 2026),
    (2, 29, dt.date(2027, 3, 1), 2024),    # no 29 February in 2027 or 2026... latest leap year
    (2, 29, dt.date(2028, 3, 1), 2028),
])
def test_syslog_year(month, day, today, year):
    assert syslog_year(month, day, today) == year


def test_syslog_year_rejects_impossible_dates():
    with pytest.raises(ValueError):
        syslog_year(4, 31, dt.date(2026, 5, 1))


@pytest.mark.parametrize(("name", "hours"), [
    ("UTC", 0), ("gmt", 0), ("Z", 0), ("EST", -5), ("EDT", -4), ("PST", -8), ("PDT", -7),
    ("CET", 1), ("CEST", 2), ("JST", 9), ("AEST", 10), ("AEDT", 11), ("IST", 5.5), ("CST", -6),
    ("BST", 1), ("HST", -10), ("AKST", -9),
])
def test_zone_abbreviations_are_fixed_offsets(name, hours):
    zone = zone_for_name(name)
    summer = dt.datetime(2026, 7, 1, 12)
    winter = dt.datetime(2026, 1, 1, 12)
    assert zone.utcoffset(summer) == zone.utcoffset(winter) == dt.timedelta(hours=hours)


def test_iana_names_follow_summer_time():
    berlin = zone_for_name("Europe/Berlin")
    assert berlin.utcoffset(dt.datetime(2026, 1, 15, 12)) == dt.timedelta(hours=1)
    assert berlin.utcoffset(dt.datetime(2026, 7, 15, 12)) == dt.timedelta(hours=2)


@pytest.mark.parametrize("name", ["", "XYZT", "Mars/Olympus", "../etc/passwd", "+0200"])
def test_unknown_zone_names(name):
    assert zone_for_name(name) is None


def test_naive_zone_defaults_to_utc():
    assert NaiveZone().attach(dt.datetime(2026, 11, 1, 8)) == dt.datetime(2026, 11, 1, 8, tzinfo=dt.timezone.utc)
    assert NaiveZone().is_utc


def test_naive_zone_named_across_dst():
    zone = NaiveZone("Europe/Berlin")
    winter = zone.attach(dt.datetime(2026, 11, 1, 8))
    summer = zone.attach(dt.datetime(2026, 10, 24, 8))
    assert winter.astimezone(dt.timezone.utc).hour == 7
    assert summer.astimezone(dt.timezone.utc).hour == 6
    # 02:30 on 25 October 2026 happens twice in Berlin: the first (still summer time)
    twice = zone.attach(dt.datetime(2026, 10, 25, 2, 30))
    assert twice.astimezone(dt.timezone.utc) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.timezone.utc)


def test_naive_zone_leaves_aware_times_alone():
    aware = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert NaiveZone("America/New_York").attach(aware) is aware


def test_naive_zone_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown time zone"):
        NaiveZone("Nowhere/Special")


def test_local_zone_is_this_computers(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        zone = NaiveZone("local")
        assert "America/New_York" in zone.label()
        assert zone.attach(dt.datetime(2026, 7, 1, 12)).utcoffset() == dt.timedelta(hours=-4)
        assert zone.attach(dt.datetime(2026, 1, 1, 12)).utcoffset() == dt.timedelta(hours=-5)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_local_zone_without_a_name_uses_the_c_library(monkeypatch):
    from app.core.time import civil
    monkeypatch.setenv("TZ", "EST+5EDT,M3.2.0/2,M11.1.0/2")  # POSIX rule, no IANA name
    time.tzset()
    monkeypatch.setattr(civil, "open", lambda *a, **k: (_ for _ in ()).throw(OSError()), raising=False)
    try:
        zone = civil.local_zone()
        assert zone.utcoffset(dt.datetime(2026, 7, 1, 12)) == dt.timedelta(hours=-4)
        assert zone.utcoffset(dt.datetime(2026, 1, 1, 12)) == dt.timedelta(hours=-5)
        back = dt.datetime(2026, 7, 1, 16, tzinfo=dt.timezone.utc).astimezone(zone)
        assert back.hour == 12
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_wall_time_skipped_by_spring_forward_keeps_the_offset_before_the_change():
    skipped = NaiveZone("Europe/Berlin").attach(dt.datetime(2026, 3, 29, 2, 30))  # 02:00 → 03:00
    assert skipped.astimezone(dt.timezone.utc) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone.utc)
