"""A JSON file with one typo or a cut end is not CSV: `send` refuses it (exit 2) with the JSON
problem and its line, and nothing is stored. Before the fix the sniffer ranked CSV first (~30%
sure) and thousands of rows such as `  },` were stored as junk events. Over real sockets to a
sandbox that behaves as Axiom does."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.sandbox import Sandbox


@pytest.fixture
def axiom_like(tmp_path, monkeypatch):
    with Sandbox(tmp_path / "sb") as sb:
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", sb.token)
        yield sb


def wrapped(indent):
    doc = {"meta": {"k": 1}, "data": [{"a": i, "b": "x" * 20} for i in range(3000)]}
    return json.dumps(doc, indent=indent)


def send(capsys, path, *extra):
    code = cli.main(["send", str(path), "-d", "ds", "--create-dataset", "--json", *extra])
    out, _ = capsys.readouterr()
    return code, json.loads(out)["files"][0]


def test_a_typo_in_pretty_printed_json_is_refused_with_its_line(axiom_like, tmp_path, capsys):
    text = wrapped(1).replace('"a": 7,', '"a": tru,', 1)
    line = text[:text.index("tru,")].count("\n") + 1
    path = tmp_path / "wp_bad.json"
    path.write_text(text)
    code, f = send(capsys, path)
    assert code == 2
    assert f"invalid JSON at line {line}" in f["error"]
    assert (f["ingested"], f["failed"]) == (0, 0)
    assert axiom_like.events("ds") == []


def test_a_typo_in_one_line_json_is_refused_with_line_1(axiom_like, tmp_path, capsys):
    path = tmp_path / "one_bad.json"
    path.write_text(wrapped(None).replace('"a": 7,', '"a": tru,', 1))
    code, f = send(capsys, path)
    assert code == 2
    assert "invalid JSON at line 1" in f["error"]
    assert (f["ingested"], f["failed"]) == (0, 0)
    assert axiom_like.events("ds") == []


def test_a_cut_json_object_is_refused(axiom_like, tmp_path, capsys):
    text = wrapped(1)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    code, f = send(capsys, path)
    assert code == 2
    assert "invalid JSON at line" in f["error"]
    assert axiom_like.events("ds") == []


def test_the_user_may_still_send_it_as_csv_by_choice(axiom_like, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"a": 1,\n "b": tru}\n')
    code, f = send(capsys, path, "--format", "csv")
    assert "invalid JSON" not in (f.get("error") or "")


def test_a_low_confidence_guess_is_sent_only_when_the_format_is_chosen(axiom_like, tmp_path, capsys):
    path = tmp_path / "words.txt"
    path.write_text("a b c\nd e f\n")  # csv, 20% sure
    code, f = send(capsys, path)
    assert code == 2 and "csv only 20% sure" in f["error"] and "--format" in f["error"]
    assert axiom_like.events("ds") == []
    code, f = send(capsys, path, "--format", "csv")
    assert "sure" not in (f.get("error") or "")
    assert f["ingested"] + f["failed"] == 1  # every row counted once the user chose CSV
