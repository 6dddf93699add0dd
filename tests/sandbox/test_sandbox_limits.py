"""The sandbox refuses bad payloads and applies Axiom's limits (events per request, body size,
fields, values, reserved names) and its timestamp rules, over real loopback sockets."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest

from app.sandbox import MAX_EVENTS, TOO_LONG, Sandbox
from sandbox_support import ingest, ndjson, parse_time


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


@pytest.mark.parametrize("plan,limit", [("cloud", 1024), ("personal", 256)])
def test_the_plan_sets_the_fields_per_dataset(tmp_path, plan, limit):
    """Axiom's limits page: 256 fields per dataset on the Personal plan, 1,024 on Cloud."""
    with Sandbox(tmp_path, plan=plan) as sb:
        sb.create_dataset("wide")
        r = ingest(sb, ndjson({f"f{i}": i for i in range(limit)}), dataset="wide")
        assert r.json()["ingested"] == 1
        r = ingest(sb, ndjson({"one_more": 1}, {"f0": 2}), dataset="wide")
        assert r.json()["ingested"] == 1 and r.json()["failed"] == 1
        assert f"limit {limit}" in r.json()["failures"][0]["error"]
        sb.faults.max_fields = 10  # a fault only ever lowers the plan's limit
        assert ingest(sb, ndjson({"f1": 1}), dataset="wide").json()["ingested"] == 1
        sb.reset()  # the plan outlives a reset of the faults
        sb.create_dataset("wide")
        assert ingest(sb, ndjson({f"f{i}": i for i in range(limit + 1)}), dataset="wide").json()["failed"] == 1
    with pytest.raises(ValueError, match="unknown plan"):
        Sandbox(tmp_path, plan="enterprise")


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
    r = ingest(sb, body, params={"timestamp-field": "ts"})
    events = {e["k"]: e for e in sb.events("logs")}
    for k in ("s", "ms", "us", "ns", "str", "offset", "naive"):
        assert events[k]["_time"] == "2025-01-12T00:00:00Z", k
        assert "ts" not in events[k]
    assert events["float"]["_time"] == "2025-01-12T00:00:00.25Z"
    # Axiom refuses an event whose time does not parse, rather than giving it the ingest time
    assert "bad" not in events
    assert r.json()["ingested"] == 8 and r.json()["failed"] == 1
    assert "invalid time" in r.json()["failures"][0]["error"]
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


def test_timestamp_format_that_cannot_be_used_refuses_the_event(sb):
    r = ingest(sb, ndjson({"when": "yesterday-ish"}, {"other": 1}),
               params={"timestamp-field": "when", "timestamp-format": "not a layout"})
    assert (r.json()["ingested"], r.json()["failed"]) == (1, 1)
    [event] = sb.events("logs")
    assert event["other"] == 1  # no time field at all: the ingest time
    assert abs((parse_time(event["_time"]) - datetime.now(timezone.utc)).total_seconds()) < 30


@pytest.mark.parametrize("layout, value, expected", [
    # As Go's time.Parse: a zone abbreviation other than UTC has a zero offset (not -08:00) …
    ("Mon, 02 Jan 2006 15:04:05 MST", "Sun, 12 Jan 2025 00:00:00 PST", "2025-01-12T00:00:00Z"),
    ("2006-01-02 15:04:05 MST", "2025-07-12 10:00:00 CEST", "2025-07-12T10:00:00Z"),
    # … and a zone-less time is UTC
    ("02.01.2006 15:04", "12.01.2025 13:14", "2025-01-12T13:14:00Z"),
])
def test_timestamp_format_reads_as_go_does(sb, layout, value, expected):
    ingest(sb, ndjson({"when": value}), params={"timestamp-field": "when", "timestamp-format": layout})
    [event] = sb.events("logs")
    assert event["_time"] == expected


def test_a_layout_without_a_year_is_year_0_and_refused(sb):
    r = ingest(sb, ndjson({"when": "Jan  2 03:04:05", "n": 1}), params={"timestamp-field": "when",
                                                                        "timestamp-format": "Jan _2 15:04:05"})
    assert (r.json()["ingested"], r.json()["failed"]) == (0, 1)
    assert sb.events("logs") == []


def test_an_invalid_time_field_is_refused(sb):
    r = ingest(sb, ndjson({"_time": "soon", "n": 1}, {"_time": None, "n": 2}, {"_time": "2025-01-12T00:00:00Z", "n": 3}))
    assert (r.json()["ingested"], r.json()["failed"]) == (2, 1)
    assert sorted(e["n"] for e in sb.events("logs")) == [2, 3]
