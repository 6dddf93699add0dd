"""The async side an upload job drives (one worker thread: ordered writes, the loop never blocks).

Fewer round trips per job, the same promises: a queued job's start is not awaited (the job opens
its file meanwhile; its first in-flight mark waits for it, in order), and an ack is not awaited
(every later write of the job, in-flight marks and the outcome included, runs after it). Each
round trip to the worker costs the job a turn of the event loop, which the window's loop pays
for dearly: a folder of 2,000 small files made ~8,000 of them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sqlite3
import threading
from typing import Any

from app.core import config
from app.core.journal.identity import identify, source_change
from app.core.journal import locks
from app.core.journal.locks import JobLock
from app.core.journal.markers import Marker, MarkerState
from app.core.journal.schema import QUEUED, RUNNING, BatchMark, JobRecord, Refusal, StopKind
from app.core.journal.store import Journal, JournalError, job_row, new_job_id

log = logging.getLogger(__name__)

IDLE_WORKERS = 8  # journal threads kept for the next jobs (a queue runs three at once)


class _Workers:
    """Single-thread workers handed from one job to the next: a folder of 2,000 files would
    otherwise start (and stop) 2,000 threads, each start a wait of the event loop's thread. A
    worker goes back only after the last write of its job ran, so jobs never queue behind
    each other and each job's writes keep their order."""

    def __init__(self) -> None:
        self._idle: list[concurrent.futures.ThreadPoolExecutor] = []
        self._lock = threading.Lock()

    def take(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="axiom-drop-journal")

    def give_back(self, pool: concurrent.futures.ThreadPoolExecutor) -> None:
        """(in that worker, its job's last call)"""
        with self._lock:
            if len(self._idle) < IDLE_WORKERS:
                self._idle.append(pool)
                return
        pool.shutdown(wait=False)


_workers = _Workers()


