"""Files queued in the window but not started: each is journaled as "queued" (resumable from its
start) when it is queued, so a crash or a kill offers them all again. The queue holding them
keeps a lock while it lives, so another process does not offer (and send) them meanwhile; when a
queued job starts, it continues its own entry (JobRecorder.start_resume), so History has one row."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable, Coroutine

from app.core.journal.identity import Identity
from app.core.journal.locks import JobLock
from app.core.journal.schema import QUEUED, JobRecord
from app.core.journal.store import Journal, JournalError, _tx, job_row, new_job_id

log = logging.getLogger(__name__)


class QueueJournal:
    """The journal side of one upload queue (app.core.queue.UploadQueue); `spawn` runs its
    discards as a task (their SQLite work in a worker thread)."""

    def __init__(self, spawn: Callable[[Coroutine, str], Any]) -> None:
        self.owner = "queue-" + new_job_id()
        self._lock = JobLock(self.owner)
        self._held = False
        self._spawn = spawn
        self._forget_ids: list[str] = []
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="axiom-drop-queued")

    def queue(self, entries: list, options: dict[str, Any]) -> None:
        """Journal the queue's new entries of files (each with .source, .dataset, .plan, .error)
        as queued; each entry's resume_record is its record, which its job continues when it
        starts. `options`: the UploadJob keywords it will run with (journal, profile, endpoint,
        max_events, max_bytes, compression)."""
        entries = [e for e in entries if e.source.kind == "file" and not e.error]
        if not entries or not options.get("journal", True):
            return
        common = {k: options.get(k) for k in ("profile", "endpoint", "max_events", "max_bytes", "compression")}
        try:
            records = self.record([dict(name=e.source.name, path=e.source.path, dataset=e.dataset, plan=e.plan,
                                        **common) for e in entries])
        except JournalError as e:  # their jobs are journaled when they start, as ever
            log.warning("%s", e)
            return
        for entry, record in zip(entries, records):
            entry.resume_record = record

    def forget(self, entry) -> None:
        """A queued entry that will not run (removed, cancelled): its journal entry is discarded."""
        record = entry.resume_record
        if record is None or not record.queued:
            return
        entry.resume_record = None
        self._forget_ids.append(record.id)
        if len(self._forget_ids) == 1:  # one worker-thread call for all the rows of one action
            self._spawn(self._discard_forgotten(), "forget queued uploads")

    async def _discard_forgotten(self) -> None:
        await asyncio.sleep(0)
        ids, self._forget_ids = self._forget_ids, []
        try:
            await asyncio.get_running_loop().run_in_executor(self._pool, self.discard, ids)
        except JournalError as e:
            log.warning("removed queued uploads stay in the journal: %s", e)

    def record(self, files: list[dict[str, Any]]) -> list[JobRecord | None]:
        """Journal queued files (each a dict of name, path, dataset, profile, endpoint, plan,
        max_events, max_bytes, compression); their records, None for a file that cannot be
        stat'ed (its job says why when it runs). One transaction for all of them."""
        try:
            return self._record(files)
        except (sqlite3.Error, OSError) as e:
            raise JournalError(f"the queued files could not be journaled ({e})") from None

    def _record(self, files: list[dict[str, Any]]) -> list[JobRecord | None]:
        if not self._held:
            self._held = self._lock.acquire()
        j = Journal()
        try:
            ids: list[str | None] = []
            with _tx(j.conn):
                for f in files:
                    path = f.pop("path")
                    try:
                        st = os.stat(path)
                    except OSError:
                        ids.append(None)
                        continue
                    job_id = new_job_id()
                    identity = Identity(str(Path(path).resolve()), st.st_size, st.st_mtime_ns, "")
                    j.insert_job(job_row(job_id=job_id, kind="file", identity=identity, **f), state=QUEUED,
                                 queued_by=self.owner)
                    ids.append(job_id)
            return [j.job(i) if i is not None else None for i in ids]
        finally:
            j.close()

    def discard(self, job_ids: list[str]) -> None:
        """Forget queued entries the user removed or cancelled (they stay in the History)."""
        try:
            j = Journal()
        except (sqlite3.Error, OSError) as e:
            raise JournalError(str(e)) from None
        try:
            for job_id in job_ids:
                j.discard(job_id)
        finally:
            j.close()

    def close(self) -> None:
        """The queue is gone: its queued entries are offered again (as after a crash)."""
        self._lock.release()
        self._held = False
        self._pool.shutdown(wait=False)
