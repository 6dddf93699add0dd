"""Wrapped records end to end: a JSON object around an array of events (CloudTrail's Records, an
API export's data, a search answer's hits.hits) is sent as one event per element, by default
when the choice is clear, and as one event with --records-path ''."""

from __future__ import annotations

import gzip
import json

from app import cli
from app.core import config
from app.core.sniff import sniff_path


def stored(dataset):
    path = config.sandbox_dir() / f"{dataset}.ndjson"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def send(capsys, *argv):
    code = cli.main(["send", *argv, "--sandbox", "--json", "--create-dataset"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)["files"][0]


def cloudtrail(n: int) -> dict:
    return {"Records": [{"eventVersion": "1.08", "eventTime": f"2026-11-01T08:{i // 60 % 60:02d}:{i % 60:02d}Z",
                         "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "n": i,
                         "requestParameters": {"bucketName": "logs", "key": f"k/{i}"}} for i in range(n)]}


def test_a_cloudtrail_file_is_one_event_per_record(tmp_path, capsys):
    path = tmp_path / "trail.json.gz"
    path.write_bytes(gzip.compress(json.dumps(cloudtrail(25_000), indent=2).encode()))
    s = sniff_path(path)
    assert (s.format, s.records.path) == ("json-object", "Records")
    assert any("each element of 'Records' is an event" in r for r in s.reasons)
    code, f = send(capsys, str(path), "-d", "trail")
    assert code == 0
    assert (f["ingested"], f["failed"], f["not_sent"]) == (25_000, 0, 0)
    events = stored("trail")
    assert sorted(e["n"] for e in events) == list(range(25_000))
    assert events[0]["requestParameters"]["bucketName"] == "logs" and "Records" not in events[0]


def test_records_path_empty_sends_the_object_as_one_event(tmp_path, capsys):
    path = tmp_path / "trail.json"
    path.write_text(json.dumps(cloudtrail(3)))
    code, f = send(capsys, str(path), "-d", "whole", "--records-path", "")
    assert code == 0 and f["ingested"] == 1
    [event] = stored("whole")
    assert len(event["Records"]) == 3


def test_a_search_answer_with_its_other_keys_added(tmp_path, capsys):
    answer = {"took": 7, "timed_out": False,
              "hits": {"total": 40, "hits": [{"_id": f"{i:02d}", "_source": {"msg": f"m{i}"}} for i in range(40)]}}
    path = tmp_path / "search.json"
    path.write_text(json.dumps(answer, indent=2))
    code, f = send(capsys, str(path), "-d", "search", "--records-fields")
    assert code == 0 and f["ingested"] == 40
    events = sorted(stored("search"), key=lambda e: e["_id"])
    assert [e["_user__source"]["msg"] for e in events] == [f"m{i}" for i in range(40)]  # (_ names are Axiom's)
    assert all(e["took"] == 7 and e["timed_out"] is False and e["hits.total"] == 40 for e in events)


def test_an_api_export_keeps_failures_by_line_and_checks_its_end(tmp_path, capsys):
    text = '{"data": [\n  {"n": 1},\n  42,\n  {"n": 3}\n], "has_more": false}\n'
    path = tmp_path / "export.json"
    path.write_text(text)
    code, f = send(capsys, str(path), "-d", "export", "--records-path", "data")
    assert code == 1
    assert (f["ingested"], f["failed"]) == (2, 1)
    assert [x["line"] for x in f["failures"]] == [3]
    assert sorted(e["n"] for e in stored("export")) == [1, 3]
    path.write_text(text.replace("false}", "false"))
    code, f = send(capsys, str(path), "-d", "cut", "--records-path", "data", "--format", "json-object")
    assert (f["ingested"], f["failed"]) == (2, 1) and code != 0
    assert "the JSON object has a syntax error at line 6: expected ',' or '}', the input ends" in f["error"]


def test_a_path_that_is_not_there_is_named(tmp_path, capsys):
    path = tmp_path / "trail.json"
    path.write_text(json.dumps(cloudtrail(2)))
    code, f = send(capsys, str(path), "-d", "none", "--records-path", "items")
    assert code != 0 and f["ingested"] == 0
    assert "holds no key 'items'" in json.dumps(f)


def test_a_missing_dataset_is_said_first_even_when_the_input_also_ends_early(tmp_path, capsys):
    path = tmp_path / "cut.json"
    path.write_text('{"data": [\n  {"n": 1},\n  {"n": 2}\n], "has_more": false\n')
    code = cli.main(["send", str(path), "-d", "nowhere", "--sandbox", "--json"])
    f = json.loads(capsys.readouterr().out)["files"][0]
    assert code == 2 and f["ingested"] == 0
    assert "nowhere" in f["error"] and "--create-dataset" in f["error"]  # not the syntax error: that comes after
