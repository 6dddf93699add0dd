"""The sandbox answers like Axiom's ingest API (AXIOM_API.md), over real loopback sockets."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
import zstandard

from app.core.sandbox import MAX_EVENTS, TOO_LONG, Faults, Sandbox

# The five request bodies of Axiom's "Send data to Axiom via API" page, verbatim (as `curl -d` sends them).
SEED_GROUPED = """[
        {
          "time":"2025-01-12T00:00:00.000Z",
          "data":{"key1":"value1","key2":"value2"}
        },
        {
          "data":{"key3":"value3"},
          "labels":{"key4":"value4"}
        }
      ]"""

SEED_NESTED_ARRAYS = """[
            {
            "axiom": [{
                "logging":[{
                    "observability":[{
                        "location":[{
                            "credentials":[{
                                "datasets":[{
                                    "first_name":"axiom",
                                    "last_name":"logging",
                                    "location":"global"
                                }],
                                "work":[{
                                    "details":"https://app.axiom.co/",
                                    "tutorials":"https://www.axiom.co/blog",
                                    "changelog":"https://www.axiom.co/changelog",
                                    "documentation": "https://www.axiom.co/docs"
                                }]
                            }],
                            "social_media":[{
                                "details":[{
                                    "twitter":"https://twitter.com/AxiomFM",
                                    "linkedin":"https://linkedin.com/company/axiomhq",
                                    "github":"https://github.com/axiomhq"
                                }],
                                "features":[{
                                    "datasets":"view logs",
                                    "stream":"live_tail",
                                    "explorer":"queries"
                                }]
                            }]
                        }]
                    }],
                    "logs":[{
                        "apl": "functions"
                    }]
                }],
                "storage":[{}]
            }]}
        ]"""

SEED_OBJECTS = """[{ "axiom": {
        "logging": {
            "observability": [
                { "apl": 23, "function": "tostring" },
                { "apl": 24, "operator": "summarize" }
            ],
            "axiom": [
                { "stream": "livetail", "datasets": [4, 0, 16], "logging": "observability", "metrics": 8, "dashboard": 10, "alerting": "kubernetes" }
            ]
        },
        "apl": {
            "reference":
                [[80, 12], [30, 40]]
        }
    }
    }]"""

SEED_NDJSON = """{"id":1,"name":"machala"}
        {"id":2,"name":"axiom"}
        {"id":3,"name":"apl"}
        {"index": {"_index": "products"}}
        {"timestamp": "2016-06-06T12:00:00+02:00", "attributes": {"key1": "value1","key2": "value2"}}
        {"queryString": "count()"}"""

SEED_CSV = """user, name
        foo, bar"""

RESPONSE_KEYS = {"ingested", "failed", "failures", "processedBytes", "blocksCreated", "walLength"}
NDJSON = "application/x-ndjson"


@pytest.fixture
def sb(tmp_path):
    sandbox = Sandbox(tmp_path / "sandbox").start()
    yield sandbox
    sandbox.stop()


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def ingest(sb: Sandbox, body: bytes | str, content_type: str = NDJSON, dataset: str = "logs", *,
           token: str | None = None, params: dict | None = None, legacy: bool = False,
           timeout: float = 10, **headers: str) -> httpx.Response:
    path = f"/v1/datasets/{dataset}/ingest" if legacy else f"/v1/ingest/{dataset}"
    if isinstance(body, str):
        body = body.encode()
    hdrs = auth(token or sb.token, **{"Content-Type": content_type})
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
    return httpx.post(sb.url + path, content=body, headers=hdrs, params=params, timeout=timeout)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ndjson(*events: dict) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


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
    assert {k: v for k, v in row.items() if not k.startswith("_")} == {"user": "foo", "name": "bar"}
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


def test_csv_tab_delimiter_quotes_and_ragged_rows(sb):
    body = 'a,b,c\n1,"two\nlines",3\n4,5\n6,7,8,9\n\n"x,y",,z\n'
    r = ingest(sb, body, "text/csv", dataset="c1")
    assert r.json()["ingested"] == 4
    rows = [{k: v for k, v in e.items() if not k.startswith("_")} for e in sb.events("c1")]
    assert rows == [{"a": "1", "b": "two\nlines", "c": "3"}, {"a": "4", "b": "5"},
                    {"a": "6", "b": "7", "c": "8"}, {"a": "x,y", "b": "", "c": "z"}]
    r = ingest(sb, "a\tb\n1\t2\n", "text/csv", dataset="c2", params={"csv-delimiter": "\t"})
    assert r.json()["ingested"] == 1 and sb.events("c2")[0]["b"] == "2"
    assert ingest(sb, "a,b\n", "text/csv", dataset="c3").json()["ingested"] == 0  # header only
    bad = ingest(sb, 'a,b\n1,2\n3,"unclosed\n', "text/csv", dataset="c4")
    assert bad.status_code == 400 and "index 1" in bad.json()["message"]
    assert sb.events("c4") == []
    assert ingest(sb, "a,b\n1,2\n", "text/csv", params={"csv-delimiter": ";;"}).status_code == 400


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


# ---------------------------------------------------------------- auth

def test_bad_or_missing_token_is_401(sb):
    for headers in ({}, auth("xaat-wrong"), {"Authorization": "Basic abc"}):
        r = httpx.post(sb.url + "/v1/ingest/logs", content=b'{"a":1}',
                       headers={"Content-Type": NDJSON, **headers})
        assert r.status_code == 401
        assert r.json() == {"message": "invalid token", "code": 401}
        assert r.headers["X-RateLimit-Limit"] and r.headers["X-Axiom-Trace-Id"]
    assert httpx.get(sb.url + "/v2/datasets", headers=auth("nope")).status_code == 401
    assert sb.events("logs") == []


def test_personal_token_rules(sb):
    pat = sb.personal_token
    edge = ingest(sb, b'{"a":1}', token=pat, X_Axiom_Org_Id=sb.org_id)
    assert edge.status_code == 403 and "API token" in edge.json()["message"]
    missing = ingest(sb, b'{"a":1}', token=pat, legacy=True)
    assert missing.status_code == 403 and "missing X-Axiom-Org-Id" in missing.json()["message"]
    wrong = ingest(sb, b'{"a":1}', token=pat, legacy=True, X_Axiom_Org_Id="another-org")
    assert wrong.status_code == 403
    ok = ingest(sb, b'{"a":1}', token=pat, legacy=True, X_Axiom_Org_Id=sb.org_id)
    assert ok.status_code == 200 and ok.json()["ingested"] == 1
    assert ingest(sb, b'{"a":2}', legacy=True).json()["ingested"] == 1  # API token on legacy too
    assert len(sb.events("logs")) == 2

    user = httpx.get(sb.url + "/v2/user", headers=auth(pat))
    assert user.status_code == 200 and {"id", "name", "email", "role"} <= set(user.json())
    assert httpx.get(sb.url + "/v2/user", headers=auth(sb.token)).status_code == 403
    assert httpx.get(sb.url + "/v2/datasets", headers=auth(pat)).status_code == 403
    assert httpx.get(sb.url + "/v2/datasets", headers=auth(pat, **{"X-Axiom-Org-Id": sb.org_id})).status_code == 200


def test_token_is_never_logged_or_stored(sb, tmp_path):
    ingest(sb, b'{"a":1}')
    ingest(sb, b'{"a":1}', token="xaat-not-the-token")
    ingest(sb, b'{"a":1}', token=sb.personal_token, legacy=True, X_Axiom_Org_Id=sb.org_id)
    text = json.dumps(list(sb.requests_log))
    assert sb.token not in text and sb.personal_token not in text and "xaat-not-the-token" not in text
    assert "authorization" in sb.requests_log[0]["headers"]
    for path in (tmp_path / "sandbox").iterdir():
        data = path.read_text()
        assert sb.token not in data and sb.personal_token not in data


# ---------------------------------------------------------------- datasets

def test_list_and_create_datasets(sb):
    ingest(sb, b'{"a":1}', dataset="auto")
    h = auth(sb.token)
    created = httpx.post(sb.url + "/v2/datasets", headers=h, json={"name": "web-logs.v2", "description": "d"})
    assert created.status_code == 200 and created.json()["name"] == "web-logs.v2"
    again = httpx.post(sb.url + "/v2/datasets", headers=h, json={"name": "web-logs.v2"})
    assert again.status_code == 409 and again.json()["code"] == 409
    for bad in ("has space", "", "x" * 129, "slash/name", None):
        r = httpx.post(sb.url + "/v2/datasets", headers=h, json={"name": bad})
        assert r.status_code == 400, bad
    listed = httpx.get(sb.url + "/v2/datasets", headers=h).json()
    assert [d["name"] for d in listed] == ["auto", "web-logs.v2"]
    for d in listed:
        assert {"id", "name", "description", "who", "created", "kind", "edgeDeployment", "canWrite"} <= set(d)
        assert d["kind"] == "axiom:events:v1" and d["edgeDeployment"] == "local" and d["canWrite"] is True
        parse_time(d["created"])
    assert listed[1]["description"] == "d"
    assert ingest(sb, b'{"a":1}', dataset="web-logs.v2").json()["ingested"] == 1


def test_ingest_only_token_cannot_list(tmp_path):
    with Sandbox(tmp_path, ingest_only=True) as sb:
        r = httpx.get(sb.url + "/v2/datasets", headers=auth(sb.token))
        assert r.status_code == 403 and r.json()["code"] == 403
        assert ingest(sb, b'{"a":1}').status_code == 200


def test_unknown_dataset_is_404_without_auto_create(tmp_path):
    with Sandbox(tmp_path, auto_create=False) as sb:
        r = ingest(sb, b'{"a":1}', dataset="nope")
        assert r.status_code == 404 and r.json()["message"] == "dataset not found"
        assert sb.events("nope") == [] and sb.datasets() == []
        sb.create_dataset("nope")
        assert ingest(sb, b'{"a":1}', dataset="nope").json()["ingested"] == 1


def test_datasets_and_fields_survive_a_restart(tmp_path):
    with Sandbox(tmp_path) as sb:
        sb.faults.max_fields = 2
        ingest(sb, ndjson({"a": 1, "b": 2}))
    with Sandbox(tmp_path, faults=Faults(max_fields=2)) as sb:
        assert sb.datasets() == ["logs"] and len(sb.events("logs")) == 1
        r = ingest(sb, ndjson({"c": 3}))
        assert r.json()["failed"] == 1


# ---------------------------------------------------------------- bad payloads and limits

def test_invalid_event_names_its_index_and_nothing_is_stored(sb):
    body = b'{"a":1}\n\n{"a":2}\n[1,2]\n{"a":4}\n'
    r = ingest(sb, body)
    assert r.status_code == 400
    assert r.json() == {"message": "invalid event at index 2: ReadObject: expect { or n, but found [", "code": 400}
    r = ingest(sb, b'[{"a":1}, {"a":2}, {"a":3}, 42]', "application/json")
    assert r.status_code == 400 and r.json()["message"].startswith("invalid event at index 3: ReadObject:")
    r = ingest(sb, b'{"a":1}\n{"a":\n', "application/json")
    assert r.status_code == 400 and "index 1" in r.json()["message"]
    r = ingest(sb, b'[{"a":1},{"b":}]', "application/json")
    assert r.status_code == 400 and "index 1" in r.json()["message"]
    r = ingest(sb, b'{"a":1}\n"text"\n')
    assert "index 1" in r.json()["message"] and 'found "' in r.json()["message"]
    assert sb.events("logs") == []
    assert [x["status"] for x in sb.requests_log] == [400] * 5


def test_more_than_10000_events_is_400(sb):
    r = ingest(sb, b'{"a":1}\n' * (MAX_EVENTS + 1))
    assert r.status_code == 400
    assert r.json()["message"] == f"too many events: {MAX_EVENTS + 1} (max {MAX_EVENTS})"
    assert sb.events("logs") == []
    r = ingest(sb, b'{"a":1}\n' * MAX_EVENTS)
    assert r.status_code == 200 and r.json()["ingested"] == MAX_EVENTS


def test_max_body_bytes_counts_uncompressed_bytes(sb):
    sb.faults.max_body_bytes = 1000
    small = ndjson(*({"n": i} for i in range(10)))
    assert ingest(sb, small).status_code == 200
    big = b'{"padding":"' + b"x" * 2000 + b'"}\n'
    r = ingest(sb, big)
    assert r.status_code == 413 and r.json()["message"] == "request entity too large"
    r = ingest(sb, gzip.compress(big), Content_Encoding="gzip")  # small on the wire, big inside
    assert r.status_code == 413
    assert len(sb.events("logs")) == 10


def test_reject_field_is_a_partial_failure(sb):
    sb.faults.reject_field = "secret"
    body = ndjson({"a": 1}, {"a": 2, "secret": "x", "_time": "2024-05-06T07:08:09Z"}, {"b": {"secret": 1}}, {"a": 3})
    r = ingest(sb, body)
    assert r.status_code == 200
    answer = r.json()
    assert answer["ingested"] == 3 and answer["failed"] == 1 and answer["walLength"] == 3
    assert answer["failures"] == [{"timestamp": "2024-05-06T07:08:09Z",
                                   "error": "rejected by sandbox: field secret is not allowed"}]
    assert [e.get("a") for e in sb.events("logs")] == [1, None, 3]
    sb.faults.reject_field = "b.secret"  # a nested field, by its flattened name
    r = ingest(sb, ndjson({"b": {"secret": 2}}, {"b": {"public": 3}}))
    assert r.json()["ingested"] == 1 and r.json()["failed"] == 1


def test_max_fields_rejects_events_that_add_too_many(sb):
    sb.faults.max_fields = 3
    r = ingest(sb, ndjson({"a": 1, "b": 2}, {"c": 1, "d": 2}, {"a": 5, "c": 6}, {"n": {"x": 1, "y": 2}}))
    answer = r.json()
    assert answer["ingested"] == 2 and answer["failed"] == 2
    assert all("too many fields" in f["error"] for f in answer["failures"])
    assert [sorted(k for k in e if not k.startswith("_")) for e in sb.events("logs")] == [["a", "b"], ["a", "c"]]
    assert ingest(sb, ndjson({"a": 9, "b": 9, "c": 9})).json()["ingested"] == 1  # known fields are fine


def test_value_limits(sb):
    deep: dict = {"leaf": 1}
    for _ in range(120):
        deep = {"d": deep}
    r = ingest(sb, ndjson({"big": "y" * ((1 << 20) + 1), "ok": "y" * 100, "deep": deep, "arr": ["z" * ((1 << 20) + 5)]}))
    assert r.status_code == 200
    [event] = sb.events("logs")
    assert event["big"] == TOO_LONG and event["ok"] == "y" * 100 and event["arr"] == [TOO_LONG]
    node, depth = event, 1
    while isinstance(node, dict) and "leaf" not in node:
        node = node.get("deep", node.get("d"))
        depth += 1
    assert node is None and depth <= 101


def test_reserved_fields_are_renamed(sb):
    sent = {"_blockInfo": 1, "_cursor": 2, "_rowID": 3, "_source": 4, "_sysTime": "2000-01-01T00:00:00Z", "x": 5}
    ingest(sb, ndjson(sent))
    [event] = sb.events("logs")
    for name in ("_blockInfo", "_cursor", "_rowID", "_source"):
        assert name not in event
        assert event["_user_" + name] == sent[name]
    assert event["_user__sysTime"] == "2000-01-01T00:00:00Z"
    assert parse_time(event["_sysTime"]).year >= 2024 and event["x"] == 5


def test_timestamps_are_guessed(sb):
    body = ndjson(
        {"ts": 1736640000, "k": "s"}, {"ts": 1736640000000, "k": "ms"}, {"ts": 1736640000000000, "k": "us"},
        {"ts": 1736640000000000000, "k": "ns"}, {"ts": "1736640000", "k": "str"}, {"ts": 1736640000.25, "k": "float"},
        {"ts": "2025-01-12T01:00:00+01:00", "k": "offset"}, {"ts": "2025-01-12 00:00:00", "k": "naive"},
        {"ts": "not a time", "k": "bad"},
    )
    ingest(sb, body, params={"timestamp-field": "ts"})
    events = {e["k"]: e for e in sb.events("logs")}
    for k in ("s", "ms", "us", "ns", "str", "offset", "naive"):
        assert events[k]["_time"] == "2025-01-12T00:00:00Z", k
        assert "ts" not in events[k]
    assert events["float"]["_time"] == "2025-01-12T00:00:00.25Z"
    assert events["bad"]["ts"] == "not a time"  # kept, and the event gets the ingest time
    assert parse_time(events["bad"]["_time"]).year >= 2024
    ingest(sb, ndjson({"_time": "2025-01-12T02:00:00.123456789+02:00"}), dataset="t")
    assert sb.events("t")[0]["_time"] == "2025-01-12T00:00:00.123456789Z"


@pytest.mark.parametrize("layout, value, expected", [
    ("02/01/2006 15:04:05", "12/01/2025 13:14:15", "2025-01-12T13:14:15Z"),
    ("Jan _2 2006 3:04:05.000 PM -0700", "Jan  2 2025 3:04:05.120 PM -0700", "2025-01-02T22:04:05.12Z"),
    ("02/Jan/2006:15:04:05 -0700", "12/Jan/2025:10:00:00 +0100", "2025-01-12T09:00:00Z"),
    ("2006-01-02T15:04:05Z07:00", "2025-01-12T00:00:00.5Z", "2025-01-12T00:00:00.5Z"),
    ("Mon, 02 Jan 2006 15:04:05 MST", "Sun, 12 Jan 2025 00:00:00 UTC", "2025-01-12T00:00:00Z"),
    ("20060102150405", "20250112000000", "2025-01-12T00:00:00Z"),
])
def test_timestamp_format_go_layouts(sb, layout, value, expected):
    r = ingest(sb, f'when,msg\n"{value}",hi\n', "text/csv", params={"timestamp-field": "when", "timestamp-format": layout})
    assert r.status_code == 200
    [event] = sb.events("logs")
    assert event["_time"] == expected and "when" not in event and event["msg"] == "hi"


def test_timestamp_format_that_cannot_be_used_keeps_the_value(sb):
    ingest(sb, ndjson({"when": "yesterday-ish"}), params={"timestamp-field": "when", "timestamp-format": "not a layout"})
    [event] = sb.events("logs")
    assert event["when"] == "yesterday-ish"
    assert abs((parse_time(event["_time"]) - datetime.now(timezone.utc)).total_seconds()) < 30


# ---------------------------------------------------------------- rate limits

def _away_from_minute_boundary() -> None:
    if time.time() % 60 > 55:
        time.sleep(60.5 - time.time() % 60)


def test_rate_limit_headers_on_every_response(sb):
    now = time.time()
    for r in (ingest(sb, b'{"a":1}'), ingest(sb, b"[1]"), httpx.get(sb.url + "/v2/datasets", headers=auth(sb.token)),
              httpx.get(sb.url + "/nowhere", headers=auth(sb.token))):
        assert r.headers["X-RateLimit-Scope"] == "organization"
        assert int(r.headers["X-RateLimit-Limit"]) == Faults().rate_limit_per_minute
        assert 0 <= int(r.headers["X-RateLimit-Remaining"]) < int(r.headers["X-RateLimit-Limit"])
        reset = int(r.headers["X-RateLimit-Reset"])
        assert reset % 60 == 0 and now < reset <= now + 61
        assert len(r.headers["X-Axiom-Trace-Id"]) >= 16
    r = ingest(sb, b'{"a":1}')
    limit, remaining = int(r.headers["X-IngestLimit-Limit"]), int(r.headers["X-IngestLimit-Remaining"])
    assert limit - remaining == 2 * len(b'{"a":1}')  # bytes ingested this month
    assert int(r.headers["X-IngestLimit-Reset"]) > now
    assert "X-IngestLimit-Limit" not in httpx.get(sb.url + "/v2/datasets", headers=auth(sb.token)).headers


def test_over_the_rate_limit_is_429(sb):
    _away_from_minute_boundary()
    sb.faults.rate_limit_per_minute = 3
    statuses = [ingest(sb, ndjson({"i": i})) for i in range(5)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert statuses[3].json() == {"message": "rate limit exceeded", "code": 429}
    assert statuses[3].headers["X-RateLimit-Remaining"] == "0"
    assert [r.headers["X-RateLimit-Remaining"] for r in statuses[:3]] == ["2", "1", "0"]
    assert len(sb.events("logs")) == 3


# ---------------------------------------------------------------- scripted faults

@pytest.mark.parametrize("fault, status, message", [
    ("500", 500, "internal server error"), ("502", 502, "bad gateway"), ("503", 503, "service unavailable"),
    ("413", 413, "request entity too large"), ("430", 430, "monthly ingest limit reached"),
])
def test_scripted_status_faults(sb, fault, status, message):
    sb.faults.script = [fault]
    r = ingest(sb, b'{"a":1}')
    assert r.status_code == status and r.json() == {"message": message, "code": status}
    assert sb.events("logs") == []
    if status == 430:
        assert r.headers["X-IngestLimit-Remaining"] == "0"
    assert ingest(sb, b'{"a":1}').status_code == 200  # consumed: the next request is fine
    assert len(sb.events("logs")) == 1
    assert [x["fault"] for x in sb.requests_log] == [fault, None]


def test_scripted_429_variants(sb):
    sb.faults.script = ["429", "429:retry-after=7", "429:reset=30"]
    now = time.time()
    plain = ingest(sb, b'{"a":1}')
    assert plain.status_code == 429 and plain.json()["message"] == "rate limit exceeded"
    assert "Retry-After" not in plain.headers
    assert now + 1 <= int(plain.headers["X-RateLimit-Reset"]) <= now + 3
    assert plain.headers["X-RateLimit-Remaining"] == "0"
    after = ingest(sb, b'{"a":1}')
    assert after.status_code == 429 and after.headers["Retry-After"] == "7"
    reset = ingest(sb, b'{"a":1}')
    assert reset.status_code == 429 and "Retry-After" not in reset.headers
    assert now + 29 <= int(reset.headers["X-RateLimit-Reset"]) <= now + 32
    assert sb.events("logs") == []
    assert ingest(sb, b'{"a":1}').status_code == 200


def test_html_500(sb):
    sb.faults.script = ["html-500"]
    r = ingest(sb, b'{"a":1}')
    assert r.status_code == 500 and r.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        r.json()
    assert sb.events("logs") == []


def test_drop_request_stores_nothing(sb):
    sb.faults.script = ["drop-request"]
    with pytest.raises(httpx.TransportError):
        ingest(sb, ndjson(*({"i": i} for i in range(100))))
    assert sb.events("logs") == []
    assert sb.requests_log[0]["fault"] == "drop-request" and sb.requests_log[0]["status"] is None
    assert ingest(sb, b'{"a":1}').status_code == 200


def test_drop_response_stores_the_events(sb):
    sb.faults.script = ["drop-response"]
    with pytest.raises(httpx.TransportError):
        ingest(sb, ndjson({"i": 1}, {"i": 2}))
    assert [e["i"] for e in sb.events("logs")] == [1, 2]  # stored: a resend would duplicate them
    assert sb.requests_log[0]["stored"] == 2


def test_slow_answers_late_and_stores_after(sb):
    sb.faults.script = ["slow=1"]
    start = time.monotonic()
    r = ingest(sb, b'{"a":1}')
    assert r.status_code == 200 and time.monotonic() - start >= 1.0
    sb.faults.script = ["slow=1.5"]
    with pytest.raises(httpx.ReadTimeout):  # the client gives up, the sandbox stores anyway
        ingest(sb, b'{"a":2}', timeout=0.5)
    assert len(sb.events("logs")) == 1
    time.sleep(1.5)
    assert [e["a"] for e in sb.events("logs")] == [1, 2]


def test_delay_holds_every_response(sb):
    sb.faults.delay = 0.4
    start = time.monotonic()
    assert httpx.get(sb.url + "/v2/datasets", headers=auth(sb.token)).status_code == 200
    assert ingest(sb, b'{"a":1}').status_code == 200
    assert time.monotonic() - start >= 0.8


def test_faults_over_http(sb):
    url = sb.url + "/_sandbox/faults"
    r = httpx.post(url, headers=auth(sb.token), json={"script": ["503"], "reject_field": "pw", "max_fields": 50})
    assert r.status_code == 200 and r.json()["script"] == ["503"]
    assert sb.faults.reject_field == "pw" and sb.faults.max_fields == 50
    assert httpx.get(url, headers=auth(sb.token)).json()["max_fields"] == 50
    assert ingest(sb, b'{"a":1}').status_code == 503
    assert ingest(sb, ndjson({"a": 1}, {"pw": 2})).json()["failed"] == 1
    assert httpx.post(url, json={"delay": 1}).status_code == 401
    bad = httpx.post(url, headers=auth(sb.token), json={"colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["message"]
    assert httpx.post(url, headers=auth(sb.token), json={"script": ["explode"]}).status_code == 400
    assert httpx.post(url, headers=auth(sb.token), json={"delay": -1}).status_code == 400
    log = httpx.get(sb.url + "/_sandbox/requests", headers=auth(sb.token)).json()
    assert [(x["path"], x["status"], x["events"], x["stored"]) for x in log] == [
        ("/v1/ingest/logs", 503, 0, 0), ("/v1/ingest/logs", 200, 2, 1)]
    assert log[1]["content_type"] == NDJSON and log[1]["bytes"] == len(ndjson({"a": 1}, {"pw": 2}))
    assert httpx.get(sb.url + "/_sandbox/requests").status_code == 401


def test_requests_log_records_query_and_headers(sb):
    ingest(sb, SEED_CSV, "text/csv", params={"timestamp-field": "t", "csv-delimiter": ","},
           X_Axiom_Event_Labels='{"a":"b"}')
    [entry] = sb.requests_log
    assert entry["method"] == "POST" and entry["path"] == "/v1/ingest/logs" and entry["status"] == 200
    assert entry["query"] == {"timestamp-field": "t", "csv-delimiter": ","}
    assert "x-axiom-event-labels" in entry["headers"] and entry["events"] == 1 and entry["stored"] == 1


def test_reset_clears_everything(sb):
    sb.faults.script = ["500", "500"]
    ingest(sb, b'{"a":1}')
    sb.faults.script = []
    ingest(sb, b'{"a":1}')
    sb.reset()
    assert sb.events("logs") == [] and sb.requests_log == [] and sb.datasets() == []
    assert sb.faults.script == [] and sb.faults.max_fields == 1024


# ---------------------------------------------------------------- the server itself

def test_concurrent_requests_all_land(sb):
    errors: list[Exception] = []

    def send(n: int) -> None:
        try:
            for j in range(5):
                r = ingest(sb, ndjson(*({"t": n, "j": j, "k": k} for k in range(20))))
                assert r.json()["ingested"] == 20
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sb.events("logs")) == 6 * 5 * 20


def test_start_stop_and_context_manager(tmp_path):
    sb = Sandbox(tmp_path, port=0)
    with sb:
        port = int(sb.url.rsplit(":", 1)[1])
        assert port > 0 and sb.token.startswith("xaat-")
        assert ingest(sb, b'{"a":1}').status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/v2/datasets", timeout=2)
    with Sandbox(tmp_path, port=port, token="xaat-given") as again:  # the port is free again
        assert again.token == "xaat-given" and len(again.events("logs")) == 1


def test_stop_does_not_wait_long_for_a_slow_request(tmp_path):
    sb = Sandbox(tmp_path).start()
    sb.faults.script = ["slow=30"]
    t = threading.Thread(target=lambda: pytest.raises(httpx.TransportError, ingest, sb, b'{"a":1}', timeout=40))
    t.start()
    time.sleep(0.5)
    start = time.monotonic()
    sb.stop()
    assert time.monotonic() - start < 5
    t.join(10)


def test_async_context_manager(tmp_path):
    async def scenario() -> int:
        async with Sandbox(tmp_path) as sb:
            async with httpx.AsyncClient() as client:
                r = await client.post(sb.url + "/v1/ingest/a", content=b'{"x":1}',
                                      headers=auth(sb.token, **{"Content-Type": NDJSON}))
            return r.json()["ingested"]

    assert asyncio.run(scenario()) == 1


def test_main_serves_until_sigterm(tmp_path):
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "AXIOM_DROP_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from app.core.sandbox import main; sys.exit(main(sys.argv[1:]))",
         "--port", "0", "--token", "xaat-cli-test", "--data-dir", str(tmp_path / "d")],
        cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        second = proc.stdout.readline().strip()
        assert first.startswith("Axiom sandbox listening on http://127.0.0.1:")
        assert second == "token: xaat-cli-test"
        url = first.rsplit(" ", 1)[1]
        r = httpx.post(url + "/v1/ingest/cli", content=b'{"a":1}',
                       headers=auth("xaat-cli-test", **{"Content-Type": NDJSON}))
        assert r.json()["ingested"] == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert (tmp_path / "d" / "cli.ndjson").read_text().count("\n") == 1


def test_bad_dataset_name_on_ingest(sb):
    r = ingest(sb, b'{"a":1}', dataset="bad%20name")
    assert r.status_code == 400 and "dataset name" in r.json()["message"]
    assert sb.datasets() == []
