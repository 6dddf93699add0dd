"""`axiom-drop send --json` names the job; `axiom-drop resume` lists unfinished jobs from the
journal and continues them (only where they were sending)."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.core import axiom, config, connect, journal
from app.core.plan import Plan
from tests.journal_support import counts, crash, sandbox, write_ndjson  # noqa: F401 (sandbox: a fixture)


def cli_json(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip().startswith("{") else out, err


def test_send_json_has_a_job_id_and_resume_lists_nothing(tmp_path, capsys):
    path = write_ndjson(tmp_path / "a.ndjson", 20)
    code, out, _ = cli_json(capsys, "send", str(path), "-d", "logs", "--sandbox", "--json")
    assert code == 0
    f = out["files"][0]
    assert f["job_id"] and f["possible_duplicate_lines"] == []
    assert journal.get_job(f["job_id"]).endpoint == connect.SANDBOX_ENDPOINT
    code, out, _ = cli_json(capsys, "resume", "--json")
    assert (code, out) == (0, {"jobs": []})
    code, out, _ = cli_json(capsys, "resume")
    assert "no unfinished uploads" in out


def test_cli_resume_lists_then_continues(sandbox, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AXIOM_URL", sandbox.url)
    monkeypatch.setenv("AXIOM_TOKEN", sandbox.token)
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "cli.ndjson", 30_000)
    crash(sandbox, path, after_ingested=5_000, max_events=5_000, in_flight=2)
    code, listing, _ = cli_json(capsys, "resume", "--json")
    [job] = listing["jobs"]
    assert code == 0 and job["interrupted"] and job["path"] == str(path.resolve())
    code, text, _ = cli_json(capsys, "resume")
    assert job["id"] in text and "resume --all" in text
    code, out, _ = cli_json(capsys, "resume", "nope", "--json")
    assert code == 2 and "no job with id" in out["files"][0]["error"]
    sandbox.faults.delay = 0
    code, out, _ = cli_json(capsys, "resume", job["id"][:6], "--json")
    [f] = out["files"]
    assert code == 0, f
    assert (f["job_id"], f["ingested"], f["not_sent"]) == (job["id"], 30_000, 0)
    assert set(counts(sandbox)) == set(range(1, 30_001))
    code, out, _ = cli_json(capsys, "resume", job["id"], "--json")
    assert code == 2 and "nothing left to send" in out["files"][0]["error"]


def test_cli_resume_refuses_plain_http_to_a_remote_host(sandbox, tmp_path, capsys, monkeypatch):
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "h.ndjson", 20_000)
    crash(sandbox, path, after_ingested=5_000, max_events=5_000, in_flight=1)
    monkeypatch.setenv("AXIOM_URL", "http://axiom.example.com")
    monkeypatch.setenv("AXIOM_TOKEN", "xaat-whatever")
    code = cli.main(["resume", "--all"])
    _, err = capsys.readouterr()
    assert code == 2 and "--allow-http" in err
    # with --allow-http the client is built, and the endpoint check refuses to send elsewhere
    code, out, _ = cli_json(capsys, "resume", "--all", "--allow-http", "--json")
    assert code == 2 and "was sending to" in out["files"][0]["error"]
    assert len(journal.unfinished_jobs()) == 1


def test_cli_resume_uses_the_jobs_own_sandbox_profile(tmp_path, capsys):
    """A job sent with --sandbox resumes into the app's sandbox without any option."""
    path = write_ndjson(tmp_path / "s.ndjson", 10)
    with journal.opened() as j:
        job_id = j.create_job(kind="file", name=str(path), identity=journal.identify(path), dataset="logs",
                              profile="Local sandbox", endpoint=connect.SANDBOX_ENDPOINT,
                              plan=Plan(format="ndjson"), max_events=10_000, max_bytes=4 << 20, compression="zstd")
    code, out, _ = cli_json(capsys, "resume", "--all", "--json")
    assert code == 0 and out["files"][0]["job_id"] == job_id and out["files"][0]["ingested"] == 10
    stored = [json.loads(x) for x in (config.sandbox_dir() / "logs.ndjson").read_text().splitlines()]
    assert sorted(e["n"] for e in stored) == list(range(1, 11))
