"""A journal that cannot be written (a full disk) or comes back damaged (a truncated file, a WAL
deleted after a kill): the upload stops or goes on truthfully, the damage is said, and a resume
never sends again without counting what may be stored twice."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from app import cli
from app.core import config, journal
from app.core.journal import locks
from app.core.plan import Plan
from app.core.job import JobState, Source, StopKind, UploadJob, resume_job
from app.core.sniff import sniff_path

ROOT = Path(__file__).resolve().parents[3]
from tests.journal_support import client_for, fast_backoff, sandbox  # noqa: F401 (sandbox: a fixture)


def write_events(path, n):
    with open(path, "w") as f:
        f.writelines('{"n":%d,"msg":"event"}\n' % i for i in range(1, n + 1))
    return path


async def _send(sb, path, during=None, **kw):
    client = client_for(sb)
    try:
        job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                        backoff=fast_backoff, **kw)
        task = asyncio.ensure_future(job.run())
        if during is not None:
            await during(job)
        return await task
    finally:
        await client.aclose()


async def _resume(sb, record):
    client = client_for(sb)
    try:
        return await resume_job(record, client, backoff=fast_backoff).run()
    finally:
        await client.aclose()


def assert_truthful(sb, n, result, dataset="ds"):
    """Every event stored, and any stored twice within the spans reported as possible duplicates."""
    stored = Counter(e["n"] for e in sb.events(dataset))
    assert set(stored) == set(range(1, n + 1))
    twice = [k for k, c in stored.items() if c > 1]
    spans = result.possible_duplicate_lines
    assert all(any(a <= k <= b for a, b in spans) for k in twice), (twice[:5], spans)
    assert result.possible_duplicates >= len(twice)


def check_stop_then_resume(sb, n, result):
    assert result.state != JobState.DONE, "a journal that failed must not end in a silent done"
    assert result.error_kind is StopKind.JOURNAL and "journal" in result.error
    assert result.not_sent > 0 and result.ingested + result.failed + result.not_sent == n
    [record] = journal.unfinished_jobs()
    assert record.id == result.job_id
    again = asyncio.run(_resume(sb, record))
    assert again.state == JobState.DONE and again.not_sent == 0, (again.error, again.warnings[:3], again.not_sent)
    assert_truthful(sb, n, again)
    locks.wait_stopped()  # the checkpoint runs behind the job's end, in its journal thread
    assert not list((config.data_dir() / "journal-markers").iterdir())  # finished and checkpointed: gone


def test_a_journal_write_that_fails_stops_the_job_and_resume_tells_the_truth(sandbox, tmp_path, monkeypatch):
    n = 3_000
    path = write_events(tmp_path / "e.ndjson", n)
    real_ack, calls = journal.Journal.ack, []

    def failing_ack(self, *a, **kw):
        calls.append(1)
        if len(calls) >= 4:
            raise sqlite3.OperationalError("database or disk is full")
        return real_ack(self, *a, **kw)

    monkeypatch.setattr(journal.Journal, "ack", failing_ack)
    result = asyncio.run(_send(sandbox, path, max_events=100, in_flight=2))
    monkeypatch.setattr(journal.Journal, "ack", real_ack)
    check_stop_then_resume(sandbox, n, result)


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """AXIOM_DROP_HOME on a 16 MiB tmpfs (root only)."""
    home = tmp_path / "small-home"
    home.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(home)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip() or 'not permitted'})")
    monkeypatch.setenv("AXIOM_DROP_HOME", str(home))
    yield home
    subprocess.run(["umount", "-l", str(home)], capture_output=True)


def test_a_full_disk_under_the_journal_mid_upload(sandbox, tmp_path, small_disk):
    n = 20_000
    path = write_events(tmp_path / "big.ndjson", n)
    sandbox.faults.delay = 0.01
    filler = small_disk / "filler"

    async def fill_the_disk(job):
        while job.progress.ingested < 3_000:
            await asyncio.sleep(0.005)
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)

    result = asyncio.run(_send(sandbox, path, during=fill_the_disk, max_events=100, in_flight=2))
    filler.unlink()  # the user frees space, then starts again
    sandbox.faults.delay = 0
    check_stop_then_resume(sandbox, n, result)


def _checkpoint():
    conn = sqlite3.connect(journal.db_path())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _crash(sb, path, after, **kw):
    async def go():
        client = client_for(sb)
        job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                        backoff=fast_backoff, **kw)
        task = asyncio.create_task(job.run())
        while job.progress.ingested < after and not task.done():
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
        while job.journal.recorder._journal is not None:  # its connection closes in its own thread
            await asyncio.sleep(0.01)
    asyncio.run(go())


def test_a_truncated_journal_is_moved_aside_and_its_unfinished_job_recovered(sandbox, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AXIOM_URL", sandbox.url)
    monkeypatch.setenv("AXIOM_TOKEN", sandbox.token)
    n = 20_000
    path = write_events(tmp_path / "t.ndjson", n)
    for i in range(30):  # some history, so the file is big enough to cut
        write_events(tmp_path / f"small{i}.ndjson", 5)
        asyncio.run(_send(sandbox, tmp_path / f"small{i}.ndjson"))
    sandbox.faults.delay = 0.02
    _crash(sandbox, path, after=4_000, max_events=500, in_flight=2)
    _checkpoint()
    db = journal.db_path()
    with open(db, "r+b") as f:
        f.truncate(os.path.getsize(db) // 2)
    code = cli.main(["resume", "--json"])
    listing = json.loads(capsys.readouterr().out)
    assert code == 0
    [job] = listing["jobs"]
    assert job["path"] == str(path.resolve())
    assert any("damaged" in n_ and "moved aside" in n_ for n_ in listing["notices"]), listing
    assert "may already be stored" in job["note"]
    assert list(config.data_dir().glob("journal.sqlite3.damaged-*"))
    sandbox.faults.delay = 0
    code = cli.main(["resume", "--all", "--json"])
    [f] = json.loads(capsys.readouterr().out)["files"]
    assert code == 0 and (f["ingested"], f["not_sent"]) == (n, 0)
    big = Counter(e["n"] for e in sandbox.events("ds")) - Counter(
        {k: 30 for k in range(1, 6)})  # the small files stored n=1..5 once each
    twice = [k for k, c in big.items() if c > 1]
    assert set(big) >= set(range(6, n + 1))
    assert all(any(a <= k <= b for a, b in f["possible_duplicate_lines"]) for k in twice)
    assert f["possible_duplicates"] >= len(twice) > 0


@pytest.mark.timeout(120)
def test_a_wal_deleted_after_a_kill_does_not_hide_the_job(sandbox, tmp_path, capsys, monkeypatch):
    n = 60_000
    path = write_events(tmp_path / "k.ndjson", n)
    sandbox.faults.delay = 0.05
    env = dict(os.environ, AXIOM_URL=sandbox.url, AXIOM_TOKEN=sandbox.token, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "app", "send", str(path), "-d", "ds", "--json"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(sandbox.events("ds")) < 20_000 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert len(sandbox.events("ds")) < n, "the upload finished before the kill"
    for suffix in ("-wal", "-shm"):
        Path(str(journal.db_path()) + suffix).unlink(missing_ok=True)
    monkeypatch.setenv("AXIOM_URL", sandbox.url)
    monkeypatch.setenv("AXIOM_TOKEN", sandbox.token)
    sandbox.faults.delay = 0
    code = cli.main(["resume"])
    text = capsys.readouterr().out
    assert code == 0 and "no unfinished uploads" not in text and "k.ndjson" in text, text
    code = cli.main(["resume", "--all", "--json"])
    [f] = json.loads(capsys.readouterr().out)["files"]
    assert code == 0 and (f["ingested"], f["not_sent"]) == (n, 0), f
    stored = Counter(e["n"] for e in sandbox.events("ds"))
    assert set(stored) == set(range(1, n + 1))
    twice = [k for k, c in stored.items() if c > 1]
    assert twice, "the kill came after events were stored: resending them stores them twice"
    assert all(any(a <= k <= b for a, b in f["possible_duplicate_lines"]) for k in twice)
    assert f["possible_duplicates"] >= len(twice)


def _cut_journal():
    with journal.opened() as j:  # some history, so there is a file to cut
        with j.conn:
            j.conn.executemany("INSERT INTO notices (created, text, shown) VALUES (?, ?, 1)",
                               [(time.time(), "x" * 2000)] * 100)
    _checkpoint()
    db = journal.db_path()
    with open(db, "r+b") as f:
        f.truncate(os.path.getsize(db) // 2)


def test_a_damaged_journal_opened_by_several_threads_at_once_is_moved_aside_once(tmp_path):
    """The window's start-up asks the journal several things at once (worker threads): one finds
    the damage and moves the file aside; the others open the new journal, not the old file (whose
    connection, closed after the move, would delete the new journal's WAL by name)."""
    for round_ in range(6):
        for p in config.data_dir().glob("journal.sqlite3*"):
            p.unlink()
        _cut_journal()
        barrier = threading.Barrier(4)

        def ask():
            barrier.wait()
            with journal.opened() as j:
                return j.unfinished()

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            assert [f.result() for f in [pool.submit(ask) for _ in range(4)]] == [[]] * 4
        notices = journal.notices()
        assert len([n for n in notices if "moved aside" in n]) == 1, (round_, notices)
        assert len(list(config.data_dir().glob("journal.sqlite3.damaged-*[0-9]"))) == 1, round_


def test_a_damaged_journal_opened_leaves_no_connection_to_spoil_the_new_one(tmp_path):
    """The connection that found the damage is closed before the file is moved aside: left to the
    garbage collector, its close would checkpoint the old file and delete the WAL and shared-memory
    files by name, the new journal's by then (its notice and recovered jobs lost, or its locks
    confused so that the window's start-up waited out the busy timeout)."""
    _cut_journal()
    gc.collect()
    gc.disable()  # the collector runs at a moment of its choosing: here, while the new journal is open
    try:
        with journal.opened() as j:  # finds the damage, moves the file aside, starts a new journal
            held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                    if os.path.exists(f"/proc/self/fd/{fd}")]
            assert not [p for p in held if ".damaged-" in p], held  # nothing left open on the old file
            gc.collect()
            notices = journal.notices()  # a second connection, as the window's start-up opens one per question
            assert j.unfinished() == []
    finally:
        gc.enable()
    assert any("damaged" in n and "moved aside" in n for n in notices), notices
    assert len(list(config.data_dir().glob("journal.sqlite3.damaged-*[0-9]"))) == 1  # the new one is sound
