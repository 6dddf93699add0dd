"""The sandbox accepts Axiom's documented example bodies and its content types, compressions, CSV
options and labels as Axiom does (docs/axiom-api.md), over real loopback sockets."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest
import zstandard

from sandbox_support import (RESPONSE_KEYS, SEED_CSV, SEED_GROUPED, SEED_NDJSON, SEED_NESTED_ARRAYS,
                             SEED_OBJECTS, ingest, ndjson, parse_time)


# ---------------------------------------------------------------- the documented examples

@pytest.mark.parametrize("body, content_type, count", [
    (SEED_GROUPED, "application/json", 2),
    (SEED_NESTED_ARRAYS, "application/json", 1),
    (SEED_OBJECTS, "application/json", 1),
    (SEED_NDJSON, "application/x-ndjson", 6),
    (SEED_CSV, "text/csv", 1),
], ids=["grouped", "nested-arrays", "objects", "ndjson", "csv"])
def test_documented_examples_are_accepted(sb, body, content_type, count):
    r = ingest(sb, body, content_type)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert set(answer) == RESPONSE_KEYS
    assert answer["ingested"] == count
    assert answer["failed"] == 0 and answer["failures"] == []
    assert answer["processedBytes"] == len(body.encode())
    assert answer["blocksCreated"] == 0
    assert len(sb.events("logs")) == count


def test_documented_examples_store_what_was_sent(sb):
    assert ingest(sb, SEED_GROUPED, "application/json").json()["processedBytes"] == 219  # as the page says
    assert ingest(sb, SEED_NDJSON, "application/x-ndjson").json()["processedBytes"] == 266
    ingest(sb, SEED_CSV, "text/csv", dataset="csv")
    ingest(sb, SEED_OBJECTS, "application/json", dataset="obj")
    grouped = sb.events("logs")[:2]
    assert grouped[0]["data"] == {"key1": "value1", "key2": "value2"}
    assert grouped[0]["time"] == "2025-01-12T00:00:00.000Z"  # not the timestamp field by default
    assert grouped[1]["labels"] == {"key4": "value4"}
    lines = sb.events("logs")[2:]
    assert [e.get("id") for e in lines[:3]] == [1, 2, 3]
    assert lines[3]["index"] == {"_index": "products"}
    assert lines[4]["attributes"] == {"key1": "value1", "key2": "value2"}
    [row] = sb.events("csv")
    # Go's encoding/csv keeps spaces (no TrimLeadingSpace by default): the names and values as sent
    assert {k: v for k, v in row.items() if not k.startswith("_")} == {"user": "        foo", " name": " bar"}
    [obj] = sb.events("obj")
    assert obj["axiom"]["apl"]["reference"] == [[80, 12], [30, 40]]
    assert obj["axiom"]["logging"]["axiom"][0]["datasets"] == [4, 0, 16]
    for event in grouped + lines + [row, obj]:
        assert abs((parse_time(event["_sysTime"]) - datetime.now(timezone.utc)).total_seconds()) < 30
        assert "_time" in event


def test_timestamp_field_moves_the_value_to_time(sb):
    r = ingest(sb, SEED_GROUPED, "application/json", params={"timestamp-field": "time"})
    assert r.json()["ingested"] == 2
    first, second = sb.events("logs")
    assert first["_time"] == "2025-01-12T00:00:00Z" and "time" not in first
    assert abs((parse_time(second["_time"]) - datetime.now(timezone.utc)).total_seconds()) < 30  # ingest time
    ingest(sb, SEED_NDJSON, params={"timestamp-field": "timestamp"}, dataset="nd")
    moved = sb.events("nd")[4]
    assert moved["_time"] == "2016-06-06T10:00:00Z" and "timestamp" not in moved


# ---------------------------------------------------------------- content

def test_gzip_and_zstd_bodies(sb):
    raw = ndjson(*({"n": i} for i in range(50)))
    r = ingest(sb, gzip.compress(raw), Content_Encoding="gzip")
    assert r.status_code == 200 and r.json()["ingested"] == 50
    assert r.json()["processedBytes"] == len(raw)  # uncompressed bytes
    r = ingest(sb, zstandard.ZstdCompressor().compress(raw), Content_Encoding="zstd")
    assert r.status_code == 200 and r.json()["ingested"] == 50 and r.json()["processedBytes"] == len(raw)
    assert [e["n"] for e in sb.events("logs")] == list(range(50)) * 2
    assert [r["content_encoding"] for r in sb.requests_log] == ["gzip", "zstd"]
    bad = ingest(sb, b"not gzip at all", Content_Encoding="gzip")
    assert bad.status_code == 400 and "decompress" in bad.json()["message"]
    br = ingest(sb, raw, Content_Encoding="br")
    assert br.status_code == 415 and "br" in br.json()["message"]
    assert len(sb.events("logs")) == 100


def test_unsupported_content_type(sb):
    r = ingest(sb, b"a=1", "application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert "application/x-www-form-urlencoded" in r.json()["message"] and r.json()["code"] == 415
    assert sb.events("logs") == []


def test_application_json_takes_one_object_or_ndjson(sb):
    assert ingest(sb, b'{\n  "a": 1,\n  "b": {"c": 2}\n}\n', "application/json").json()["ingested"] == 1
    assert ingest(sb, b'{"a":2}\n\n{"a":3}\n', "application/json").json()["ingested"] == 2
    assert ingest(sb, b"[]", "application/json").json()["ingested"] == 0
    assert [e["a"] for e in sb.events("logs")] == [1, 2, 3]


def test_ndjson_crlf_and_blank_lines(sb):
    r = ingest(sb, b'{"a":1}\r\n\r\n   \n{"a":2}')
    assert r.json()["ingested"] == 2


def test_csv_with_fields_header_and_delimiter(sb):
    r = ingest(sb, "1;alice;x\n2;bob;y\n", "text/csv", params={"csv-delimiter": ";"},
               X_Axiom_CSV_Fields="id,name,tag")
    assert r.status_code == 200 and r.json()["ingested"] == 2
    rows = [{k: v for k, v in e.items() if not k.startswith("_")} for e in sb.events("logs")]
    assert rows == [{"id": "1", "name": "alice", "tag": "x"}, {"id": "2", "name": "bob", "tag": "y"}]


def test_csv_tab_delimiter_quotes_and_blank_lines(sb):
    body = 'a,b,c\n1,"two\nlines",3\n\n"x,y",,z\r\n'
    r = ingest(sb, body, "text/csv", dataset="c1")
    assert r.json()["ingested"] == 2
    rows = [{k: v for k, v in e.items() if not k.startswith("_")} for e in sb.events("c1")]
    assert rows == [{"a": "1", "b": "two\nlines", "c": "3"}, {"a": "x,y", "b": "", "c": "z"}]
    r = ingest(sb, "a\tb\n1\t2\n", "text/csv", dataset="c2", params={"csv-delimiter": "\t"})
    assert r.json()["ingested"] == 1 and sb.events("c2")[0]["b"] == "2"
    assert ingest(sb, "a,b\n", "text/csv", dataset="c3").json()["ingested"] == 0  # header only
    assert ingest(sb, "a,b\n1,2\n", "text/csv", params={"csv-delimiter": ";;"}).status_code == 400


@pytest.mark.parametrize("body,message", [
    # Go's encoding/csv defaults: the header sets how many cells every row has
    ("a,b,c\n1,2,3\n4,5\n", "record on line 3: wrong number of fields"),
    ("a,b\n1,2\n3,4,5\n", "record on line 3: wrong number of fields"),
    ('a,b\n1,2\n3,say "hi"\n', 'parse error on line 3, column 7: bare " in non-quoted-field'),
    ('a,b\n1,"x"y\n', 'parse error on line 2, column 5: extraneous or missing " in quoted-field'),
    ('a,b\n1,2\n3,"unclosed\n', 'parse error on line 3, column 13: extraneous or missing " in quoted-field'),
    ('a,b\n1,"two\nlines\n', 'record on line 2; parse error on line 3, column 7: '
                            'extraneous or missing " in quoted-field'),
    ("a,b\n1,2\n  \n", "record on line 3: wrong number of fields"),  # spaces are not a blank line
    ("a,b\r\n1,2\r\n\r\n3\r\n", "record on line 4: wrong number of fields"),  # blank lines still count
    ('a,b\n1, "x"\n', 'parse error on line 2, column 4: bare " in non-quoted-field'),  # no TrimLeadingSpace
])
def test_csv_rows_go_refuses_refuse_the_whole_request(sb, body, message):
    sb.create_dataset("strictcsv")
    r = ingest(sb, body, "text/csv", dataset="strictcsv")
    assert r.status_code == 400
    assert r.json() == {"message": message, "code": 400}  # Go's words, no event index
    assert sb.events("strictcsv") == []  # nothing of the request is stored


def test_an_empty_csv_fields_header_means_the_first_row_is_the_header(sb):
    """axiom-go sends `X-Axiom-CSV-Fields:` (empty) with every CSV that has a header row."""
    sb.create_dataset("e")
    r = ingest(sb, "a,b\n1,2\n", "text/csv", dataset="e", X_Axiom_CSV_Fields="")
    assert r.status_code == 200 and r.json()["ingested"] == 1
    assert {k: v for k, v in sb.events("e")[0].items() if not k.startswith("_")} == {"a": "1", "b": "2"}
    r = ingest(sb, "3,4\n", "text/csv", dataset="e", X_Axiom_CSV_Fields="a,b")
    assert r.json()["ingested"] == 1 and sb.events("e")[1]["b"] == "4"


def test_a_csv_fields_header_over_8_kb_is_read_as_go_would(sb):
    """A headerless CSV of 1,000 columns names them in `X-Axiom-CSV-Fields` (~12 KB): Axiom's
    server is Go, whose net/http takes request headers up to DefaultMaxHeaderBytes (1 MiB);
    aiohttp's default (8,190 bytes a header) answered 400 "Got more than 8190 bytes"."""
    fields = [f"column_{i:04d}" for i in range(1_000)]
    header = ",".join(fields)
    assert len(header) > 8 * 1024
    body = "".join(",".join(f"{r}-{i}" for i in range(1_000)) + "\n" for r in range(3))
    r = ingest(sb, body, "text/csv", dataset="wide", X_Axiom_CSV_Fields=header)
    assert r.status_code == 200, r.text
    assert r.json()["ingested"] == 3
    stored = [{k: v for k, v in e.items() if not k.startswith("_")} for e in sb.events("wide")]
    assert [len(e) for e in stored] == [1_000] * 3
    assert stored[2]["column_0999"] == "2-999"


