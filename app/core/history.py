"""What the window's views ask of the journal, as functions: the History tab's rows, the
unfinished uploads offered at start-up (and where each stopped), a job's failures, pruning and
discarding. Views call these (in a worker thread: SQLite) and never open the journal themselves.
"""

from __future__ import annotations

from typing import Iterable

from app.core import journal
from app.core.job import Failure, more_failures_text
from app.core.job.results import FailureTally


def history_state(record: journal.JobRecord) -> str:
    """A job's state as the History tab reads it: a "running" job is uploading when a process
    holds its lock, else it was interrupted (the process died)."""
    if record.state == journal.RUNNING:
        return "uploading" if journal.is_running(record.id) else "interrupted"
    return record.state


def history(search: str = "", limit: int = 200) -> list[tuple[journal.JobRecord, str]]:
    """(record, state) of the journaled jobs, newest first; `search` matches name, dataset or id."""
    return [(r, history_state(r)) for r in journal.history(search, limit)]


def how_it_ended(record: journal.JobRecord) -> str:
    """An unfinished job: "interrupted" (the process died) or the state it stopped in."""
    return "interrupted" if record.interrupted else record.state


def stop_point(record: journal.JobRecord, batches: Iterable[journal.BatchMark]) -> str:
    """Where the job stopped: its own stopped_at, else the line after the acknowledged start."""
    if record.stopped_at:
        return record.stopped_at
    line, expected = 1, 0
    for mark in batches:
        if mark.seq != expected or mark.status != "acked":
            break
        line = (mark.last_line or 0) + 1
        expected += 1
    return f"line {line:,}"


def unfinished(keep_days: int | None = None) -> tuple[int, list[tuple[journal.JobRecord, str]]]:
    """(jobs pruned, [(record, where it stopped)] of the unfinished jobs) — prune first, as
    `axiom-drop resume` does."""
    pruned = journal.prune(keep_days) if keep_days else 0
    records = journal.unfinished_jobs()
    j = journal.Journal()
    try:
        return pruned, [(r, stop_point(r, j.batches(r.id))) for r in records]
    finally:
        j.close()


def notices() -> list[str]:
    """What the journal says about itself (a damaged journal moved aside), each said once."""
    return journal.notices()


def job(job_id: str) -> journal.JobRecord | None:
    return journal.get_job(job_id)


def failures(job_id: str) -> list[Failure]:
    """The failed events of a job, as the details tables show them (line, reason, the event)."""
    return [Failure(line, error, record) for _seq, line, error, record in journal.failures(job_id)]


def more_failures(job_id: str) -> str | None:
    """The line for a job's failures counted but not listed (past the first ones kept in full),
    merged from its batches' tallies: the same words as the CLI summary and the queue's details."""
    tally = FailureTally()
    j = journal.Journal()
    try:
        for mark in j.batches(job_id):
            tally.merge(FailureTally.from_json(mark.more_failures))
    finally:
        j.close()
    return more_failures_text(tally.to_json())


def prune(days: int) -> int:
    """Forget the jobs older than `days`; returns how many."""
    return journal.prune(days)


def discard(job_ids: Iterable[str]) -> None:
    """Close these jobs for good: not offered for resuming again (they stay in the history)."""
    for job_id in job_ids:
        journal.discard(job_id)
