"""The preview reads every timestamp exactly as it will be stored: the sniff's guess becomes the
plan's timestamp-format, and the server reads each value with app.core.time.parse_time, or, where
it would misread the layout (no year, zone names), the app sends the `_time` time.instant reads."""

from __future__ import annotations

import json

import pytest

from app.core.plan import Plan
from app.core.sniff import sniff_bytes
from app.core.time import parse_time, utc_datetime
from app.core.time.instant import InstantReader
from app.ui.files.preview import read_timestamp, timestamp_tooltip

FIELDS = {
    "rfc3339": ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456789Z"],
    "iso8601-no-zone": ["2024-01-02 03:04:05", "2024-01-02 03:04:06"],
    "fraction": ["2024-01-02T03:04:05.123", "2024-01-02T03:04:05.999"],
    "zone": ["2024-01-02T04:04:05+0100", "2024-01-01T22:04:05-0500"],
    "apache": ["02/Jan/2024:04:04:05 +0100", "02/Jan/2024:03:04:05 +0000"],
    "rfc1123": ["Tue, 02 Jan 2024 03:04:05 GMT", "Tue, 02 Jan 2024 04:04:05 CET"],
    "syslog": ["Jan  2 03:04:05", "Jan 12 03:04:05"],  # no year: the app chooses it (time.civil)
    "slashed": ["25/12/2024 10:00:00", "13/01/2024 10:00:00"],
    "epoch-s": [1704164645, "1704164646"],
    "epoch-ms": [1704164645123, 1704164645999],
    "epoch-ns": [1704164645123456789, 1704164645000000001],
    # Mostly seconds, one value in ms: the server reads each by its magnitude, so does the preview.
    "mixed-units": [1704164645, 1704164646, 1704164647, 1704164648, 1704164649000],
}


def stored_ns(plan, value):
    if plan.client_time:
        return InstantReader(plan.timestamp_format, plan.time_zone).read(value)
    return parse_time(value, plan.timestamp_format)


@pytest.mark.parametrize("name", list(FIELDS))
def test_preview_and_engine_read_the_same_times(name):
    values = FIELDS[name]
    text = "".join(json.dumps({"time": v, "n": i}) + "\n" for i, v in enumerate(values * 3))
    sniff = sniff_bytes(text.encode(), "sample.ndjson")
    assert sniff.timestamp is not None and sniff.timestamp.field == "time", sniff.reasons
    kind, layout = sniff.timestamp.kind, sniff.timestamp.layout
    plan = Plan.from_sniff(sniff)
    for value in values:
        engine = stored_ns(plan, value)  # what gets stored as _time
        assert engine is not None, (value, layout)
        assert read_timestamp(value, layout) == utc_datetime(engine)
        expected = utc_datetime(engine).strftime("%Y-%m-%d %H:%M:%S")
        assert timestamp_tooltip(value, kind, layout).startswith("read as ")
        assert expected in timestamp_tooltip(value, kind, layout)


def test_a_value_the_engine_cannot_read_is_marked_in_the_preview():
    assert parse_time("yesterday", "2006-01-02") is None
    assert read_timestamp("yesterday", "2006-01-02") is None
    assert timestamp_tooltip("yesterday", "layout", "2006-01-02").startswith(
        "cannot be read as the layout 2006-01-02")
