"""Reading a time: the server's strict reader, the uploader's lenient one, and writing it back."""

from __future__ import annotations

import pytest

from app.core.time import epoch_unit, format_time, parse_time, to_epoch_ns, utc_datetime

T = 1704164645  # 2024-01-02T03:04:05Z


@pytest.mark.parametrize("value,layout,ns", [
    ("2024-01-02T03:04:05Z", None, T * 10**9),
    ("2024-01-02T04:04:05.5+01:00", None, T * 10**9 + 500_000_000),
    ("2024-01-02T03:04:05.123456789123Z", None, T * 10**9 + 123_456_789),
    (T, None, T * 10**9),
    (T * 1000 + 7, None, T * 10**9 + 7_000_000),
    ("1704164645123456", None, T * 10**9 + 123_456_000),
    (1.5, None, 1_500_000_000),
    ("2024-01-02 03:04:05", "2006-01-02 15:04:05", T * 10**9),
    ("02/Jan/2024:04:04:05 +0100", "02/Jan/2006:15:04:05 -0700", T * 10**9),
    ("Tue, 02 Jan 2024 03:04:05 GMT", "Mon, 02 Jan 2006 15:04:05 MST", T * 10**9),
    ("1704164645", "2006-01-02", T * 10**9),  # a number that misses the layout: an epoch
])
def test_parse_time(value, layout, ns):
    assert parse_time(value, layout) == ns


@pytest.mark.parametrize("value", [None, True, "", "soon", "2024-13-01T00:00:00Z", float("inf"), float("nan"),
                                   "10000-01-01T00:00:00Z", {"t": 1}])
def test_what_is_not_a_time(value):
    assert parse_time(value) is None


def test_layout_without_elements_reads_nothing():
    assert parse_time("2024-01-02", "no layout here") is None


def test_lenient_reader_agrees_on_units():
    assert to_epoch_ns(T) == to_epoch_ns(T * 1000) == to_epoch_ns(str(T)) == T * 10**9
    assert to_epoch_ns("2024-01-02T03:04:05.123456789Z") == T * 10**9 + 123_456_789
    assert to_epoch_ns("x") is None and to_epoch_ns(False) is None
    assert [epoch_unit(10**n) for n in (10, 11, 14, 17)] == ["s", "ms", "us", "ns"]


def test_format_and_back():
    assert format_time(T * 10**9) == "2024-01-02T03:04:05Z"
    assert format_time(T * 10**9 + 120_000_000) == "2024-01-02T03:04:05.12Z"
    assert parse_time(format_time(T * 10**9 + 1)) == T * 10**9 + 1
    assert utc_datetime(T * 10**9 + 123_456_789).isoformat() == "2024-01-02T03:04:05.123456+00:00"
