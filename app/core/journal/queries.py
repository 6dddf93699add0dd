"""What the window and the CLI ask the journal (each call opens and closes a connection)."""

from __future__ import annotations

from app.core.journal.schema import JobRecord
from app.core.journal.store import opened


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

