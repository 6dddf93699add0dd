"""The queue's rules without Qt or a server: jobs are stand-ins that finish when told to."""

from __future__ import annotations

import asyncio

import pytest

from app.core.plan import Plan
from app.core.queue import QueueEntry, RetryAction, UploadQueue, can_resume_from, failed_rows_source, retry_action, totals
from app.core.sniff import CsvDialect
from app.core.job import Failure, JobResult, JobState, Progress, Source


class FakeJob:
    """What the queue uses of an UploadJob: run() until finish() is called, pause/resume/cancel."""

    def __init__(self, name: str, dataset: str = "ds", job_id: str | None = None):
        self.source = Source.from_bytes(b"{}\n", name=name)
        self.plan = Plan(format="ndjson", compression=None, encoding="utf-8", csv=None)
        self.dataset = dataset
        self.job_id = job_id
        self.on_progress = None
        self.progress: Progress | None = None
        self.result: JobResult | None = None
        self.calls: list[str] = []
        self._done = asyncio.Event()

    def finish(self, state=JobState.DONE, **counts) -> None:
        self.result = JobResult(name=self.source.name, dataset=self.dataset, state=state, **counts)
        self._done.set()

    async def run(self) -> JobResult:
        self.on_progress(Progress(state=JobState.UPLOADING, total_bytes=3, bytes_read=1))
        await self._done.wait()
        return self.result

    def pause(self):
        self.calls.append("pause")

    def resume(self):
        self.calls.append("resume")

    def cancel(self):
        self.calls.append("cancel")
        if self.result is None:
            self.finish(JobState.CANCELLED, not_sent=1)


class Events:
    """Records what the queue tells its front end."""

    def __init__(self):
        self.log: list[tuple[str, str]] = []
        self.open = True

    def entry_added(self, e):
        self.log.append(("added", e.name))

    def entry_removed(self, e):
        self.log.append(("removed", e.name))

    def entry_changed(self, e, now=False):
        self.log.append(("changed" if now else "progress", e.name))

    def entry_started(self, e):
        self.log.append(("started", e.name))

    def entry_finished(self, e):
        self.log.append(("finished", e.name))

    def is_open(self):
        return self.open


def make_queue(events=None, client=object(), dataset="ds", **kw):
    return UploadQueue(client=lambda: client, dataset=lambda: dataset, where=lambda: {"profile": "p"},
                       spawn=lambda coro, name: asyncio.ensure_future(coro), events=events or Events(), **kw)


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


def test_at_most_three_run_and_the_next_starts_in_order():
    async def go():
        q = make_queue()
        jobs = [FakeJob(f"f{i}") for i in range(5)]
        entries = [q.add_job(j) for j in jobs]
        await settle()
        assert [e.state for e in entries] == [JobState.UPLOADING] * 3 + [JobState.QUEUED] * 2
        jobs[1].finish(ingested=3)
        await settle()
        assert entries[1].state == JobState.DONE and entries[3].running and not entries[4].running
        assert totals(q.entries())["active"] == 4
        for j in jobs:
            if j.result is None:
                j.finish()
        await settle()
        await settle()
        assert all(e.is_finished for e in entries)
        assert [e.attempts for e in entries] == [1] * 5

    asyncio.run(go())


def test_pause_before_start_holds_and_resume_releases():
    async def go():
        q = make_queue(max_concurrent=1)
        first, second = FakeJob("a"), FakeJob("b")
        e1, e2 = q.add_job(first), q.add_job(second)
        q.pause(e2)
        assert e2.state == JobState.PAUSED
        q.pause(e1)
        assert first.calls == ["pause"]
        first.finish()
        await settle()
        assert e2.state == JobState.PAUSED and not e2.running  # held: the free slot stays free
        q.resume(e2)
        assert e2.running
        second.finish()
        await settle()

    asyncio.run(go())


def test_cancel_before_start_and_retry_resends_it():
    async def go():
        q = make_queue(max_concurrent=1)
        busy, waiting = FakeJob("a"), FakeJob("b")
        e1, e2 = q.add_job(busy), q.add_job(waiting)
        q.cancel(e2)
        assert e2.state == JobState.CANCELLED and e2.status_text() == "cancelled"
        assert retry_action(e2) is RetryAction.RESEND  # nothing stored
        busy.finish()
        await settle()
        assert not e2.running  # a cancelled entry is not started
        q.remove(e1)
        assert q.entries() == [e2]

    asyncio.run(go())


def test_not_connected_fails_the_entry_and_says_why():
    async def go():
        events = Events()
        q = make_queue(events, client=None)
        e = q.add(Source.from_bytes(b"{}\n", name="x.ndjson"), None)
        assert e.state == JobState.FAILED and e.error.startswith("Not connected")
        assert ("finished", "x.ndjson") in events.log
        e2 = make_queue(dataset="").add(Source.from_bytes(b"{}\n", name="y.ndjson"), None)
        assert e2.error.startswith("No dataset chosen")

    asyncio.run(go())


