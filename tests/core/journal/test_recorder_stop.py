"""A job stopped (its task cancelled) while acknowledgements are still being written behind: it is
shown as stopped at once, listed as unfinished with every acknowledgement counted, and a resume
started right then reads every acknowledgement that was queued before the stop, so it does not
send an acknowledged batch again (a duplicate in the dataset, though counted as a possible one)."""

from __future__ import annotations

import asyncio
import threading

from app.core import journal
from app.core.journal import JobRecorder
from app.core.journal.locks import is_running
from app.core.plan import Plan


async def _started(tmp_path) -> JobRecorder:
    path = tmp_path / "a.ndjson"
    path.write_bytes(b'{"n":1}\n' * 10)
    rec = JobRecorder()
    await rec.start_new(kind="file", name="a.ndjson", path=str(path), dataset="ds", profile=None, endpoint=None,
                        plan=Plan(format="ndjson"), max_events=5,
                        max_bytes=1 << 20, compression=None)
    for seq in (0, 1):
        assert await rec.inflight(seq, seq * 40, seq * 40 + 40, seq * 5 + 1, seq * 5 + 5, 5)
    return rec


def _ack(rec: JobRecorder, seq: int) -> None:
    rec.ack(seq=seq, start=seq * 40, end=seq * 40 + 40, first_line=seq * 5 + 1, last_line=seq * 5 + 5, events=5,
            ingested=5, failed=0, possible_duplicates=0, failures=[], warnings=[], trace_ids=[])


def test_a_resume_right_after_a_stop_reads_the_acks_still_being_written(tmp_path):
    async def go():
        rec = await _started(tmp_path)
        slow_disk = threading.Event()
        rec._later(lambda: slow_disk.wait(10))  # the journal's worker is busy: the acks wait behind
        _ack(rec, 0)
        _ack(rec, 1)
        rec.close()  # the job's task was cancelled
        assert not journal.is_uploading(rec.job_id)  # the History tab: stopped, at once
        threading.Timer(0.3, slow_disk.set).start()
        [record] = journal.unfinished_jobs()  # once its writes ran
        assert record.id == rec.job_id and record.ingested == 10
        resumed = JobRecorder()
        marks, _, refusal = await resumed.start_resume(record)
        assert refusal is None
        assert sorted(m.seq for m in marks if m.status == "acked") == [0, 1]
        resumed.close()

    asyncio.run(go())


def test_the_stopped_job_holds_its_lock_until_its_writes_ran(tmp_path):
    """Another process must not take the job over before its acknowledgements are in."""
    async def go():
        rec = await _started(tmp_path)
        slow_disk = threading.Event()
        rec._later(lambda: slow_disk.wait(10))
        _ack(rec, 0)
        job_id = rec.job_id
        rec.close()
        assert is_running(job_id)  # the lock: what another process sees
        slow_disk.set()
        for _ in range(100):
            if not is_running(job_id):
                break
            await asyncio.sleep(0.02)
        assert not is_running(job_id)

    asyncio.run(go())


def test_a_resume_of_a_record_read_before_the_writes_ran_waits_for_them(tmp_path):
    async def go():
        rec = await _started(tmp_path)
        slow_disk = threading.Event()
        rec._later(lambda: slow_disk.wait(10))
        _ack(rec, 0)
        rec.close()
        record = journal.get_job(rec.job_id)  # read at once: the ack is not in it yet
        assert record.ingested == 0
        threading.Timer(0.3, slow_disk.set).start()
        marks, _, refusal = await JobRecorder().start_resume(record)
        assert refusal is None and [m.seq for m in marks if m.status == "acked"] == [0]

    asyncio.run(go())
