"""The app's own reading of times Axiom would misread, and the date-order detection."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.time import format_time, guess_timestamp, parse_time
from app.core.time.check import check_times, describe_reading
from app.core.time.civil import NaiveZone
from app.core.time.instant import InstantReader, misread_by_go, needs_client_time
from app.core.time.orders import date_layouts

NEW_YEAR = dt.date(2027, 1, 1)


def read(value, layout=None, zone="UTC", today=NEW_YEAR):
    ns = InstantReader(layout, NaiveZone(zone), today).read(value)
    return None if ns is None else format_time(ns)


@pytest.mark.parametrize(("value", "expected"), [
    ("Dec 31 23:59:59", "2026-12-31T23:59:59Z"),   # read on New Year's Day: last year
    ("Jan  1 00:00:01", "2027-01-01T00:00:01Z"),
    ("Jan  2 00:00:01", "2027-01-02T00:00:01Z"),   # a day ahead: clock skew, this year
    ("Mar  5 10:00:00.25", "2026-03-05T10:00:00.25Z"),
    ("Feb 30 10:00:00", None),
])
def test_syslog_year_across_new_year(value, expected):
    assert read(value, "Jan _2 15:04:05") == expected


def test_the_server_reads_the_same_syslog_date_as_year_0():
    assert parse_time("Dec 31 23:59:59", "Jan _2 15:04:05") is None  # 0000-12-31: outside Axiom's range


@pytest.mark.parametrize(("value", "expected"), [
    ("Tue, 02 Jan 2024 03:04:05 PST", "2024-01-02T11:04:05Z"),
    ("Tue, 02 Jul 2024 03:04:05 PDT", "2024-07-02T10:04:05Z"),
    ("Tue, 02 Jan 2024 03:04:05 CET", "2024-01-02T02:04:05Z"),
    ("Tue, 02 Jan 2024 03:04:05 JST", "2024-01-01T18:04:05Z"),
    ("Tue, 02 Jan 2024 03:04:05 UTC", "2024-01-02T03:04:05Z"),
    ("Tue, 02 Jan 2024 03:04:05 +0530", "2024-01-01T21:34:05Z"),
    ("Tue, 02 Jan 2024 03:04:05 QQQ", None),  # no one knows QQQ: it fails, it is not guessed
])
def test_zone_names(value, expected):
    assert read(value, "Mon, 02 Jan 2006 15:04:05 MST") == expected
    if expected and value.endswith("PST"):
        assert format_time(parse_time(value, "Mon, 02 Jan 2006 15:04:05 MST")) == "2024-01-02T03:04:05Z"  # Go: +00:00


@pytest.mark.parametrize(("value", "layout", "expected"), [
    ("2026-03-29 01:30:00", "2006-01-02 15:04:05", "2026-03-29T00:30:00Z"),   # before the change: CET
    ("2026-03-29 03:30:00", "2006-01-02 15:04:05", "2026-03-29T01:30:00Z"),   # after: CEST
    ("2026-10-25 02:30:00", "2006-01-02 15:04:05", "2026-10-25T00:30:00Z"),   # twice: the first
    ("2026-07-01T12:00:00", None, "2026-07-01T10:00:00Z"),
    ("2026-07-01T12:00:00Z", None, "2026-07-01T12:00:00Z"),                    # has a zone: kept
    ("2026-07-01T12:00:00+01:00", None, "2026-07-01T11:00:00Z"),
    ("1782907200", None, "2026-07-01T12:00:00Z"),                             # an epoch has no zone to move
    (1782907200000, "2006-01-02 15:04:05", "2026-07-01T12:00:00Z"),
])
def test_zone_less_times_in_a_zone_across_dst(value, layout, expected):
    assert read(value, layout, "Europe/Berlin") == expected


def test_which_plans_need_the_app_to_compute_the_time():
    assert misread_by_go("Jan _2 15:04:05") and "year" in misread_by_go("Jan _2 15:04:05")
    assert "zone" in misread_by_go("Mon, 02 Jan 2006 15:04:05 MST")
    assert misread_by_go("2006-01-02 15:04:05") is None and misread_by_go(None) is None
    utc, berlin = NaiveZone(), NaiveZone("Europe/Berlin")
    assert not needs_client_time("2006-01-02 15:04:05", utc)
    assert needs_client_time("2006-01-02 15:04:05", berlin)
    assert not needs_client_time("2006-01-02T15:04:05Z07:00", berlin)  # the values carry their zone
    assert needs_client_time("Jan _2 15:04:05", utc)


@pytest.mark.parametrize(("values", "expected"), [
    (["01.11.2026 08:00", "13.11.2026 09:00"], {"dmy": "02.01.2006 15:04"}),
    (["11/01/2026 08:00:00", "11/13/2026 09:00:00"], {"mdy": "01/02/2006 15:04:05"}),
    (["02/12/2026 14:03", "03/12/2026 14:03"], {"dmy": "02/01/2006 15:04", "mdy": "01/02/2006 15:04"}),
    (["1.2.2026", "13.2.2026"], {"dmy": "2.1.2006"}),
    (["2026/12/02", "2026/12/31"], {"ymd": "2006/01/02"}),
    (["12-Nov-2026", "01-Dec-2026 08:00:00"], {}),                 # the time part differs
    (["12-Nov-2026", "01-Dec-2026"], {"named": "02-Jan-2006"}),
    (["13/13/2026"], {}),                                           # no order reads it
    (["01.11.2026", "01/11/2026"], {}),                             # separators differ
    (["hello"], None),
])
def test_date_orders_from_the_whole_sample(values, expected):
    assert date_layouts(values) == expected


def test_a_guess_never_takes_an_order_both_fit():
    reasons: list[str] = []
    guess = guess_timestamp([{"time": "02/12/2026 14:03"}, {"time": "03/12/2026 14:03"}], reasons)
    assert guess.layout is None and set(guess.orders) == {"dmy", "mdy"}
    assert "day first and month first" in reasons[0]


def test_a_guess_reads_every_sampled_value():
    reasons: list[str] = []
    sample = [{"time": f"2026-01-01T00:00:0{i}Z"} for i in range(9)] + [{"time": "later"}]
    assert guess_timestamp(sample, reasons) is None  # 90 % is not enough
    assert "1 of 10 sampled values do not read" in reasons[0]
    mixed = [{"time": "2026-01-01 00:00:00.5"}, {"time": "2026-01-01 00:00:00.000"}, {"time": "2026-01-01 00:00:01"}]
    guess = guess_timestamp(mixed, [])
    assert all(parse_time(e["time"], guess.layout) is not None for e in mixed)


def test_no_second_time_field_beside_time():
    reasons: list[str] = []
    sample = [{"_time": "not a time", "timestamp": "2026-01-01T00:00:00Z"}] * 3
    assert guess_timestamp(sample, reasons) is None
    assert "no other field is chosen" in reasons[-1]
    assert guess_timestamp([{"_time": "2026-01-01T00:00:00Z", "ts": 1767225600}], []).field == "_time"


def test_check_counts_what_does_not_read_and_shows_the_first_readings():
    sample = [{"t": "2026-11-01 08:00:00"}, {"t": "2026-07-01 08:00:00"}, {"t": "nope"}, {"t": ""}, {}]
    check = check_times(sample, "t", "2006-01-02 15:04:05", NaiveZone("Europe/Berlin"))
    assert (check.total, check.unread, check.bad_example) == (3, 1, "nope")
    assert "does not read for 1 of 3 sampled rows" in check.problem
    assert describe_reading(check.first[0], NaiveZone("Europe/Berlin")) == \
        "'2026-11-01 08:00:00' → 2026-11-01 08:00:00 Europe/Berlin = 2026-11-01 07:00:00 UTC"
    assert check.why_client == "times without a zone are in Europe/Berlin"
    open_order = check_times([{"t": "02/12/2026"}], "t", None, orders=("dmy", "mdy"))
    assert "choose the order" in open_order.problem


@pytest.mark.parametrize(("value", "layout", "expected"), [
    ("2026-07-12 10:00:00 CEST", "2006-01-02 15:04:05 MST", "2026-07-12T08:00:00Z"),
    ("2026-01-12T10:00:00.25 EST", "2006-01-02T15:04:05 MST", "2026-01-12T15:00:00.25Z"),
    ("Mon Jan  5 10:00:00 PST 2026", "Mon Jan _2 15:04:05 MST 2006", "2026-01-05T18:00:00Z"),
])
def test_zone_named_times_are_detected_and_read_by_the_app(value, layout, expected):
    from app.core.time import time_kind

    assert time_kind(value) == ("layout", layout)
    assert misread_by_go(layout)
    assert read(value, layout) == expected