def test_a_header_past_go_s_limit_is_still_refused(sb):
    """Past Go's 1 MiB of headers the request is refused, not read (the sandbox says 400)."""
    r = ingest(sb, "1\n", "text/csv", dataset="huge", X_Axiom_CSV_Fields="a" * (1 << 20) + "b")
    assert r.status_code in (400, 431)
    assert sb.events("huge") == []


def test_labels_are_merged_into_every_event(sb):
    r = ingest(sb, ndjson({"a": 1}, {"a": 2, "env": "mine"}), X_Axiom_Event_Labels='{"env":"prod","team":"ops"}')
    assert r.json()["ingested"] == 2
    for event in sb.events("logs"):
        assert event["env"] == "prod" and event["team"] == "ops"
    r = ingest(sb, SEED_CSV, "text/csv", dataset="csv", X_Axiom_Event_Labels='{"source":"csv"}')
    assert sb.events("csv")[0]["source"] == "csv"
    bad = ingest(sb, ndjson({"a": 3}), X_Axiom_Event_Labels="{not json")
    assert bad.status_code == 400 and "X-Axiom-Event-Labels" in bad.json()["message"]
    assert ingest(sb, ndjson({"a": 3}), X_Axiom_Event_Labels='["x"]').status_code == 400
    assert len(sb.events("logs")) == 2
