"""Detecting a time field and its timestamp-format, and that every detected layout reads back
with the same reader the server uses."""

from __future__ import annotations

import pytest

from app.core.time import TIME_FIELD_NAMES, guess_timestamp, parse_time, time_kind
from app.core.time.instant import InstantReader

SAMPLES = [
    ("2024-01-02T03:04:05Z", "rfc3339", None),
    ("2024-01-02 03:04:05", "iso8601-no-zone", "2006-01-02 15:04:05"),
    ("2024-01-02T03:04:05.123", "iso8601-no-zone", "2006-01-02T15:04:05"),
    ("2024-01-02T04:04:05+0100", "layout", "2006-01-02T15:04:05Z0700"),
    ("2024-01-02", "layout", "2006-01-02"),
    ("02/Jan/2024:04:04:05 +0100", "layout", "02/Jan/2006:15:04:05 -0700"),
    ("Tue, 02 Jan 2024 03:04:05 GMT", "layout", "Mon, 02 Jan 2006 15:04:05 MST"),
    ("25/12/2024 10:00:00", "layout", "02/01/2006 15:04:05"),
]


@pytest.mark.parametrize("value,kind,layout", SAMPLES)
def test_time_kind_and_its_layout_reads_back(value, kind, layout):
    assert time_kind(value) == (kind, layout)
    assert parse_time(value, layout) is not None


def test_a_layout_without_a_year_is_misread_by_the_server_and_read_by_the_app():
    assert time_kind("Jan  2 03:04:05") == ("layout", "Jan _2 15:04:05")
    assert parse_time("Jan  2 03:04:05", "Jan _2 15:04:05") is None  # Go: year 0
    assert InstantReader("Jan _2 15:04:05").read("Jan  2 03:04:05") is not None


@pytest.mark.parametrize("value", ["2024-02-30T00:00:00Z", "hello world", "12345678", "99/99/2024 10:00:00"])
def test_not_a_time_kind(value):
    assert time_kind(value) is None


def test_guess_prefers_time_names_and_says_why():
    reasons: list[str] = []
    sample = [{"id": 1704164645 + i, "when": "2024-01-02T03:04:05Z", "ts": 1704164645000 + i} for i in range(5)]
    guess = guess_timestamp(sample, reasons)
    assert "ts" in TIME_FIELD_NAMES
    assert (guess.field, guess.kind, guess.layout, guess.confidence) == ("ts", "epoch-ms", None, 0.95)
    assert reasons == ["field 'ts' holds epoch-ms numbers (the server reads them unaided)"]


def test_guess_skips_non_objects_and_durations():
    assert guess_timestamp([1, "x", [2]], []) is None
    assert guess_timestamp([{"time": 0.25}, {"time": 1.5}], []) is None
