"""preview_rows: the first events re-read with the settings the user changed."""

from __future__ import annotations

from pathlib import Path

from app.core.sniff import RAGGED_KEY, CsvDialect, preview_rows, sniff_path

DATA = Path(__file__).parents[2] / "data" / "sniff"


# --- preview with a dialect the user changed


def test_preview_follows_a_changed_delimiter():
    s = sniff_path(DATA / "csv_pipe.txt")
    assert preview_rows(DATA / "csv_pipe.txt", s, limit=3)[0] == {
        "created_at": "2024-03-01 10:00:00", "name": "item 0", "amount": "0.50"}
    s.csv = CsvDialect(",", '"', True, [])
    rows = preview_rows(DATA / "csv_pipe.txt", s, limit=3)
    assert rows == [{"created_at|name|amount": f"2024-03-01 10:00:0{i}|item {i}|{i}.50"} for i in range(3)]


def test_preview_without_header_and_from_bytes():
    s = sniff_path(DATA / "csv_comma.csv")
    s.csv.has_header = False
    s.csv.fields = ["col1", "col2", "col3", "col4"]
    rows = preview_rows((DATA / "csv_comma.csv").read_bytes(), s, limit=2)
    assert rows[0] == {"col1": "_time", "col2": "host", "col3": "status", "col4": "bytes"}
    assert len(rows) == 2


def test_preview_marks_ragged_rows():
    s = sniff_path(DATA / "csv_ragged.csv")
    rows = preview_rows(DATA / "csv_ragged.csv", s)
    assert [RAGGED_KEY in r for r in rows] == [False, True, True, False, False]
    assert rows[1] == {"a": "4", "b": "5", RAGGED_KEY: True}
    assert rows[2] == {"a": "6", "b": "7", "c": "8", "col4": "9", RAGGED_KEY: True}
    assert s.sample[1][RAGGED_KEY] is True
    assert "4 of 6 rows have 3 fields with ',' (2 ragged rows)" in s.reasons


def test_preview_of_json_formats():
    for name in ("array_pretty.json", "ndjson_basic.ndjson", "utf16le_bom.csv"):
        s = sniff_path(DATA / name)
        assert preview_rows(DATA / name, s, limit=3) == s.sample[:3]