class JobRecorder:
    """Journals one job. Every call runs in its own single worker thread, so writes keep their
    order and an fsync never stalls the event loop (which may be Qt's).

    Beside the journal it keeps the job's marker (markers.py) up to date: the transactions that
    committed, the last batch whose request may start. When the journal cannot be created the job
    goes on unjournaled and `problem` says why (a warning); when a write fails once the job is
    journaled, `failed` is set and the job stops (its marker records the failure, so the next
    open knows the record may be behind)."""

    def __init__(self) -> None:
        self._pool = _workers.take()
        self._closed = False  # close() ran: nothing more is written (the worker serves the next job)
        self._journal: Journal | None = None
        self._lock: JobLock | None = None
        self._marker: Marker | None = None
        self.job_id: str | None = None
        self.problem: str | None = None
        self.failed = False  # a write failed after the job was journaled
        self.refusal: Refusal | None = None  # the deferred start of a queued job refused (start_queued)
        self._starting: concurrent.futures.Future | None = None

    @property
    def active(self) -> bool:
        return self.job_id is not None

    def _submit(self, fn, *args, **kw) -> concurrent.futures.Future:
        if self._closed:
            raise RuntimeError("the job's journal is closed")
        return self._pool.submit(fn, *args, **kw)

    async def _call(self, fn, *args, **kw):
        return await asyncio.wrap_future(self._submit(self._guarded, fn, *args, **kw))

    def _later(self, fn) -> None:
        """Run `fn` in the worker without waiting for it: the job's later writes run after it,
        and a failure stops the job at its next in-flight mark (as a failure of any write does)."""
        try:
            self._submit(self._guarded, fn).add_done_callback(_log_crash)
        except RuntimeError:  # the recorder was closed (the job's task cancelled): nothing is written
            pass

    def _guarded(self, fn, *args, **kw):
        """In the worker: `fn`, unless a deferred start refused the job; a journal error is a failure."""
        if self.refusal is not None:
            return None
        try:
            return fn(*args, **kw)
        except (sqlite3.Error, JournalError, OSError) as e:
            self._fail(e)
            return None

    def _j(self) -> Journal:
        if self._journal is None:  # the start failed (already said): nothing more is written
            raise JournalError("the journal is not open")
        return self._journal

    def _fail(self, e: BaseException) -> None:
        if self.job_id is None:  # the job could not be journaled at all
            if self.problem is None:
                self.problem = (f"the journal could not be written ({e}): this upload cannot be resumed if it "
                                "is interrupted")
            return
        if not self.failed:
            self.failed = True
            self.problem = (f"the journal could not be written ({e}): the upload stopped, so that a resume can "
                            f"account for every event sent. Free some space in {config.data_dir()}, then resume "
                            f"it (axiom-drop resume {self.job_id}, or Resume in the window)")
            if self._marker is not None:
                try:
                    self._marker.update(failed=str(e))
                except OSError:
                    pass

    def _committed(self, **marker) -> None:
        """After each of the job's transactions (in the worker thread): the marker counts it."""
        if self._marker is not None:
            self._marker.update(commits=self._marker.state.commits + 1, **marker)

    def _ensure(self) -> Journal:
        if self._journal is None:
            self._journal = Journal()
        return self._journal

    # -- starting ----------------------------------------------------------------------------
    async def start_new(self, *, kind: str, name: str, path: str | None, dataset: str, profile: str | None,
                        endpoint: str | None, plan: Any, max_events: int, max_bytes: int,
                        compression: str | None) -> str | None:
        def go() -> str:
            identity = None
            if kind == "file" and path is not None:
                try:
                    identity = identify(path)
                except OSError:
                    identity = None  # the job's own open reports why
            j = self._ensure()
            job_id = new_job_id()
            lock = JobLock(job_id)
            lock.acquire()  # before the marker: a marker without its lock is one to reconcile
            self._lock = lock
            row = job_row(job_id=job_id, kind=kind, name=name, identity=identity, dataset=dataset,
                          profile=profile, endpoint=endpoint, plan=plan, max_events=max_events,
                          max_bytes=max_bytes, compression=compression)
            marker = Marker(job_id, job=row)
            try:
                marker.create()
                j.create_job(kind=kind, name=name, identity=identity, dataset=dataset, profile=profile,
                             endpoint=endpoint, plan=plan, max_events=max_events, max_bytes=max_bytes,
                             compression=compression, job_id=job_id)
                marker.update(commits=1)
            except BaseException:
                marker.remove()
                lock.release()
                self._lock = None
                raise
            self._marker = marker
            return job_id

        self.job_id = await self._call(go)
        return self.job_id

    async def start_resume(self, record: JobRecord, fresh: dict[str, Any] | None = None,
                           ) -> tuple[list[BatchMark], list, Refusal | None]:
        """(batches, acked failures, refusal) for a job about to run again. Refusal is a message
        when it cannot: it runs elsewhere, or its source changed (then it is closed for good).
        A queued job (never started) takes its file as it is now."""
        self.job_id = record.id  # a write that fails from here on stops the job
        out = await self._call(self._resume_entry, record, fresh)
        if out is None or out[2] is not None:
            self.job_id = None
        if out is None:
            return [], [], Refusal(StopKind.BUSY, self.problem or "the journal cannot be read")
        return out

    def start_queued(self, record: JobRecord, fresh: dict[str, Any] | None = None) -> None:
        """A queued job starts without waiting for its journal entry: it has no batches to skip
        (it never started), so the job opens and reads its file meanwhile. Its first in-flight
        mark runs after this start, in the worker, and refuses the batch when the start refused
        (`refusal`) or failed; `started()` waits for it."""
        self.job_id = record.id

        def go() -> None:
            refusal = self._resume_entry(record, fresh, queued_only=True)[2]
            if refusal is not None:
                self.refusal = refusal

        self._starting = self._submit(self._guarded, go)

    async def started(self) -> Refusal | None:
        """Once a deferred start (start_queued) ran: why it refused the job, or None."""
        if self._starting is not None:
            if not self._starting.done():  # (a done one is not awaited: that costs a turn of the loop)
                await asyncio.wrap_future(self._starting)
            if self.refusal is not None:
                self.job_id = None
        return self.refusal

    def _resume_entry(self, record: JobRecord, fresh: dict[str, Any] | None, queued_only: bool = False):
        """(in the worker) start_resume's work: the lock, the checks, the marker, "running".
        `queued_only`: refuse a job that is no longer queued (it has batches the job did not skip)."""
        locks.wait_stopped(record.id)
        lock = JobLock(record.id)
        if not lock.acquire():
            return [], [], Refusal(StopKind.BUSY,
                                   f"job {record.id} ({record.name}) is running in another window or process")
        self._lock = lock
        j = self._ensure()
        current = j.job(record.id)
        if current is None or not (current.state in (RUNNING, QUEUED) or current.resumable):
            lock.release()
            self._lock = None
            return [], [], Refusal(StopKind.BUSY, f"job {record.id} ({record.name}) has already finished")
        queued = current.state == QUEUED
        if queued_only and not queued:  # started elsewhere meanwhile
            lock.release()
            self._lock = None
            return [], [], Refusal(StopKind.BUSY, f"job {record.id} ({record.name}) is no longer queued")
        if not queued:
            change = source_change(current)
            if change is not None:
                if change.kind is StopKind.CHANGED:  # gone or unreadable: it may come back
                    j.refuse(record.id, change.message)
                lock.release()
                self._lock = None
                return [], [], change
        marker = Marker(record.id, MarkerState(commits=current.commits,
                                               sent_seq=current.suspect_seq if current.suspect_seq is not None
                                               else -1), job=marker_row(current))
        marker.attach()
        self._marker = marker
        if queued:  # its file as it is now, and "running": one transaction
            try:
                identity = identify(current.path or "")
            except OSError:
                identity = None  # the job's own open says why
            j.begin_queued(record.id, identity, **(fresh or {}))
        else:
            j.restart(record.id)
        self._committed()
        return j.resume_marks(record.id), j.failures(record.id, acked_only=True), None

    # -- batches -------------------------------------------------------------------------------
    async def inflight(self, seq: int, start: int, end: int, first_line, last_line, events: int) -> bool:
        """Before the batch's first request. False: the journal failed, do not send it."""
        if not self.active:
            return not self.failed

        def go():
            self._j().mark_inflight(self.job_id, seq, start, end, first_line, last_line, events)
            state = self._marker.state if self._marker is not None else None
            if state is not None and seq >= state.sent_seq:
                self._committed(sent_seq=seq, sent_line=last_line)
            else:
                self._committed()

        await self._call(go)
        return not self.failed and self.refusal is None

    def ack(self, **kw) -> None:
        """The batch is acknowledged: written behind (not awaited), before the job's next write."""
        if self.active:
            self._later(lambda: (self._j().ack(self.job_id, **kw), self._committed()))

    def unmark(self, seq: int) -> None:
        if self.active:
            self._later(lambda: (self._j().unmark(self.job_id, seq), self._committed()))

    async def finish(self, **kw) -> None:
        """The outcome: first into the marker (it is all the next open has if the journal write
        fails), then the journal (awaited: a job shown done is done in the journal); the
        checkpoint after which the marker goes runs behind."""
        if self.active:
            def go():
                if self.failed and self._marker is not None:  # here: after the writes behind it
                    kw.update(suspect_seq=self._marker.state.sent_seq, note=self.problem)
                if self._marker is not None:
                    final = {k: v for k, v in kw.items() if k not in ("job_failures", "note", "suspect_seq")}
                    try:
                        self._marker.update(final=final)
                    except OSError:
                        pass
                self._j().finish(self.job_id, **kw)
                self._committed()

            await self._call(go)
            self._later(lambda: self._j().settled(self.job_id))
        self.close()

    def close(self) -> None:
        """Release the job's lock and the connection (also when the job's task is cancelled), after
        the writes queued behind: the lock keeps another process from taking the job over before
        its acknowledgements are in; this process shows the job as stopped at once
        (locks.is_uploading), and its listing and its own resume wait for them (locks.wait_stopped). The
        marker stays until the job's final state is checkpointed."""
        if self._closed:
            return
        pending_start = self._starting is not None and not self._starting.done()
        job_id = self._lock.job_id if self._lock is not None else self.job_id if pending_start else None
        done = locks.stopping(job_id) if job_id is not None else None

        def shut() -> None:  # the job's last call in its worker, which then serves the next job
            try:
                if self._lock is not None:  # (a start that was pending has taken it by now)
                    self._lock.release()
                    self._lock = None
                if self._marker is not None:
                    self._marker.close()
                if self._journal is not None:
                    self._journal.close()
                    self._journal = None
            finally:
                if done is not None:
                    locks.stopped(job_id, done)
                _workers.give_back(self._pool)

        try:
            self._submit(shut)
        except RuntimeError:  # the interpreter is shutting down: no worker runs it
            if self._lock is not None:
                self._lock.release()
            if done is not None:
                locks.stopped(job_id, done)
        self._closed = True


def marker_row(record: JobRecord) -> dict:
    """A journaled job's row, as a marker keeps it."""
    row = {k: getattr(record, k) for k in ("id", "created", "kind", "name", "path", "size", "mtime_ns",
                                           "head_sha256", "dataset", "profile", "endpoint", "plan",
                                           "max_events", "max_bytes", "compression")}
    return row


def _log_crash(future: concurrent.futures.Future) -> None:
    """A write behind that crashed (not a journal error: those are failures, said as such)."""
    if not future.cancelled() and future.exception() is not None:
        log.error("journal write crashed", exc_info=future.exception())
