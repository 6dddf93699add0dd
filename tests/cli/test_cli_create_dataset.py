"""`send` into a dataset that does not exist: Axiom answers 404 and creates nothing, so without
--create-dataset the upload stops (exit 2) with every event counted as not sent and a message
naming the dataset and the flag; with it, the dataset is made and every event lands. Over real
sockets to a sandbox that behaves as Axiom does."""

from __future__ import annotations

import io
import json
import sys

import pytest

from app import cli
from app.sandbox import Sandbox


@pytest.fixture
def axiom_like(tmp_path, monkeypatch):
    with Sandbox(tmp_path / "sb") as sb:  # the default: no dataset is made on ingest
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", sb.token)
        yield sb


def ndjson(path, n):
    path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(1, n + 1)))
    return path


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ingests(sb):
    return [r for r in sb.requests_log if r["path"].endswith("/ingest") or "/v1/ingest/" in r["path"]]


def test_without_the_flag_nothing_is_sent_and_the_message_names_dataset_and_flag(axiom_like, tmp_path, capsys):
    path = ndjson(tmp_path / "a.ndjson", 25_000)  # three batches of 10,000
    code, out, err = run(capsys, "send", str(path), "-d", "fresh-logs", "--in-flight", "1")
    assert code == 2
    assert "dataset 'fresh-logs' does not exist" in out and "--create-dataset" in out
    assert "0 ingested, 0 failed, 25,000 not sent" in out  # counted, never lost
    assert "axiom-drop resume" in out
    assert axiom_like.datasets() == [] and axiom_like.events("fresh-logs") == []
    assert [r["status"] for r in ingests(axiom_like)] == [404]  # stopped before sending more batches


def test_json_counts_them_as_not_sent_and_resume_sends_them_once_it_exists(axiom_like, tmp_path, capsys):
    path = ndjson(tmp_path / "a.ndjson", 40)
    code, out, _ = run(capsys, "send", str(path), "-d", "later", "--json")
    [f] = json.loads(out)["files"]
    assert code == 2 and f["error_kind"] == "dataset"
    assert (f["ingested"], f["failed"], f["not_sent"]) == (0, 0, 40)
    axiom_like.create_dataset("later")  # made in Axiom's UI, say
    code, out, _ = run(capsys, "resume", f["job_id"], "--json")
    assert code == 0, out
    assert json.loads(out)["files"][0]["ingested"] == 40
    assert sorted(e["n"] for e in axiom_like.events("later")) == list(range(1, 41))


def test_with_the_flag_the_dataset_is_made_and_every_event_lands(axiom_like, tmp_path, capsys):
    path = ndjson(tmp_path / "a.ndjson", 25_000)
    code, out, err = run(capsys, "send", str(path), "-d", "fresh-logs", "--create-dataset", "--json")
    [f] = json.loads(out)["files"]
    assert code == 0, out
    assert (f["ingested"], f["failed"], f["not_sent"], f["possible_duplicates"]) == (25_000, 0, 0, 0)
    assert "created dataset 'fresh-logs'" in err
    assert axiom_like.datasets() == ["fresh-logs"]
    assert sorted(e["n"] for e in axiom_like.events("fresh-logs")) == list(range(1, 25_001))  # once each


def test_the_flag_is_harmless_when_the_dataset_exists(axiom_like, tmp_path, capsys):
    axiom_like.create_dataset("there")
    code, out, err = run(capsys, "send", str(ndjson(tmp_path / "a.ndjson", 3)), "-d", "there", "--create-dataset")
    assert code == 0, out
    assert "created" not in err and len(axiom_like.events("there")) == 3
    assert not [r for r in axiom_like.requests_log if r["method"] == "POST" and r["path"] == "/v2/datasets"]


def test_standard_input_with_the_flag_creates_first(axiom_like, capsys, monkeypatch):
    data = "".join(json.dumps({"n": i}) + "\n" for i in range(5)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run(capsys, "send", "-", "-d", "piped", "--create-dataset")
    assert code == 0, out
    assert len(axiom_like.events("piped")) == 5


def test_a_name_axiom_would_refuse_is_said_before_any_request(axiom_like, tmp_path, capsys):
    code, out, err = run(capsys, "send", str(ndjson(tmp_path / "a.ndjson", 4)), "-d", "axiom-mine", "--create-dataset")
    assert code == 2
    assert "cannot create dataset 'axiom-mine'" in err and "reserved" in err  # tests/cli/test_cli_refusals.py
    assert axiom_like.requests_log == []


def test_a_folder_into_a_missing_dataset_names_every_file(axiom_like, tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    ndjson(folder / "a.ndjson", 3), ndjson(folder / "b.ndjson", 4)
    code, out, _ = run(capsys, "send", str(folder), "-d", "fresh", "--json")
    files = json.loads(out)["files"]
    assert code == 2 and len(files) == 2
    assert files[0]["not_sent"] == 3 and files[0]["error_kind"] == "dataset"
    assert files[1]["path"].endswith("b.ndjson") and files[1]["error"].startswith("not sent, not read: the upload stopped at")
    code, out, _ = run(capsys, "send", str(folder), "-d", "fresh", "--create-dataset", "--json")
    assert code == 0 and [f["ingested"] for f in json.loads(out)["files"]] == [3, 4]
    assert len(axiom_like.events("fresh")) == 7


def test_standard_input_without_the_flag_says_send_again_not_resume(axiom_like, capsys, monkeypatch):
    data = "".join(json.dumps({"n": i}) + "\n" for i in range(5)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run(capsys, "send", "-", "-d", "freshX", "--json")
    [f] = json.loads(out)["files"]
    assert code == 2 and f["error_kind"] == "dataset" and f["not_sent"] == 5
    assert "add --create-dataset and send again" in f["error"]
    assert "resume" not in f["error"] and "kept" not in f["error"], f["error"]


def test_standard_input_is_not_offered_a_resume(axiom_like, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"n": 1}\n')))
    code, out, err = run(capsys, "send", "-", "-d", "freshY")
    assert code == 2 and "add --create-dataset and send again" in out
    assert "axiom-drop resume" not in out + err, out + err
