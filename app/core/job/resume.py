"""Resuming a journaled job: only a file can be, and only where it was being sent."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from app.core.axiom import AxiomClient
from app.core.journal import JobRecord, ResumeError, plan_from_json, safe_endpoint
from app.core.job.pipeline import UploadJob
from app.core.job.results import Progress
from app.core.job.source import Source


def resume_job(record: JobRecord, client: AxiomClient, *, endpoint: str | None = None,
               on_progress: Callable[[Progress], None] | None = None, **kw) -> UploadJob:
    """An UploadJob that continues a journaled job (from journal.unfinished_jobs()): it re-reads
    the file with the same Plan and limits, skips the acknowledged batches and sends the rest.

    `endpoint` labels where `client` sends (default: its ingest URL); it must be where the job was
    sending, or ResumeError. A changed source or a job running elsewhere is refused when the job
    runs: its result is FAILED with the reason in `error` (error_kind "changed", "input" or "busy")."""
    if record.kind != "file" or not record.path:
        raise ResumeError(f"{record.name}: {record.kind} input cannot be resumed")
    where = endpoint if endpoint is not None else client.endpoint.ingest_url
    if record.endpoint and safe_endpoint(where) != record.endpoint:
        raise ResumeError(
            f"job {record.id} ({record.name}) was sending to {record.endpoint}; resuming it would send to "
            f"{safe_endpoint(where)}. Resume it with the profile or AXIOM_URL it started with")
    source = Source(record.name, path=Path(record.path))
    kw.setdefault("compression", record.compression)
    return UploadJob(source, plan_from_json(record.plan), client, record.dataset,
                     on_progress=on_progress, max_events=record.max_events, max_bytes=record.max_bytes,
                     profile=record.profile, endpoint=where, resume_from=record, **kw)
