"""The journal: what each upload job has had acknowledged, so an interrupted job resumes without
losing or silently duplicating events, and the history of finished jobs (see store.py for why
SQLite, WAL and synchronous=FULL)."""

from app.core.journal.identity import Identity, identify, source_change
from app.core.journal.locks import JobLock, is_running, is_uploading
from app.core.journal.queries import (
    discard, failures, find_jobs, get_job, history, keep_for_resuming, mark_offered, notices, prune, sent_files, SENT_STATES,
    unfinished_jobs)
from app.core.journal.queued import QueueJournal
from app.core.journal.recorder import JobRecorder
from app.core.journal.schema import ACKED, QUEUED, RUNNING, BatchMark, JobRecord, JobState, Refusal, StopKind
from app.core.journal.store import (
    DB_NAME, Journal, JournalError, ResumeError, connect, db_path, opened, plan_from_json, plan_to_json, safe_endpoint)

__all__ = [
    "ACKED", "DB_NAME", "QUEUED", "RUNNING",
    "BatchMark", "Identity", "JobLock", "JobRecord", "JobRecorder", "JobState", "Journal", "JournalError", "QueueJournal",
    "Refusal", "ResumeError", "StopKind",
    "connect", "db_path", "discard", "failures", "find_jobs", "get_job", "history", "identify", "is_running", "is_uploading", "keep_for_resuming", "mark_offered",
    "notices", "opened", "plan_from_json", "plan_to_json", "prune", "safe_endpoint", "SENT_STATES", "sent_files", "source_change", "unfinished_jobs",
]
