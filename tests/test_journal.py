"""The journal and resume: an interrupted job continues without losing events, resends only what
was not acknowledged, names the possible duplicates, and refuses a source that changed."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from collections import Counter

import pytest

from app import cli
from app.core import axiom, config, journal
from app.core.batching import Plan
from app.core.job import Backoff
from app.core.sandbox import Sandbox
from app.core.sniff import sniff_bytes, sniff_path
from app.core.job import JobState, Source, UploadJob, resume_job


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox").start()
    yield sb
    sb.stop()


def fast_backoff():
    return Backoff(start=0.01, cap=0.05, max_attempts=8)


def client_for(sb):
    return axiom.AxiomClient(axiom.Endpoint(sb.url, sb.url), sb.token, timeout=5)


def write_ndjson(path, n, bad=()):
    with open(path, "w") as f:
        for i in range(1, n + 1):
            f.write('{"n": %d, broken\n' % i if i in bad else '{"n": %d, "_time": "2024-01-01T00:00:00Z"}\n' % i)
    return path


def counts(sb, dataset="ds"):
    return Counter(e["n"] for e in sb.events(dataset))


async def _run_and_crash(sb, path, *, after_ingested, **kw):
    """Run a job and cancel its task (like a process dying) once `after_ingested` are stored."""
    client = client_for(sb)
    job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                    backoff=fast_backoff, **kw)
    task = asyncio.create_task(job.run())
    while job.progress.ingested < after_ingested and not task.done():
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.aclose()
    return job


def crash(sb, path, after_ingested, **kw):
    return asyncio.run(_run_and_crash(sb, path, after_ingested=after_ingested, **kw))


def resume(sb, record, **kw):
    async def go():
        client = client_for(sb)
        try:
            return await resume_job(record, client, backoff=fast_backoff, **kw).run()
        finally:
            await client.aclose()

    return asyncio.run(go())


def run(sb, path, **kw):
    async def go():
        client = client_for(sb)
        try:
            return await UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                                   backoff=fast_backoff, **kw).run()
        finally:
            await client.aclose()

    return asyncio.run(go())


def in_spans(n, spans):
    return any(a <= n <= b for a, b in spans)


def test_the_journal_is_sqlite_in_wal_mode_under_the_data_dir(sandbox, tmp_path):
    path = write_ndjson(tmp_path / "a.ndjson", 100)
    result = run(sandbox, path)
    assert result.job_id
    db = config.data_dir() / "journal.sqlite3"
    assert db.exists()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = conn.execute("SELECT state, dataset, endpoint, size, head_sha256, plan FROM jobs").fetchone()
    assert row[0] == "done" and row[1] == "ds" and row[2] == sandbox.url and row[3] == path.stat().st_size
    assert len(row[4]) == 64 and json.loads(row[5])["format"] == "ndjson"
    assert conn.execute("SELECT seq, start, end, first_line, last_line, status, ingested FROM batches").fetchall() == [
        (0, 0, path.stat().st_size, 1, 100, "acked", 100)]
    assert journal.unfinished_jobs() == []


def test_crash_then_resume_sends_the_rest_and_names_possible_duplicates(sandbox, tmp_path):
    sandbox.faults.delay = 0.15
    path = write_ndjson(tmp_path / "big.ndjson", 60_000)
    job = crash(sandbox, path, after_ingested=10_000, max_events=5_000, in_flight=3)
    [record] = journal.unfinished_jobs()
    assert record.id == job.job_id and record.interrupted
    assert 0 < record.ingested < 60_000
    sandbox.faults.delay = 0
    result = resume(sandbox, record)
    assert (result.state, result.ingested, result.failed, result.not_sent) == (JobState.DONE, 60_000, 0, 0)
    stored = counts(sandbox)
    assert set(stored) == set(range(1, 60_001))  # nothing lost
    twice = [n for n, c in stored.items() if c > 1]
    assert all(in_spans(n, result.possible_duplicate_lines) for n in twice)
    assert result.possible_duplicates >= len(twice)
    # only unacknowledged batches were sent again
    acked_before = record.ingested
    assert sum(stored.values()) - 60_000 <= 60_000 - acked_before
    assert journal.unfinished_jobs() == []
    assert journal.get_job(record.id).state == "done"


def test_cancelled_job_resumes_without_duplicates(sandbox, tmp_path):
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "c.ndjson", 40_000)

    async def go():
        client = client_for(sandbox)
        job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                        max_events=5_000, in_flight=2)
        task = asyncio.create_task(job.run())
        while job.progress.ingested < 10_000:
            await asyncio.sleep(0.01)
        job.cancel()
        r = await task
        await client.aclose()
        return r

    first = asyncio.run(go())
    assert first.state == JobState.CANCELLED and first.not_sent > 0
    [record] = journal.unfinished_jobs()
    assert not record.interrupted and record.resumable
    result = resume(sandbox, record)
    assert (result.ingested, result.not_sent, result.possible_duplicates) == (40_000, 0, 0)
    assert counts(sandbox) == Counter(range(1, 40_001))  # every event exactly once


def test_failures_recorded_before_the_crash_are_kept(sandbox, tmp_path):
    sandbox.faults.delay = 0.1
    bad = {3, 2_500, 7_777, 19_000}
    path = write_ndjson(tmp_path / "f.ndjson", 20_000, bad=bad)
    crash(sandbox, path, after_ingested=4_000, max_events=2_000, in_flight=2)
    [record] = journal.unfinished_jobs()
    assert record.failed >= 2  # lines 3 and 2,500 were in acknowledged batches
    sandbox.faults.delay = 0
    result = resume(sandbox, record)
    assert sorted(f.line for f in result.failures) == sorted(bad)
    assert (result.ingested, result.failed, result.not_sent) == (20_000 - len(bad), len(bad), 0)
    assert set(counts(sandbox)) == set(range(1, 20_001)) - bad


def test_a_changed_source_is_refused_not_half_resumed(sandbox, tmp_path):
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "ch.ndjson", 30_000)
    crash(sandbox, path, after_ingested=5_000, max_events=5_000, in_flight=1)
    [record] = journal.unfinished_jobs()
    before = len(sandbox.events("ds"))
    with open(path, "a") as f:
        f.write('{"n": 30001}\n')
    result = resume(sandbox, record)
    assert result.state == JobState.FAILED and result.error_kind == "changed"
    size = record.size
    assert f"changed since the upload started (size {size:,} → {size + 13:,}); not resuming" in result.error
    assert len(sandbox.events("ds")) == before  # nothing more was sent
    assert journal.unfinished_jobs() == []  # refused for good; it stays in the history
    assert journal.get_job(record.id).error == result.error


def test_same_size_rewrite_is_caught_by_the_head_hash(sandbox, tmp_path):
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "h.ndjson", 20_000)
    crash(sandbox, path, after_ingested=5_000, max_events=5_000, in_flight=1)
    [record] = journal.unfinished_jobs()
    data = bytearray(path.read_bytes())
    data[7] = ord("9") if data[7] != ord("9") else ord("8")
    st = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only the hash differs
    result = resume(sandbox, record)
    assert result.error_kind == "changed" and "first MiB differs" in result.error


def test_resume_to_another_endpoint_is_refused(sandbox, tmp_path):
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "e.ndjson", 20_000)
    crash(sandbox, path, after_ingested=5_000, max_events=5_000, in_flight=1)
    [record] = journal.unfinished_jobs()
    other = Sandbox(tmp_path / "other").start()
    try:
        async def go():
            client = client_for(other)
            try:
                resume_job(record, client)
            finally:
                await client.aclose()

        with pytest.raises(journal.ResumeError, match="was sending to"):
            asyncio.run(go())
    finally:
        other.stop()


def test_a_job_running_elsewhere_is_not_listed_nor_resumed(sandbox, tmp_path):
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "r.ndjson", 20_000)
    crash(sandbox, path, after_ingested=5_000, max_events=5_000, in_flight=1)
    [record] = journal.unfinished_jobs()
    lock = journal.JobLock(record.id)
    assert lock.acquire()  # as if another process had resumed it
    try:
        assert journal.unfinished_jobs() == []
        result = resume(sandbox, record)
        assert result.error_kind == "busy" and "running in another" in result.error
    finally:
        lock.release()
    assert [r.id for r in journal.unfinished_jobs()] == [record.id]


@pytest.mark.parametrize("kind", ["csv", "json-array"])
def test_resume_other_formats(sandbox, tmp_path, kind):
    n = 12_000
    if kind == "csv":
        path = tmp_path / "r.csv"
        path.write_text("n,city\n" + "".join(f'{i},"Zürich, {i}"\n' for i in range(1, n + 1)))
    else:
        path = tmp_path / "r.json"
        path.write_text(json.dumps([{"n": i, "s": "é"} for i in range(1, n + 1)], indent=1))
    sandbox.faults.delay = 0.1
    crash(sandbox, path, after_ingested=3_000, max_events=1_000, in_flight=2)
    [record] = journal.unfinished_jobs()
    sandbox.faults.delay = 0
    result = resume(sandbox, record)
    assert (result.ingested, result.failed, result.not_sent) == (n, 0, 0)
    stored = Counter(int(e["n"]) for e in sandbox.events("ds"))
    assert set(stored) == set(range(1, n + 1))
    line_of = (lambda k: k + 1) if kind == "csv" else (lambda k: 2 + 4 * (k - 1))  # indent=1: 4 lines an element
    assert all(in_spans(line_of(k), result.possible_duplicate_lines) for k, c in stored.items() if c > 1)
    if kind == "csv":
        assert {e["city"] for e in sandbox.events("ds")} >= {"Zürich, 1", f"Zürich, {n}"}


def test_pasted_sends_are_in_the_history_not_resumable(sandbox):
    text = b'{"n": 1}\n[2]\n{"n": 3}\n'

    async def go():
        client = client_for(sandbox)
        try:
            return await UploadJob(Source.from_bytes(text, "pasted"), Plan.from_sniff(sniff_bytes(text)),
                                   client, "ds").run()
        finally:
            await client.aclose()

    result = asyncio.run(go())
    assert result.job_id and (result.ingested, result.failed) == (2, 1)
    [h] = journal.history()
    assert (h.kind, h.state, h.ingested, h.failed, h.resumable) == ("pasted", "done with failures", 2, 1, False)
    assert journal.failures(h.id)[0][1:3] == (2, "not a JSON object (an array)")
    assert journal.unfinished_jobs() == []


def test_history_search_and_prune(sandbox, tmp_path):
    for name in ("alpha.ndjson", "beta.ndjson"):
        run(sandbox, write_ndjson(tmp_path / name, 10))
    assert [h.name for h in journal.history()] == [str(tmp_path / "beta.ndjson"), str(tmp_path / "alpha.ndjson")]
    assert [h.name for h in journal.history("alph")] == [str(tmp_path / "alpha.ndjson")]
    assert journal.history("%") == [] and len(journal.history(limit=1)) == 1
    assert journal.prune(older_than_days=1) == 0
    conn = sqlite3.connect(config.data_dir() / "journal.sqlite3")
    conn.execute("UPDATE jobs SET updated=? WHERE name LIKE '%alpha%'", (time.time() - 40 * 86400,))
    conn.commit()
    conn.close()
    assert journal.prune(older_than_days=config.Settings().history_keep_days) == 1
    assert [h.name for h in journal.history()] == [str(tmp_path / "beta.ndjson")]


def test_journal_off_and_unwritable_journal_do_not_stop_uploads(sandbox, tmp_path, monkeypatch):
    path = write_ndjson(tmp_path / "j.ndjson", 50)
    assert run(sandbox, path, journal=False).job_id is None
    assert journal.history() == []
    monkeypatch.setattr(journal.store, "DB_NAME", "no-such-dir/x/journal.sqlite3")
    result = run(sandbox, path)
    assert result.ingested == 50 and result.job_id is None
    assert any("cannot be resumed" in w for w in map(str, result.warnings))


# -- the CLI ----------------------------------------------------------------------------------------


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
    assert journal.get_job(f["job_id"]).endpoint == cli.SANDBOX_ENDPOINT
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
                              profile="Local sandbox", endpoint=cli.SANDBOX_ENDPOINT,
                              plan=Plan(format="ndjson"), max_events=10_000, max_bytes=4 << 20, compression="zstd")
    code, out, _ = cli_json(capsys, "resume", "--all", "--json")
    assert code == 0 and out["files"][0]["job_id"] == job_id and out["files"][0]["ingested"] == 10
    stored = [json.loads(x) for x in (config.sandbox_dir() / "logs.ndjson").read_text().splitlines()]
    assert sorted(e["n"] for e in stored) == list(range(1, 11))
