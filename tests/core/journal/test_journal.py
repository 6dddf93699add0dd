"""The journal itself: SQLite in WAL mode under the data dir, the history (search, prune), pasted
sends, and uploads that go on when the journal is off or cannot be written."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import pytest

from app.core import config, journal
from app.core.plan import Plan
from app.core.job import Source, UploadJob
from app.core.sniff import sniff_bytes, sniff_path
from tests.journal_support import client_for, fast_backoff, sandbox, write_ndjson  # noqa: F401 (sandbox: a fixture)


def run(sb, path, **kw):
    async def go():
        client = client_for(sb)
        try:
            return await UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                                   backoff=fast_backoff, **kw).run()
        finally:
            await client.aclose()

    return asyncio.run(go())


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


def test_many_jobs_in_a_row_are_each_journaled_whole_on_a_few_reused_threads(sandbox, tmp_path):
    """A folder's worth of small jobs: every job's batch acked and its outcome stored, while the
    journal's threads are handed from job to job (not one started per job)."""
    import threading

    paths = [write_ndjson(tmp_path / f"f{i:02d}.ndjson", 5) for i in range(30)]

    async def go():
        client = client_for(sandbox)
        seen: set = set()  # the threads themselves (an ident is reused once a thread ends)
        try:
            results = []
            for i in range(0, len(paths), 3):  # three at once, as the queue runs them
                results += await asyncio.gather(*(UploadJob(
                    Source.from_path(p), Plan.from_sniff(sniff_path(p)), client, "ds", backoff=fast_backoff).run()
                    for p in paths[i:i + 3]))
                seen |= {t for t in threading.enumerate() if t.name.startswith("axiom-drop-journal")}
            return results, seen
        finally:
            await client.aclose()

    results, threads = asyncio.run(go())
    assert [r.ingested for r in results] == [5] * 30
    conn = sqlite3.connect(config.data_dir() / "journal.sqlite3")
    assert conn.execute("SELECT count(*), sum(state = 'done'), sum(ingested) FROM jobs").fetchone() == (30, 30, 150)
    assert conn.execute("SELECT count(*) FROM batches WHERE status = 'acked'").fetchone()[0] == 30
    assert journal.unfinished_jobs() == []
    assert len(threads) <= 9  # a few workers for 30 jobs
