"""Go layouts as chrono formats (for Vector's parse_timestamp): each reads the same instant."""

from datetime import datetime

import pytest

from app.core.time.strftime import go_layout_to_strftime


@pytest.mark.parametrize("layout, fmt", [
    ("2006-01-02 15:04:05", "%Y-%m-%d %H:%M:%S"),
    ("02/Jan/2006:15:04:05 -0700", "%d/%b/%Y:%H:%M:%S %z"),
    ("Jan _2 15:04:05", "%b %e %H:%M:%S"),
    ("2006-01-02T15:04:05.000-07:00", "%Y-%m-%dT%H:%M:%S%.3f%:z"),
    ("Mon, 02 Jan 2006 15:04:05 MST", "%a, %d %b %Y %H:%M:%S %Z"),
    ("1/2/2006 3:04 PM", "%-m/%-d/%Y %-I:%M %p"),
])
def test_layouts(layout, fmt):
    assert go_layout_to_strftime(layout) == fmt


def test_the_python_subset_reads_the_same_instant():
    fmt = go_layout_to_strftime("02/Jan/2006:15:04:05 -0700")
    assert datetime.strptime("10/Oct/2026:13:55:36 -0700", fmt).isoformat() == "2026-10-10T13:55:36-07:00"


def test_z07_has_no_equivalent():
    assert go_layout_to_strftime("2006-01-02T15:04:05Z07:00") is None
