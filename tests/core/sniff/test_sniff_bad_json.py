"""Text meant as JSON (opening with { or [, or named .json) that does not parse is an error naming
the JSON problem and its line, never a low-confidence CSV guess whose rows would be junk."""

from __future__ import annotations

import json

import pytest

from app.core.sniff import sniff_bytes

ROWS = [{"a": i, "b": "x" * 20} for i in range(3000)]


@pytest.mark.parametrize("text, line", [
    (json.dumps({"meta": {"k": 1}, "data": ROWS}).replace('"a": 7,', '"a": tru,', 1), 1),
    ("\ufeff  \n" + json.dumps(ROWS, indent=1).replace('"a": 7,', '"a": 7,,', 1), 32),  # 1 + [ + 7 elements of 4 lines + 1
    ('{"a": 1,\n "b": [1, 2,\n', 3),  # cut end
])
def test_broken_json_is_an_error_with_its_line(text, line):
    s = sniff_bytes(text.encode(), "x.txt")
    assert s.format is None and s.confidence == 0
    assert s.error.startswith(f"invalid JSON at line {line},"), s.error


def test_a_json_name_means_json():
    s = sniff_bytes(b"a,b\n1,2\n3,4\n", "data.json.gz")
    assert s.error.startswith("invalid JSON at line 1,"), s.error
    assert sniff_bytes(b"a,b\n1,2\n3,4\n", "data.csv").format == "csv"


def test_a_head_cut_inside_big_valid_json_is_not_an_error():
    data = json.dumps({"data": ROWS * 20}).encode()
    s = sniff_bytes(data, "big.json", head_bytes=100_000)
    assert s.error is None and s.format == "json-object"
