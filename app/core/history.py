"""What the window's views ask of the journal, as functions: the History tab's rows, the
unfinished uploads offered at start-up (and where each stopped), a job's failures, pruning and
discarding. Views call these (in a worker thread: SQLite) and never open the journal themselves.
"""

from __future__ import annotations

import os
import time
from typing import Iterable

from app.core import journal
from app.core.job import Failure, more_failures_text
from app.core.job.results import FailureTally


def history_state(record: journal.JobRecord) -> str:
    """A job's state as the History tab reads it: a "running" job is uploading when a process
    holds its lock, else it was interrupted (the process died)."""
    if record.state == journal.RUNNING:
        return "uploading" if journal.is_uploading(record.id) else "interrupted"
    return record.state


def history(search: str = "", limit: int = 200) -> list[tuple[journal.JobRecord, str]]:
    """(record, state) of the journaled jobs, newest first; `search` matches name, dataset or id."""
    return [(r, history_state(r)) for r in journal.history(search, limit)]


KEPT = "kept for resuming"  # how a job stopped by quitting with "Keep for resuming" is listed


def how_it_ended(record: journal.JobRecord) -> str:
    """An unfinished job: "interrupted" (the process died), "kept for resuming" (the user quit and
    chose to keep it) or the state it stopped in."""
    if record.interrupted:
        return "interrupted"
    return KEPT if record.state == journal.JobState.PAUSED.value else record.state


def sent_since(record: journal.JobRecord) -> journal.JobRecord | None:
    """A later job that sent this job's file (unchanged) to the same dataset in full, if any:
    resuming this one would store its events twice."""
    if record.kind != "file" or record.size is None or not record.head_sha256:
        return None
    identity = journal.Identity(record.path or "", record.size, record.mtime_ns or 0, record.head_sha256)
    return next((r for r in journal.sent_files(identity, record.dataset)
                 if r.id != record.id and r.created > record.created), None)


def resumable(records: Iterable[journal.JobRecord]) -> tuple[list[journal.JobRecord],
                                                               list[tuple[journal.JobRecord, journal.JobRecord]]]:
    """(the unfinished jobs `axiom-drop resume` offers, [(job, the later job that sent its file in
    full)] for those it does not): the resume bar's sent_since rule, for the command line."""
    offered, superseded = [], []
    for record in records:
        later = sent_since(record)
        if later is None:
            offered.append(record)
        else:
            superseded.append((record, later))
    return offered, superseded


def sent_since_text(record: journal.JobRecord, later: journal.JobRecord) -> str:
    """Why a job is not resumed: its file was sent in full since."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(later.finished or later.updated))
    return (f"job {record.id} ({record.name}) is not resumed: its file was sent in full to {record.dataset} "
            f"since (job {later.id}, {when}); resuming it would store its events twice")


def offered_at_start(record: journal.JobRecord) -> bool:
    """Whether the resume bar offers this unfinished job. Never one whose file was sent in full
    since; a job the user cancelled only at the first start after it (saying so once is
    enough: later it is resumed from the History tab); the others (interrupted, kept for
    resuming, stopped by the network or a quota) until they are resumed or discarded."""
    if record.state in journal.SENT_STATES:
        return False
    if record.state == journal.JobState.CANCELLED.value and record.offered is not None:
        return False
    return sent_since(record) is None


def already_sent(paths: list[str], dataset: str) -> dict[int, journal.JobRecord]:
    """{index: the last finished job that sent this very file (same size, mtime and first MiB) to
    `dataset`} for the paths that were sent before. One journal connection for all; a file's head
    is hashed only when a finished job has its size and mtime. A file that cannot be read is
    left out (its job will say why)."""
    found: dict[int, journal.JobRecord] = {}
    with journal.opened() as j:
        for i, path in enumerate(paths):
            try:
                st = os.stat(path)
            except OSError:
                continue
            if not journal.sent_files(journal.Identity(path, st.st_size, st.st_mtime_ns, None), dataset, j):
                continue
            try:
                identity = journal.identify(path)
            except OSError:
                continue
            records = journal.sent_files(identity, dataset, j)
            if records:
                found[i] = records[0]
    return found


def already_sent_text(record: journal.JobRecord) -> str:
    """The question asked before a file is sent again."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.finished or record.updated))
    return (f"{record.name} was already sent to {record.dataset} on {when} ({record.ingested:,} events "
            f"ingested). Sending it again stores its events twice.")


def keep_for_resuming(job_ids: Iterable[str]) -> None:
    """The user quit with "Keep for resuming": the stopped jobs are listed so at the next start."""
    journal.keep_for_resuming(list(job_ids))


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
    records = [r for r in journal.unfinished_jobs() if offered_at_start(r)]
    journal.mark_offered([r.id for r in records])
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


RESUME, SEND_AGAIN, EXPORT, SHOW_FILE = "resume", "send again", "export failed rows", "show file"


def actions_for(record: journal.JobRecord, state: str, path_exists: bool) -> list[str]:
    """What a History entry offers: resume (unfinished, resumable, not running), send again (a
    file that is still there; pastes keep no bytes here), export failed rows (when some were
    kept), show the file (its folder)."""
    out = []
    is_file = record.kind == "file" and bool(record.path)
    if is_file and path_exists and state != "uploading" and (record.resumable or record.state in
                                                              (journal.RUNNING, journal.QUEUED)):
        out.append(RESUME)
    if is_file and path_exists and state != "uploading":
        out.append(SEND_AGAIN)
    if record.failed:
        out.append(EXPORT)
    if is_file:
        out.append(SHOW_FILE)
    return out
