"""`axiom-drop resume` applies the resume bar's rule: an unfinished job whose file was sent in full
to the same dataset since is not listed, not continued by --all, and refused by id, and the
command says why; an unfinished job of another file is still offered. Through the CLI entry point,
against the sandbox over loopback."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from app import cli
from app.core import journal
from tests.journal_support import crash, sandbox  # noqa: F401 (sandbox: a fixture)


def write(path, tag: str, n: int):
    path.write_text("".join('{"f": "%s", "n": %d}\n' % (tag, i) for i in range(1, n + 1)))
    return path


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip().startswith("{") else out)


def test_a_job_whose_file_was_sent_in_full_since_is_not_resumed(sandbox, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AXIOM_URL", sandbox.url)
    monkeypatch.setenv("AXIOM_TOKEN", sandbox.token)
    sandbox.faults.delay = 0.1
    sent, other = write(tmp_path / "sent.ndjson", "s", 20_000), write(tmp_path / "other.ndjson", "o", 20_000)
    crash(sandbox, sent, after_ingested=5_000, max_events=5_000, in_flight=1)
    crash(sandbox, other, after_ingested=5_000, max_events=5_000, in_flight=1)
    code, listing = run(capsys, "resume", "--json")
    assert code == 0 and len(listing["jobs"]) == 2 and "sent_since" not in listing
    stale = next(j for j in listing["jobs"] if Path(j["path"]).name == "sent.ndjson")
    sandbox.faults.delay = 0

    code, out = run(capsys, "send", str(sent), "-d", "ds", "--json")  # the same file, in full, to the same dataset
    assert code == 0 and out["files"][0]["ingested"] == 20_000
    later = out["files"][0]["job_id"]
    stored_before = Counter(e["f"] for e in sandbox.events("ds"))

    code, listing = run(capsys, "resume", "--json")
    assert code == 0 and [Path(j["path"]).name for j in listing["jobs"]] == ["other.ndjson"]
    [why] = listing["sent_since"]
    assert (why["id"], why["sent_in_full_by"]) == (stale["id"], later)
    assert "sent in full" in why["why"] and "twice" in why["why"]

    code, text = run(capsys, "resume")
    assert code == 0 and "other.ndjson" in text
    assert f"note: job {stale['id']} ({stale['name']}) is not resumed: its file was sent in full" in text

    code, out = run(capsys, "resume", stale["id"][:8], "--json")
    assert code == 2 and "sent in full" in out["files"][0]["error"]

    code, out = run(capsys, "resume", "--all", "--json")
    assert code == 0 and [f["path"] for f in out["files"]] == [str(other)]
    assert out["files"][0]["ingested"] == 20_000 and [s["id"] for s in out["sent_since"]] == [stale["id"]]
    stored = Counter(e["f"] for e in sandbox.events("ds"))
    assert stored["s"] == stored_before["s"] and stored["o"] >= 20_000  # nothing of sent.ndjson went out again
    assert {r.id for r in journal.unfinished_jobs()} == {stale["id"]}  # still in the journal, not offered
