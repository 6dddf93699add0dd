"""The async side an upload job drives (one worker thread: ordered writes, the loop never blocks)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from typing import Any

from app.core.journal.identity import identify, source_change
from app.core.journal.locks import JobLock
from app.core.journal.schema import RUNNING, BatchMark, JobRecord, Refusal, StopKind
from app.core.journal.store import Journal, JournalError


class JobRecorder:
    """Journals one job. Every call runs in its own single worker thread, so writes keep their
    order and an fsync never stalls the event loop (which may be Qt's). When the journal cannot
    be written, the job goes on unjournaled and `problem` says why (shown as a warning)."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="axiom-drop-journal")
        self._journal: Journal | None = None
        self._lock: JobLock | None = None
        self.job_id: str | None = None
        self.problem: str | None = None

    @property
    def active(self) -> bool:
        return self.job_id is not None and self.problem is None

    async def _call(self, fn, *args, **kw):
        if self.problem is not None and self._journal is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, lambda: fn(*args, **kw))
        except (sqlite3.Error, JournalError, OSError) as e:
            self._fail(e)
            return None

    def _fail(self, e: BaseException) -> None:
        if self.problem is None:
            self.problem = (f"the journal could not be written ({e}): this upload cannot be resumed if it "
                            "is interrupted")
        self.job_id = None

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
            job_id = self._ensure().create_job(
                kind=kind, name=name, identity=identity, dataset=dataset, profile=profile, endpoint=endpoint,
                plan=plan, max_events=max_events, max_bytes=max_bytes, compression=compression)
            lock = JobLock(job_id)
            lock.acquire()
            self._lock = lock
            return job_id

        self.job_id = await self._call(go)
        return self.job_id

    async def start_resume(self, record: JobRecord) -> tuple[list[BatchMark], list, Refusal | None]:
        """(batches, acked failures, refusal) for a job about to run again. Refusal is a message
        when it cannot: it runs elsewhere, or its source changed (then it is closed for good)."""

        def go():
            lock = JobLock(record.id)
            if not lock.acquire():
                return [], [], Refusal(StopKind.BUSY,
                                       f"job {record.id} ({record.name}) is running in another window or process")
            self._lock = lock
            j = self._ensure()
            current = j.job(record.id)
            if current is None or not (current.state == RUNNING or current.resumable):
                lock.release()
                self._lock = None
                return [], [], Refusal(StopKind.BUSY, f"job {record.id} ({record.name}) has already finished")
            change = source_change(record)
            if change is not None:
                if change.kind is StopKind.CHANGED:  # gone or unreadable: it may come back
                    j.refuse(record.id, change.message)
                lock.release()
                self._lock = None
                return [], [], change
            j.restart(record.id)
            return j.batches(record.id), j.failures(record.id, acked_only=True), None

        out = await self._call(go)
        if out is None:
            return [], [], Refusal(StopKind.BUSY, self.problem or "the journal cannot be read")
        if out[2] is None:
            self.job_id = record.id
        return out

    # -- batches -------------------------------------------------------------------------------
    async def inflight(self, seq: int, start: int, end: int, first_line, last_line, events: int) -> None:
        if self.active:
            await self._call(self._journal.mark_inflight, self.job_id, seq, start, end, first_line, last_line, events)

    async def ack(self, **kw) -> None:
        if self.active:
            await self._call(self._journal.ack, self.job_id, **kw)

    async def unmark(self, seq: int) -> None:
        if self.active:
            await self._call(self._journal.unmark, self.job_id, seq)

    async def finish(self, **kw) -> None:
        if self.active:
            await self._call(self._journal.finish, self.job_id, **kw)
        self.close()

    def close(self) -> None:
        """Release the job's lock and the connection (also when the job's task is cancelled)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

        def shut() -> None:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

        try:
            self._pool.submit(shut)
        except RuntimeError:
            pass
        self._pool.shutdown(wait=False)
