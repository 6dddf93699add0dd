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


CASES = [
    '{"a": 1}\n{"a": 2}\n\n{"a": 3}\n', '{"a": 1}\r\n{"a": 2}\r\n', '\n\n  {"a": 1}\n{"a": 2}', '{"a": 1}\n   \n',
    '{"a": 1}\n{"a": 2}\n{"a": 3}\n{"a": 4, "b": x}\n', '{"a": 1}\n[1]\n', '{"a": 1}\n\x0c\n', '{\n  "a": 1\n}\n{"b": 2}',
    '{\n  "a": 1,\n  "b": [1, 2]\n}', '{\n  "a": 1,\n  "b": 2,,\n}', '{"a": 1} {"a": 2}\n{"a": 3}', '{"a": 1}', '{"a": ',
]


@pytest.mark.parametrize("block", [1, 2, 5, 9])
def test_lines_read_a_block_at_a_time_say_the_same(monkeypatch, block):
    """The lines of a large paste are split a block at a time (one split of 20 MB held the GIL
    for 45 ms): every block size gives the answer of the whole text split at once."""
    whole = [validate_text(t) for t in CASES]
    monkeypatch.setattr(paste, "LINES_BLOCK", block)
    assert [validate_text(t) for t in CASES] == whole


def test_a_large_ndjson_paste_names_the_line_of_its_first_problem():
    lines = [f'{{"n": {i}, "pad": "{"x" * 60}"}}' for i in range(1, 60_001)]
    lines[45_000] = '{"n": oops}'
    assert validate_text("\n".join(lines)).text().startswith("Line 45001, column 7: unexpected character")
    assert validate_text("\n".join(lines[:45_000]) + "\n").text() == "✓ 45000 events (NDJSON)"