def test_a_closed_front_end_starts_nothing_more():
    async def go():
        events = Events()
        q = make_queue(events, max_concurrent=1)
        a, b = FakeJob("a"), FakeJob("b")
        q.add_job(a)
        eb = q.add_job(b)
        events.open = False
        a.finish()
        await settle()
        assert not eb.running and ("finished", "a") not in events.log

    asyncio.run(go())


def test_stop_all_cancels_waiting_then_running_and_returns_their_ids():
    async def go():
        q = make_queue(max_concurrent=1)
        running, waiting = FakeJob("a", job_id="J1"), FakeJob("b", job_id="J2")
        e1, e2 = q.add_job(running), q.add_job(waiting)
        await settle()
        assert await q.stop_all(1.0) == ["J1"]
        assert e1.state == JobState.CANCELLED and e2.state == JobState.CANCELLED
        assert waiting.calls == []  # never started

    asyncio.run(go())


def test_progress_reports_are_recorded_and_announced_without_repainting_now():
    async def go():
        events = Events()
        q = make_queue(events)
        job = FakeJob("a")
        e = q.add_job(job)
        await settle()
        # A third of the bytes read, nothing acknowledged yet: no progress (app.core.progress).
        assert e.progress is not None and e.progress.bytes_read == 1 and e.fraction() == 0.0
        assert ("progress", "a") in events.log
        job.finish()
        await settle()

    asyncio.run(go())


def _finished(result: JobResult, plan=None, job_id=None) -> QueueEntry:
    e = QueueEntry(source=Source.from_bytes(b"", name="in.csv"), plan=plan, dataset="ds", result=result)
    e.job = FakeJob("in.csv", job_id=job_id)
    return e


def test_what_retry_means():
    done = _finished(JobResult("x", "ds", JobState.DONE, ingested=5))
    assert retry_action(done) is RetryAction.NONE
    nothing = _finished(JobResult("x", "ds", JobState.FAILED))
    assert retry_action(nothing) is RetryAction.RESEND
    plan = Plan(format="ndjson", compression="gzip", encoding="utf-16-le", csv=None)
    rows = _finished(JobResult("x", "ds", JobState.DONE_WITH_FAILURES, ingested=4, failed=1,
                               failures=[Failure(2, "bad", '{"a": 1}')]), plan)
    assert retry_action(rows) is RetryAction.FAILED_ROWS
    cut_short = _finished(JobResult("x", "ds", JobState.DONE_WITH_FAILURES, ingested=4, failed=1,
                                    failures=[Failure(2, "bad", '{"a": 1…')]), plan)
    assert retry_action(cut_short) is RetryAction.CONFIRM_RESEND
    stopped = _finished(JobResult("x", "ds", JobState.CANCELLED, ingested=4, not_sent=6), job_id="J")
    assert retry_action(stopped) is RetryAction.RESUME
    stopped.job.job_id = None
    assert retry_action(stopped) is RetryAction.CONFIRM_RESEND
    dups_only = _finished(JobResult("x", "ds", JobState.FAILED, possible_duplicates=2, not_sent=3), job_id="J")
    assert retry_action(dups_only) is RetryAction.RESUME  # possibly stored: never resent blindly
    assert not can_resume_from(None)
    assert can_resume_from(type("R", (), {"resumable": True})())


def test_failed_rows_source_keeps_the_csv_header_and_plain_text():
    plan = Plan(format="csv", compression="gzip", encoding="cp1252",
                csv=CsvDialect(delimiter=";", has_header=False, fields=["a", "b"]))
    e = _finished(JobResult("x", "ds", JobState.DONE_WITH_FAILURES, ingested=3, failed=2,
                            failures=[Failure(2, "bad", "1;2\n"), Failure(5, "bad", "3;4")]), plan)
    source, new_plan = failed_rows_source(e)
    assert source.name == "in.csv (failed rows)"
    assert source.data == b"a;b\n1;2\n3;4\n"
    assert (new_plan.compression, new_plan.encoding, new_plan.csv.has_header) == (None, "utf-8", True)
    assert plan.csv.has_header is False and plan.compression == "gzip"  # the original plan is untouched


def test_retry_runs_the_same_row_again():
    async def go():
        events = Events()
        q = make_queue(events, client=None)  # the retry starts a new UploadJob: here, no connection
        job = FakeJob("a")
        e = q.add_job(job)
        await settle()
        job.finish(JobState.FAILED, error="boom")
        await settle()
        assert e.state == JobState.FAILED and e.result.error == "boom"
        q.retry(e)
        assert q.entries() == [e] and e.result is None and e.job is None
        assert e.error.startswith("Not connected")
        assert events.log.count(("finished", "a")) == 2

    asyncio.run(go())
