"""Sniffing: what the user sees about an input before sending it (format, encoding, dialect,
timestamp, estimate), checked over a corpus of small files in tests/data/sniff/."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.io import SourceError, open_raw
from app.core.sniff import sniff_bytes, sniff_path

DATA = Path(__file__).parents[2] / "data" / "sniff"

# file, format, encoding, delimiter, has_header, (ts field, kind, layout), events
CASES = [
    ("ndjson_basic.ndjson", "ndjson", "utf-8", None, None, ("_time", "rfc3339", None), 12),
    ("ndjson_blank_crlf.ndjson", "ndjson", "utf-8", None, None, ("timestamp", "epoch-ms", None), 8),
    ("ndjson_many.ndjson", "ndjson", "utf-8", None, None, ("ts", "epoch-s", None), 80),
    ("array_pretty.json", "json-array", "utf-8", None, None, ("time", "iso8601-no-zone", "2006-01-02 15:04:05"), 5),
    ("array_empty.json", "json-array", "utf-8", None, None, None, 0),
    ("array_many.json", "json-array", "utf-8", None, None,
     ("datetime", "iso8601-no-zone", "2006-01-02T15:04:05"), 60),
    ("object_pretty.json", "json-object", "utf-8", None, None, ("_time", "rfc3339", None), 1),
    ("csv_comma.csv", "csv", "utf-8", ",", True, ("_time", "rfc3339", None), 10),
    ("csv_semicolon.csv", "csv", "utf-8", ";", True, ("date", "layout", None), 10),  # 03/01: either order
    ("tsv_tab.tsv", "csv", "utf-8", "\t", True, ("timestamp", "iso8601-no-zone", "2006-01-02T15:04:05"), 10),
    ("csv_pipe.txt", "csv", "utf-8", "|", True, ("created_at", "iso8601-no-zone", "2006-01-02 15:04:05"), 10),
    ("csv_quoted.csv", "csv", "utf-8", ",", True, ("time", "rfc3339", None), 5),
    ("csv_header_time_digit_hash.csv", "csv", "utf-8", ",", True, ("_time", "rfc3339", None), 10),
    ("csv_header_digit.csv", "csv", "utf-8", ",", True, ("1st_seen", "epoch-s", None), 10),
    ("csv_header_hash.csv", "csv", "utf-8", ",", True, ("ts", "epoch-us", None), 10),
    ("csv_no_header.csv", "csv", "utf-8", ",", False, ("col1", "rfc3339", None), 10),
    ("csv_ragged.csv", "csv", "utf-8", ",", True, None, 5),
    ("utf8_bom.csv", "csv", "utf-8-sig", ",", True, ("_time", "rfc3339", None), 6),
    ("utf16le_bom.csv", "csv", "utf-16-le", ",", True, ("timestamp", "rfc3339", None), 6),
    ("utf16be_bom.ndjson", "ndjson", "utf-16-be", None, None, ("time", "rfc3339", None), 5),
    ("utf16le_nobom.ndjson", "ndjson", "utf-16-le", None, None, ("_time", "rfc3339", None), 4),
    ("cp1252.csv", "csv", "cp1252", ";", True, None, 10),
    ("utf8_multibyte.ndjson", "ndjson", "utf-8", None, None, ("_time", "rfc3339", None), 20),
    ("ts_apache.ndjson", "ndjson", "utf-8", None, None, ("time", "layout", "02/Jan/2006:15:04:05 -0700"), 5),
    ("ts_rfc1123.ndjson", "ndjson", "utf-8", None, None, ("date", "layout", "Mon, 02 Jan 2006 15:04:05 MST"), 5),
    ("ts_syslog.csv", "csv", "utf-8", ",", True, ("time", "layout", "Jan _2 15:04:05"), 9),
    ("ts_epoch_ns.ndjson", "ndjson", "utf-8", None, None, ("ts", "epoch-ns", None), 5),
    ("ts_any_field.ndjson", "ndjson", "utf-8", None, None, ("when", "rfc3339", None), 5),
]

NOT_DATA = [
    ("empty.json", "the file is empty"),
    ("whitespace.ndjson", "it holds only whitespace"),
    ("image.png", "it is a PNG image"),
    ("random.bin", "it holds binary data (11% control bytes)"),
    ("objects_concatenated.json", "it holds 3 JSON objects one after another"),
]


def check_case(s, fmt, encoding, delimiter, has_header, ts, events):
    assert s.error is None, s.error
    assert s.format == fmt, s.reasons
    assert s.encoding == encoding
    assert s.confidence >= 0.6 and s.reasons
    if fmt == "csv":
        assert s.csv is not None
        assert s.csv.delimiter == delimiter
        assert s.csv.has_header is has_header
    else:
        assert s.csv is None
    if ts is None:
        assert s.timestamp is None
    else:
        assert s.timestamp is not None, s.reasons
        assert (s.timestamp.field, s.timestamp.kind, s.timestamp.layout) == ts
        assert s.timestamp.example
    assert s.estimated_events == events
    assert len(s.sample) == min(events, 50)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_corpus(case):
    name, *expected = case
    s = sniff_path(DATA / name)
    check_case(s, *expected)
    assert s.compression is None
    assert s.size == (DATA / name).stat().st_size
    assert s.head_is_whole


COMPRESSIBLE = [c for c in CASES if c[0] in (
    "ndjson_blank_crlf.ndjson", "array_pretty.json", "object_pretty.json", "csv_semicolon.csv",
    "csv_quoted.csv", "utf8_bom.csv", "utf16le_bom.csv", "cp1252.csv")]


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
@pytest.mark.parametrize("case", COMPRESSIBLE, ids=[c[0] for c in COMPRESSIBLE])
def test_compressed_variants(case, compression, tmp_path):
    name, *expected = case
    raw = (DATA / name).read_bytes()
    packed = gzip.compress(raw) if compression == "gzip" else zstandard.ZstdCompressor().compress(raw)
    target = tmp_path / name  # keeps the plain extension: compression is found by magic bytes
    target.write_bytes(packed)
    s = sniff_path(target)
    check_case(s, *expected)
    assert s.compression == compression
    assert f"{compression}-compressed (by its magic bytes)" in s.reasons


def test_extension_does_not_decide_compression(tmp_path):
    target = tmp_path / "events.ndjson.gz"
    shutil.copy(DATA / "ndjson_basic.ndjson", target)
    s = sniff_path(target)
    assert s.compression is None and s.format == "ndjson"


def test_concatenated_gzip_members(tmp_path):
    raw = (DATA / "ndjson_many.ndjson").read_bytes()
    half = raw.index(b"\n", len(raw) // 2) + 1
    target = tmp_path / "two-members.gz"
    target.write_bytes(gzip.compress(raw[:half]) + gzip.compress(raw[half:]))
    s = sniff_path(target)
    assert (s.format, s.compression, s.estimated_events) == ("ndjson", "gzip", 80)


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_truncated_compressed_file_is_reported(compression, tmp_path):
    raw = (DATA / "ndjson_many.ndjson").read_bytes() * 20
    packed = gzip.compress(raw) if compression == "gzip" else zstandard.ZstdCompressor().compress(raw)
    target = tmp_path / "cut"
    target.write_bytes(packed[: len(packed) // 2])
    s = sniff_path(target)
    assert any(f"the {compression} data ends early" in r for r in s.reasons)


@pytest.mark.parametrize("name,why", NOT_DATA, ids=[n for n, _ in NOT_DATA])
def test_not_json_ndjson_or_csv(name, why):
    s = sniff_path(DATA / name)
    assert s.format is None
    assert s.error.startswith("this is not JSON, NDJSON or CSV: " + why)
    assert s.to_json()["error"] == s.error


def test_gzip_of_binary_is_still_binary(tmp_path):
    target = tmp_path / "image.png.gz"
    target.write_bytes(gzip.compress((DATA / "image.png").read_bytes()))
    s = sniff_path(target)
    assert s.compression == "gzip" and s.error == "this is not JSON, NDJSON or CSV: it is a PNG image"


def _unreadable_cases(tmp_path):
    missing = tmp_path / "nope.json"
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    return [missing, folder, fifo]


def test_unreadable_inputs_get_the_source_error(tmp_path):
    for path in _unreadable_cases(tmp_path):
        with pytest.raises(SourceError) as expected:
            open_raw(path)
        s = sniff_path(path)  # must not raise, nor block on the FIFO
        assert s.format is None
        assert s.error == str(expected.value)
        out = s.to_json()
        assert out["error"] == s.error and out["format"] is None


def test_permission_denied():
    folder = Path(tempfile.mkdtemp())  # under /tmp, reachable by the unprivileged child below
    folder.chmod(0o755)
    target = folder / "secret.csv"
    shutil.copy(DATA / "csv_comma.csv", target)
    target.chmod(0)
    if os.geteuid() != 0:
        error = sniff_path(target).error
    else:  # root reads anything: sniff from a child that gave up root
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.setuid(65534)
                os.write(write_end, str(sniff_path(target).error).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        error = os.read(read_end, 4096).decode()
        os.waitpid(pid, 0)
        os.close(read_end)
    shutil.rmtree(folder)
    assert error == f"{target}: permission denied (the file is not readable by you)"


# --- heads cut short: only the first bytes are read


def test_json_array_cut_mid_element_is_still_an_array():
    s = sniff_path(DATA / "array_many.json", head_bytes=1000)
    assert s.format == "json-array" and s.confidence >= 0.9
    assert not s.head_is_whole
    assert any("ends inside the next one" in r for r in s.reasons)
    assert 48 <= s.estimated_events <= 72  # 60, within 20 %


def test_ndjson_with_cut_last_line_is_still_ndjson():
    s = sniff_path(DATA / "ndjson_many.ndjson", head_bytes=1000)
    assert s.format == "ndjson" and s.confidence >= 0.9
    assert "the last line of the head is cut (only the head was read)" in s.reasons
    assert 64 <= s.estimated_events <= 96  # 80, within 20 %


def test_big_single_object_cut_is_still_one_object():
    s = sniff_path(DATA / "object_pretty.json", head_bytes=50)
    assert s.format == "json-object" and s.estimated_events == 1


def test_csv_cut_mid_record_keeps_its_dialect():
    s = sniff_path(DATA / "csv_quoted.csv", head_bytes=120)  # ends inside the quoted newline
    assert s.format == "csv" and s.csv.delimiter == "," and s.csv.has_header
    assert [e["count"] for e in s.sample] == ["1", "2"]


def test_utf8_head_cut_mid_character_is_still_utf8():
    raw = (DATA / "utf8_multibyte.ndjson").read_bytes()
    cut = raw.index("日".encode()) + 1  # inside a 3-byte character
    s = sniff_path(DATA / "utf8_multibyte.ndjson", head_bytes=cut + 200)
    assert raw[cut + 199] >= 0x80  # the head really ends inside a character
    s2 = sniff_path(DATA / "utf8_multibyte.ndjson", head_bytes=len(raw) - 2)
    for sn in (s, s2):
        assert sn.encoding == "utf-8" and sn.format == "ndjson"


# --- what the user reads


def test_reasons_are_sentences():
    s = sniff_path(DATA / "ndjson_basic.ndjson")
    assert "every one of the 12 lines is a JSON object" in s.reasons
    s = sniff_path(DATA / "csv_semicolon.csv")
    assert "consistent 7 fields per row with ';'" in s.reasons
    s = sniff_path(DATA / "cp1252.csv")
    assert any("reads as cp1252" in r for r in s.reasons)


def test_csv_sample_holds_strings_with_quotes_and_newlines():
    s = sniff_path(DATA / "csv_quoted.csv")
    messages = [e["message"] for e in s.sample]
    assert messages == ["hello, world", 'she said "hi"', "line one\nline two, with comma", "plain", "a;b|c\td"]
    assert all(isinstance(v, str) for e in s.sample for v in e.values())


def test_csv_headers_starting_with_time_digit_and_hash():
    s = sniff_path(DATA / "csv_header_time_digit_hash.csv")
    assert s.csv.fields == ["_time", "1st", "#id"]
    assert s.sample[0] == {"_time": "2024-03-01T10:00:00Z", "1st": "0", "#id": "100"}


def test_csv_without_header_gets_generated_fields():
    s = sniff_path(DATA / "csv_no_header.csv")
    assert s.csv.fields == ["col1", "col2", "col3", "col4"]
    assert s.sample[0]["col2"] == "web-1"


def test_bom_and_utf16_text_reads_cleanly():
    s = sniff_path(DATA / "utf8_bom.csv")
    assert s.csv.fields[0] == "_time"  # the BOM is not part of the first name
    assert s.sample[0]["city"] == "Zürich"
    s = sniff_path(DATA / "utf16be_bom.ndjson")
    assert s.sample[0]["name"] == "Jürgen"
    s = sniff_path(DATA / "cp1252.csv")
    assert s.sample[0] == {"name": "Müller 0", "city": "Köln Straße café", "amount": "0,50 €"}


def test_single_line_object_has_runner_up():
    s = sniff_bytes(b'{"a": 1, "b": "x"}\n', name="pasted")
    assert s.format == "ndjson" and s.path == "pasted"
    assert s.runner_up is not None and s.runner_up[0] == "json-object"
    assert s.to_json()["runner_up"]["format"] == "json-object"


def test_pretty_object_is_not_ndjson():
    s = sniff_path(DATA / "object_pretty.json")
    assert s.format == "json-object" and s.sample[0]["details"] == {"a": 1, "b": [1, 2]}


def test_ndjson_with_a_bad_line_says_which():
    s = sniff_bytes(b'{"a":1}\n{"a":2}\nnot json\n{"a":4}\n')
    assert s.format == "ndjson" and 0.6 < s.confidence < 0.9
    assert "3 of 4 non-blank lines are JSON objects" in s.reasons
    assert any(r.startswith("line 3 is not valid JSON") for r in s.reasons)


def test_array_of_non_objects_is_flagged():
    s = sniff_bytes(b"[1, 2, 3]")
    assert s.format == "json-array" and s.confidence < 0.7
    assert "3 of 3 elements are not JSON objects (Axiom stores objects only)" in s.reasons


@pytest.mark.parametrize("value,layout", [
    ("25/12/2024 10:00:00", "02/01/2006 15:04:05"),
    ("12/25/2024 10:00:00", "01/02/2006 15:04:05"),
    ("2024-12-25T10:00:00+0100", "2006-01-02T15:04:05Z0700"),
    ("Wed, 25 Dec 2024 10:00:00 +0100", "Mon, 02 Jan 2006 15:04:05 -0700"),
])
def test_more_time_layouts(value, layout):
    s = sniff_bytes("".join(json.dumps({"time": value, "n": i}) + "\n" for i in range(3)).encode())
    assert (s.timestamp.kind, s.timestamp.layout, s.timestamp.example) == ("layout", layout, value)


def test_numbers_are_not_taken_for_times_without_a_time_name():
    s = sniff_bytes(b"id,bytes\n1,1234567890\n2,99\n")
    assert s.timestamp is None
    s = sniff_bytes(b'{"time": 0.25}\n{"time": 1.5}\n')  # a duration, not an epoch
    assert s.timestamp is None


def test_to_json_has_the_inspect_keys():
    out = sniff_path(DATA / "csv_semicolon.csv").to_json()
    for key in ("path", "format", "compression", "encoding", "delimiter", "quotechar", "has_header", "fields",
                "confidence", "reasons", "runner_up", "timestamp", "estimated_events", "size", "error"):
        assert key in out
    assert out["delimiter"] == ";" and out["quotechar"] == '"' and out["has_header"] is True
    assert out["timestamp"] == {"field": "date", "kind": "layout", "layout": None,
                                "example": "03/01/2024 10:00:00", "confidence": 0.95,
                                "orders": {"dmy": "02/01/2006 15:04:05", "mdy": "01/02/2006 15:04:05"}}
    json.dumps(out)  # printable as is


def test_sample_is_capped_at_50():
    s = sniff_path(DATA / "ndjson_many.ndjson")
    assert len(s.sample) == 50 and s.sample[0]["user"] == "u0"


# --- robustness


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(data):
    s = sniff_bytes(data)
    assert (s.format is None) == (s.error is not None)
    assert 0.0 <= s.confidence <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises(text):
    s = sniff_bytes(text.encode("utf-8"))
    assert (s.format is None) == (s.error is not None)
    json.dumps(s.to_json())
