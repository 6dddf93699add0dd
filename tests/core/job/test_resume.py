"""The journal and resume: an interrupted job continues without losing events, resends only what
was not acknowledged, names the possible duplicates, and refuses a source that changed."""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter

import pytest

from app.core import journal
from app.core.plan import Plan
from app.core.job import JobState, Source, UploadJob, resume_job
from app.sandbox import Sandbox
from app.core.sniff import sniff_path
from tests.journal_support import client_for, counts, crash, fast_backoff, resume, sandbox, write_ndjson  # noqa: F401 (sandbox: a fixture)


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


def test_a_missing_source_is_refused_but_stays_resumable(sandbox, tmp_path):
    """A file that is gone (say, on a drive not mounted now) may come back: unlike a changed one,
    the job is not closed for good."""
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "gone.ndjson", 20_000)
    crash(sandbox, path, after_ingested=5_000, max_events=5_000, in_flight=1)
    [record] = journal.unfinished_jobs()
    moved = path.rename(tmp_path / "away.ndjson")
    result = resume(sandbox, record)
    assert result.state == JobState.FAILED and result.error_kind == "input"
    assert result.error == f"{record.path} no longer exists; not resuming"
    assert [r.id for r in journal.unfinished_jobs()] == [record.id]
    moved.rename(path)
    sandbox.faults.delay = 0
    again = resume(sandbox, journal.unfinished_jobs()[0])
    assert (again.state, again.not_sent) == (JobState.DONE, 0)
    assert set(counts(sandbox)) == set(range(1, 20_001))


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
