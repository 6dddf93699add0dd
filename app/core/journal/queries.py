"""What the window and the CLI ask the journal (each call opens and closes a connection)."""

from __future__ import annotations

import time

from app.core.journal.identity import Identity
from app.core.journal.schema import RUNNING, JobRecord, JobState
from app.core.journal.connection import tx as _tx
from app.core.journal.store import Journal, _record, opened

SENT_STATES = (JobState.DONE.value, JobState.DONE_WITH_FAILURES.value)


def unfinished_jobs() -> list[JobRecord]:
    """Jobs of files that were interrupted (the process died) or stopped with events unsent
    (cancelled, network or quota gave out), not running in any process now. Oldest first."""
    with opened() as j:
        return j.unfinished()


def notices() -> list[str]:
    """What the journal has to say about itself (a damaged file moved aside), each said once."""
    with opened() as j:
        return j.notices()


def get_job(job_id: str) -> JobRecord | None:
    with opened() as j:
        return j.job(job_id)


def find_jobs(prefix: str) -> list[JobRecord]:
    with opened() as j:
        return j.find(prefix)


def history(search: str = "", limit: int = 200) -> list[JobRecord]:
    """Newest first; `search` matches the file name, dataset or job id."""
    with opened() as j:
        return j.history(search, limit)


def failures(job_id: str) -> list[tuple[int | None, int | None, str, str | None]]:
    with opened() as j:
        return j.failures(job_id)


def prune(older_than_days: float) -> int:
    """Forget jobs older than this (config.Settings.history_keep_days); returns how many."""
    with opened() as j:
        return j.prune(older_than_days)


def discard(job_id: str) -> None:
    with opened() as j:
        j.discard(job_id)



def sent_files(identity: Identity, dataset: str | None = None, j: Journal | None = None) -> list[JobRecord]:
    """Jobs that finished sending a file with this size, mtime and head hash (any hash when
    identity.head_sha256 is None) to `dataset`, or to any, newest first. `j`: a journal already
    open (many files, one connection)."""
    sql = "SELECT * FROM jobs WHERE kind='file' AND size=? AND mtime_ns=? AND state IN (?, ?)"
    args: list = [identity.size, identity.mtime_ns, *SENT_STATES]
    if identity.head_sha256 is not None:
        sql += " AND head_sha256=?"
        args.append(identity.head_sha256)
    if dataset is not None:
        sql += " AND dataset=?"
        args.append(dataset)
    if j is not None:
        return [_record(r) for r in j.conn.execute(sql + " ORDER BY created DESC", args).fetchall()]
    with opened() as j:
        return [_record(r) for r in j.conn.execute(sql + " ORDER BY created DESC", args).fetchall()]


def mark_offered(job_ids: list[str]) -> None:
    """The resume bar listed these jobs at start-up (the first time only is kept)."""
    if not job_ids:
        return
    with opened() as j, _tx(j.conn):
        j.conn.executemany("UPDATE jobs SET offered=COALESCE(offered, ?) WHERE id=?",
                           [(time.time(), i) for i in job_ids])


def keep_for_resuming(job_ids: list[str]) -> None:
    """Jobs stopped because the user quit with "Keep for resuming": "paused", not "cancelled"."""
    with opened() as j, _tx(j.conn):
        j.conn.executemany("UPDATE jobs SET state=?, offered=NULL WHERE id=? AND resumable=1 AND state<>?",
                           [(JobState.PAUSED.value, i, RUNNING) for i in job_ids])
