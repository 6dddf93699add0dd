"""Command lines `send` refuses (exit 2), naming the rule: a dataset name Axiom would not create
(--create-dataset: before any request at all), a --column-type for a column the file does not
have, a --records-path on a file that is not a JSON object (no ingest request). Through the real
entry point, with AXIOM_URL pointing at a sandbox on loopback and its request log checked."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.sandbox import Sandbox


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    with Sandbox(tmp_path / "sb") as sb:
        sb.create_dataset("web")
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", sb.token)
        yield sb


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ingests(sb):
    return [r for r in sb.requests_log if r["method"] == "POST"]


def ndjson(path, n=3):
    path.write_text("".join(json.dumps({"n": i, "msg": "hi"}) + "\n" for i in range(1, n + 1)))
    return path


def csv_file(path):
    path.write_text("id,price,ok\n1,2.5,true\n2,3.0,false\n3,4.25,true\n")
    return path


@pytest.mark.parametrize("name, rule", [
    ("my logs", "letters, digits"),
    ("-web", "starts and ends with a letter or a digit"),
    ("axiom-mine", "reserved"),
    ("x" * 81, "at most 80 characters"),
])
def test_create_dataset_with_a_name_axiom_refuses_sends_nothing(sandbox, tmp_path, capsys, name, rule):
    path = ndjson(tmp_path / "a.ndjson")
    code, out, err = run(capsys, "send", str(path), f"--dataset={name}", "--create-dataset")
    assert code == 2
    assert rule in err and repr(name) in err
    assert "at most 80 of letters, digits" in err  # the whole rule, whichever part was broken
    assert sandbox.requests_log == []  # refused before any request
    assert sandbox.datasets() == ["web"]


def test_create_dataset_refusal_in_json_mode_is_one_object(sandbox, tmp_path, capsys):
    code, out, _ = run(capsys, "send", str(ndjson(tmp_path / "a.ndjson")), "-d", "bad/name", "--create-dataset",
                       "--json")
    assert code == 2
    assert "cannot create dataset 'bad/name'" in json.loads(out)["error"]
    assert sandbox.requests_log == []


def test_column_type_for_an_unknown_column_lists_the_files_columns(sandbox, tmp_path, capsys):
    path = csv_file(tmp_path / "prices.csv")
    code, out, _ = run(capsys, "send", str(path), "-d", "web", "--column-type", "prize=number")
    assert code == 2
    assert "no column 'prize'" in out and "its columns: id, price, ok" in out
    assert ingests(sandbox) == [] and sandbox.events("web") == []


def test_column_type_on_a_file_that_is_not_csv_is_refused(sandbox, tmp_path, capsys):
    code, out, _ = run(capsys, "send", str(ndjson(tmp_path / "a.ndjson")), "-d", "web", "--column-type",
                       "n=number", "--json")
    [f] = json.loads(out)["files"]
    assert code == 2
    assert "column types apply to CSV" in f["error"] and "ndjson" in f["error"]
    assert (f["ingested"], f["not_sent"]) == (0, 0)
    assert ingests(sandbox) == []


def test_a_known_column_type_still_sends(sandbox, tmp_path, capsys):
    path = csv_file(tmp_path / "prices.csv")
    code, out, _ = run(capsys, "send", str(path), "-d", "web", "--typed-columns", "on", "--column-type", "id=text")
    assert code == 0, out
    assert sorted(e["id"] for e in sandbox.events("web")) == ["1", "2", "3"]


@pytest.mark.parametrize("make, what", [(ndjson, "NDJSON"), (csv_file, "CSV")])
def test_records_path_on_ndjson_or_csv_is_refused(sandbox, tmp_path, capsys, make, what):
    path = make(tmp_path / ("a.ndjson" if make is ndjson else "a.csv"))
    code, out, _ = run(capsys, "send", str(path), "-d", "web", "--records-path", "data")
    assert code == 2
    assert "records path 'data'" in out and what in out and "JSON object" in out
    assert ingests(sandbox) == [] and sandbox.events("web") == []


def test_records_path_on_a_one_line_object_sends_its_records(sandbox, tmp_path, capsys):
    """A small object on one line sniffs as one NDJSON event: naming its array makes it a wrapper."""
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"data": [{"n": 1}, {"n": 2}], "has_more": False, "cursor": "x" * 40}))
    code, out, _ = run(capsys, "send", str(path), "-d", "web", "--records-path", "data")
    assert code == 0, out
    assert sorted(e["n"] for e in sandbox.events("web")) == [1, 2]
