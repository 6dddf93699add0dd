"""Upload jobs: read → batch → compress → send, every event ending ingested, failed (with its
line) or not sent, and possible duplicates reported.

pipeline (UploadJob) · sender (requests in flight) · policy (the retry rules) · ledger (the
counts) · attribution (failures → lines) · journaling (what the journal records) · resume ·
results (what a job reports) · source (what it reads).
"""

from app.core.job.ledger import Ledger, Totals
from app.core.job.pipeline import UploadJob, ingest_options
from app.core.job.policy import Action, Backoff, classify, wait_for_rate_limit
from app.core.job.results import (Failure, JobResult, JobState, JobWarning, Progress, StopKind, WarningKind,
                                  more_failures_text, not_sent_cell, not_sent_text, rest_from_stop)
from app.core.job.resume import resume_job
from app.core.job.source import Source

__all__ = [
    "Action", "Backoff", "Failure", "JobResult", "JobState", "JobWarning", "Ledger", "Progress", "Source",
    "StopKind", "Totals", "UploadJob", "WarningKind", "classify", "ingest_options", "resume_job",
    "more_failures_text", "not_sent_cell", "not_sent_text", "rest_from_stop", "wait_for_rate_limit",
]
