"""What "retry" means for a queue row, without storing anything twice: resend (nothing was
stored), the failed rows (nothing else left), resume (from the journal), or ask first.

Kept beside app.core.queue (which re-exports it); an entry is any object with a QueueEntry's
state, counts, result, plan, name and job_id.
"""

from __future__ import annotations

import enum
from typing import Any

from app.core.failures import failed_rows
from app.core.job import JobState, Source


# -- what "retry" means for an entry ----------------------------------------------------------------
class RetryAction(enum.Enum):
    NONE = "nothing to retry"  # running, queued, or done without failures
    RESEND = "resend"  # nothing was stored: send it all again, no question
    FAILED_ROWS = "failed rows"  # only failures left, their text known: queue just those rows
    RESUME = "resume"  # stopped part-way: resume from the journal (only what is not stored)
    CONFIRM_RESEND = "confirm resend"  # part of it is stored and it cannot resume: ask first


def can_retry(entry) -> bool:
    return entry.is_finished and entry.state != JobState.DONE


def retry_action(entry) -> RetryAction:
    """Retry without storing anything twice: the first that applies of resend (nothing stored),
    the failed rows (nothing else left), resume (events not sent, and a journal record), else
    sending it all again once the user agrees."""
    if not can_retry(entry):
        return RetryAction.NONE
    if entry.ingested + entry.possible_duplicates == 0:
        return RetryAction.RESEND
    if not entry.not_sent and entry.failed and failed_rows_source(entry) is not None:
        return RetryAction.FAILED_ROWS
    if entry.not_sent and entry.job_id:
        return RetryAction.RESUME
    return RetryAction.CONFIRM_RESEND


def can_resume_from(record: Any) -> bool:
    """A journal record a RESUME may continue (else it falls back to CONFIRM_RESEND)."""
    return record is not None and record.resumable


def failed_rows_source(entry) -> tuple[Source, Any] | None:
    """A Source holding just the failed rows of an entry (CSV keeps its header), and its Plan.
    None when a row's text is unknown or was cut short in the report."""
    r = entry.result
    if r is None or not r.failures or len(r.failures) < r.failed:  # some only counted: their text is not kept
        return None
    return failed_rows(r.failures, entry.plan, f"{entry.name} (failed rows)")
