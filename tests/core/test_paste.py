"""Paste validation (what the text is, where its first problem is) and the paste history store."""

from __future__ import annotations

import pytest

from app.core import paste
from app.core.paste import HistoryEntry, validate_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"a": 1}\n{"a": 2}\n\n{"a": 3}\n', "✓ 3 events (NDJSON)"),
        ('[{"a": 1}, {"b": 2}]', "✓ 2 events (JSON array)"),
        ('{\n  "a": 1,\n  "b": [1, 2]\n}', "✓ 1 event (JSON object)"),
        ('{"a": 1}\n{"a": 2}\n{"a": 3}\n{"a": 4, "b": x}\n', "Line 4, column 15: unexpected character"),
        ('{\n  "a": 1,\n  "b": 2,,\n}', "Line 3, column 10: unexpected character"),
        ('{"a": 1}\n[1]\n', "Line 2, column 1: not a JSON object (each line must be an object)"),
        ("hello", "Line 1, column 1: expected “{” or “[” (a JSON object, an array or NDJSON)"),
        ("[1, 2]", "element 1 of the array is not an object (each event must be an object)"),
    ],
)
def test_validation_messages(text, expected):
    assert validate_text(text).text().startswith(expected)


def test_history_is_trimmed_to_the_newest_entries(tmp_path):
    path = tmp_path / "h.jsonl"
    for i in range(5):
        paste.append_history(HistoryEntry(time=1.0e9 + i, dataset=f"d{i}", profile="p", text="{}"), path, keep=3)
    assert [e.dataset for e in paste.load_history(path)] == ["d4", "d3", "d2"]
    with open(path, "ab") as f:
        f.write(b'{"time": 1, "datas')  # a half-written line after a crash is skipped
    assert len(paste.load_history(path)) == 3


def test_summary_is_one_short_line():
    assert paste.summary('{\n  "a":   1\n}') == '{ "a": 1 }'
    assert len(paste.summary("x " * 200)) == 90 and paste.summary("x " * 200).endswith("…")


def test_a_large_paste_is_listed_without_its_text(tmp_path):
    path = tmp_path / "h.jsonl"
    paste.append_history(HistoryEntry(time=1.0, dataset="d", profile="p", text=None, events=9, size=paste.HISTORY_MAX_TEXT + 1), path)
    (entry,) = paste.load_history(path)
    assert entry.text is None and entry.events == 9
