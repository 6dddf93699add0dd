"""What a file's count says: every event the upload counts, the ones that will fail and where."""

from __future__ import annotations

import json

from app.core.sniff import sniff_bytes
from app.core.sniff.counts import events_text


def test_ndjson_counts_every_line_and_the_first_that_fails():
    lines = [json.dumps({"n": i}) for i in range(10)]
    lines[3], lines[8] = "not json", "42"
    s = sniff_bytes(("\n".join(lines) + "\n").encode())
    assert (s.estimated_events, s.failing_events, s.first_failing_line) == (10, 2, 4)
    assert events_text(s) == "10 events · 2 will fail (first: line 4)"
    assert events_text(s, as_sniffed=False) == "10 events"


def test_a_csv_row_after_a_multiline_cell_is_found_on_its_own_line():
    s = sniff_bytes(b'n,a,b\n1,"two\nlines",y\n2,x,y\n3,x\n4,x,y\n5,x,y\n')
    assert (s.estimated_events, s.failing_events, s.first_failing_line) == (5, 1, 5)


def test_a_json_array_says_how_many_elements_are_not_objects():
    s = sniff_bytes(json.dumps([{"a": 1}, 2, {"a": 3}, "x", {"a": 5}]).encode())
    assert events_text(s) == "5 events · 2 will fail (not JSON objects)"


def test_a_head_gives_estimates():
    body = "".join((json.dumps({"n": i, "pad": "x" * 200}) if i % 10 else "oops") + "\n" for i in range(20_000))
    s = sniff_bytes(body.encode())
    text = events_text(s)
    assert text.startswith("~") and " · ~" in text and text.endswith("will fail (first: line 1)")
    assert abs(s.failing_events - 2_000) <= 400 and abs(s.estimated_events - 20_000) <= 4_000
