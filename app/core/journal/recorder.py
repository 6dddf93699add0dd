"""The async side an upload job drives (one worker thread: ordered writes, the loop never blocks)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from typing import Any

from app.core import config
from app.core.journal.identity import identify, source_change
from app.core.journal.locks import JobLock
from app.core.journal.markers import Marker, MarkerState
from app.core.journal.schema import QUEUED, RUNNING, BatchMark, JobRecord, Refusal, StopKind
from app.core.journal.store import Journal, JournalError, job_row, new_job_id


class JobRecorder:
    """Journals one job. Every call runs in its own single worker thread, so writes keep their
    order and an fsync never stalls the event loop (which may be Qt's).

    Beside the journal it keeps the job's marker (markers.py) up to date: the transactions that
    committed, the last batch whose request may start. When the journal cannot be created the job
    goes on unjournaled and `problem` says why (a warning); when a write fails once the job is
    journaled, `failed` is set and the job stops (its marker records the failure, so the next
    open knows the record may be behind)."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="axiom-drop-journal")
        self._journal: Journal | None = None
        self._lock: JobLock | None = None
        self._marker: Marker | None = None
        self.job_id: str | None = None
        self.problem: str | None = None
        self.failed = False  # a write failed after the job was journaled

    @property
    def active(self) -> bool:
        return self.job_id is not None

    async def _call(self, fn, *args, **kw):
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, lambda: fn(*args, **kw))
        except (sqlite3.Error, JournalError, OSError) as e:
            self._fail(e)
            return None

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

        def go():
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
            if current.state == QUEUED:
                try:
                    identity = identify(current.path or "")
                except OSError:
                    identity = None  # the job's own open says why
                j.begin_queued(record.id, identity, **(fresh or {}))
                current = j.job(record.id)
            else:
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
            j.restart(record.id)
            self._committed()
            return j.resume_marks(record.id), j.failures(record.id, acked_only=True), None

        self.job_id = record.id  # a write that fails from here on stops the job
        out = await self._call(go)
        if out is None or out[2] is not None:
            self.job_id = None
        if out is None:
            return [], [], Refusal(StopKind.BUSY, self.problem or "the journal cannot be read")
        return out

    # -- batches -------------------------------------------------------------------------------
    async def inflight(self, seq: int, start: int, end: int, first_line, last_line, events: int) -> bool:
        """Before the batch's first request. False: the journal failed, do not send it."""
        if not self.active:
            return not self.failed

        def go():
            self._journal.mark_inflight(self.job_id, seq, start, end, first_line, last_line, events)
            state = self._marker.state if self._marker is not None else None
            if state is not None and seq >= state.sent_seq:
                self._committed(sent_seq=seq, sent_line=last_line)
            else:
                self._committed()

        await self._call(go)
        return not self.failed

    async def ack(self, **kw) -> None:
        if self.active:
            await self._call(lambda: (self._journal.ack(self.job_id, **kw), self._committed()))

    async def unmark(self, seq: int) -> None:
        if self.active:
            await self._call(lambda: (self._journal.unmark(self.job_id, seq), self._committed()))

    async def finish(self, **kw) -> None:
        """The outcome: first into the marker (it is all the next open has if the journal write
        fails), then the journal; once that is checkpointed the marker goes."""
        if self.active:
            if self.failed and self._marker is not None:
                kw.update(suspect_seq=self._marker.state.sent_seq, note=self.problem)

            def go():
                if self._marker is not None:
                    final = {k: v for k, v in kw.items() if k not in ("job_failures", "note", "suspect_seq")}
                    try:
                        self._marker.update(final=final)
                    except OSError:
                        pass
                self._journal.finish(self.job_id, **kw)
                self._committed()
                self._journal.settled(self.job_id)

            await self._call(go)
        self.close()

    def close(self) -> None:
        """Release the job's lock and the connection (also when the job's task is cancelled); the
        marker stays until the job's final state is checkpointed."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

        def shut() -> None:
            if self._marker is not None:
                self._marker.close()
            if self._journal is not None:
                self._journal.close()
                self._journal = None

        try:
            self._pool.submit(shut)
        except RuntimeError:
            pass
        self._pool.shutdown(wait=False)


def marker_row(record: JobRecord) -> dict:
    """A journaled job's row, as a marker keeps it."""
    row = {k: getattr(record, k) for k in ("id", "created", "kind", "name", "path", "size", "mtime_ns",
                                           "head_sha256", "dataset", "profile", "endpoint", "plan",
                                           "max_events", "max_bytes", "compression")}
    return row
