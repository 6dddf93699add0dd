"""The upload queue's rules, without Qt: what each row's state is, which entries run (at most
three at once, in order), what pause, resume, cancel, remove and retry do to an entry.

The window adapts it (app.ui.queue.queue_model): the `events` object it is given hears of every
change, and uploads run as tasks started through the `spawn` it is given (the app's TaskManager),
so the same rules could drive any front end.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Coroutine, Protocol

from app.core import journal
from app.core.failures import failed_rows
from app.core.io import shown
from app.core.job import JobResult, JobState, Progress, Source, UploadJob

log = logging.getLogger(__name__)

MAX_CONCURRENT = 3
NO_DATASET = "No dataset chosen: pick one above, then retry"
NOT_CONNECTED = "Not connected: choose a profile and a token above, then retry"


@dataclass(eq=False)
class QueueEntry:
    """One row: a source to send to a dataset, and what its job has reported so far."""

    source: Source
    plan: Any
    dataset: str
    job: UploadJob | None = None
    progress: Progress | None = None
    result: JobResult | None = None
    held: bool = False  # paused before it started
    cancelled: bool = False  # cancelled before it started
    error: str | None = None  # a problem that kept the job from running at all
    started: float | None = None
    finished: float | None = None
    task: asyncio.Task | None = None
    attempts: int = 0
    resume_record: Any = None  # journal.JobRecord: the next run resumes it (sends only what is not stored)
    prepared: UploadJob | None = None  # a job built elsewhere (resume at start-up): run as it is
    retried_by: "QueueEntry | None" = None  # its failed rows were queued again: that row counts them now

    # -- what the row shows ------------------------------------------------------------
    @property
    def state(self) -> JobState:
        if self.result is not None:
            return self.result.state
        if self.error:
            return JobState.FAILED
        if self.cancelled:
            return JobState.CANCELLED
        if self.job is None:
            return JobState.PAUSED if self.held else JobState.QUEUED
        if self.progress is not None and not self.progress.state.finished:
            return self.progress.state
        return JobState.UPLOADING  # finished only once run() has returned its result

    @property
    def name(self) -> str:
        """The file name as the user knows it (Source.name is the whole path for files)."""
        return shown(self.source.path.name) if self.source.path is not None else self.source.name

    @property
    def running(self) -> bool:
        return self.job is not None and self.result is None and self.error is None

    @property
    def is_finished(self) -> bool:
        return self.state.finished

    @property
    def waiting_to_start(self) -> bool:
        """Queued, not held, cancelled or failed: the next free slot starts it."""
        return (self.job is None and not self.held and not self.cancelled and not self.error
                and self.result is None)

    @property
    def can_pause(self) -> bool:
        return (self.running and self.state != JobState.PAUSED) or (
            self.job is None and not self.is_finished and not self.held)

    @property
    def counting_down(self) -> bool:
        """Waiting out a rate limit or a retry: the countdown changes every second."""
        return self.result is None and self.state in (JobState.WAITING, JobState.RETRYING)

    def _number(self, name: str) -> int:
        """A count from the result once finished, else from the last progress report."""
        report = self.result if self.result is not None else self.progress
        return getattr(report, name) if report is not None else 0

    ingested = property(lambda self: self._number("ingested"))
    failed = property(lambda self: self._number("failed"))
    not_sent = property(lambda self: self._number("not_sent"))
    possible_duplicates = property(lambda self: self._number("possible_duplicates"))

    @property
    def job_id(self) -> str | None:
        """The journal id of its last run (None before it ran, or when it was not journaled)."""
        return self.job.job_id if self.job is not None else None

    def status_text(self, now: float | None = None) -> str:
        state = self.state
        now = time.time() if now is None else now
        if self.job is None and self.cancelled:
            return "cancelled"
        if self.counting_down and self.progress is not None:
            wait_until = self.progress.wait_until
            if wait_until:
                left = max(0, int(round(wait_until - now)))
                return f"waiting {left} s" if state == JobState.WAITING else f"retrying in {left} s"
        if state == JobState.DONE_WITH_FAILURES:
            return "done with failures"
        return state.value

    def fraction(self) -> float:
        """Share read so far, 0..1, or -1 when the size is unknown."""
        if self.result is not None and self.result.state in (JobState.DONE, JobState.DONE_WITH_FAILURES):
            return 1.0
        p = self.progress
        total = (p.total_bytes if p is not None else None) or self.source.size
        if p is None:
            return 0.0
        if not total:
            return -1.0
        return max(0.0, min(1.0, p.bytes_read / total))

    def speed(self) -> float | None:
        """Bytes per second: live while uploading, the average once finished."""
        if self.result is not None:
            if self.started and self.finished and self.finished > self.started and self.progress:
                return self.progress.bytes_read / (self.finished - self.started)
            return None
        if self.progress is not None and self.state == JobState.UPLOADING:
            return self.progress.bytes_per_s
        return None

    def elapsed(self) -> float:
        if not self.started:
            return 0.0
        return (self.finished or time.monotonic()) - self.started


def totals(entries: list[QueueEntry]) -> dict[str, int]:
    """The queue's summary line: files, ingested, failed, not sent, possible duplicates, active."""
    t = {"files": len(entries), "ingested": 0, "failed": 0, "not_sent": 0, "active": 0, "possible_duplicates": 0}
    for e in entries:
        t["ingested"] += e.ingested
        t["failed"] += e.failed if e.retried_by is None else 0  # not twice: the retry's row has them
        t["not_sent"] += e.not_sent
        t["possible_duplicates"] += e.possible_duplicates
        t["active"] += 0 if e.is_finished else 1
    return t


# -- what "retry" means for an entry ----------------------------------------------------------------
class RetryAction(enum.Enum):
    NONE = "nothing to retry"  # running, queued, or done without failures
    RESEND = "resend"  # nothing was stored: send it all again, no question
    FAILED_ROWS = "failed rows"  # only failures left, their text known: queue just those rows
    RESUME = "resume"  # stopped part-way: resume from the journal (only what is not stored)
    CONFIRM_RESEND = "confirm resend"  # part of it is stored and it cannot resume: ask first


def can_retry(entry: QueueEntry) -> bool:
    return entry.is_finished and entry.state != JobState.DONE


def retry_action(entry: QueueEntry) -> RetryAction:
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


def failed_rows_source(entry: QueueEntry) -> tuple[Source, Any] | None:
    """A Source holding just the failed rows of an entry (CSV keeps its header), and its Plan.
    None when a row's text is unknown or was cut short in the report."""
    r = entry.result
    if r is None or not r.failures or len(r.failures) < r.failed:  # some only counted: their text is not kept
        return None
    return failed_rows(r.failures, entry.plan, f"{entry.name} (failed rows)")


# -- the scheduler ----------------------------------------------------------------------------------
class QueueEvents(Protocol):
    """What the queue tells its front end. `entry_changed(entry, now=False)` comes for every
    progress report (the front end repaints at its own pace); now=True after a state change."""

    def entry_added(self, entry: QueueEntry) -> None: ...
    def entry_removed(self, entry: QueueEntry) -> None: ...
    def entry_changed(self, entry: QueueEntry, now: bool = False) -> None: ...
    def entry_started(self, entry: QueueEntry) -> None: ...
    def entry_finished(self, entry: QueueEntry) -> None: ...
    def is_open(self) -> bool: ...  # False once the front end is gone: start nothing more


class UploadQueue:
    """Runs queued entries in order, up to `max_concurrent` at a time, each as a task from `spawn`.

    `client()` and `dataset()` are asked when an entry starts (the current connection and
    dataset); `where()` gives the UploadJob's profile= and endpoint= for the journal."""

    def __init__(self, *, client: Callable[[], Any], dataset: Callable[[], str],
                 where: Callable[[], dict[str, Any]], spawn: Callable[[Coroutine, str], asyncio.Task],
                 events: QueueEvents, max_concurrent: int = MAX_CONCURRENT) -> None:
        self._client = client
        self._dataset = dataset
        self._where = where
        self._spawn = spawn
        self.events = events
        self.max_concurrent = max_concurrent
        self.job_options: dict[str, Any] = {}  # extra UploadJob keywords (batch size, in-flight …)
        self._entries: list[QueueEntry] = []
        self.journal = journal.QueueJournal(spawn)  # files queued, not started: offered after a crash

    def entries(self) -> list[QueueEntry]:
        """A copy, in queue order."""
        return list(self._entries)

    def running(self) -> list[QueueEntry]:
        return [e for e in self._entries if e.running]

    def add(self, source: Source, plan, dataset: str | None = None) -> QueueEntry:
        return self.add_all([(source, plan)], dataset)[0]

    def add_all(self, items: list[tuple[Source, Any]], dataset: str | None = None) -> list[QueueEntry]:
        """Queue (Source, Plan) pairs. The files are journaled as queued at once (one transaction),
        so a crash before they start still offers them; each continues its entry when it starts."""
        entries = [QueueEntry(source=source, plan=plan, dataset=dataset if dataset is not None else self._dataset())
                   for source, plan in items]
        for entry in entries:
            entry.error = None if entry.dataset else NO_DATASET
        self.journal.queue(entries, {**UploadJob.__init__.__kwdefaults__, **self._where(), **self.job_options})
        for entry in entries:
            self._append(entry)
        return entries

    def add_job(self, job: UploadJob) -> QueueEntry:
        """Queue a job that is already built (e.g. job.resume_job at start-up): its row shows
        its source, plan and dataset; it runs with its own client, endpoint and journal record."""
        entry = QueueEntry(source=job.source, plan=job.plan, dataset=job.dataset, prepared=job)
        self._append(entry)
        return entry

    def _append(self, entry: QueueEntry) -> None:
        self._entries.append(entry)
        self.events.entry_added(entry)
        self.pump()

    def progress_callback(self, entry: QueueEntry) -> Callable[[Progress], None]:
        """The job's on_progress: records the snapshot and tells the front end (no repaint here)."""

        def on_progress(progress: Progress) -> None:
            entry.progress = progress
            self.events.entry_changed(entry)

        return on_progress

    def pump(self) -> None:
        """Start waiting entries, in order, while there is room."""
        slots = self.max_concurrent - len(self.running())
        for entry in list(self._entries):
            if slots <= 0:
                break
            if entry.waiting_to_start:
                self._start(entry)
                slots -= 1

    def _start(self, entry: QueueEntry) -> None:
        if entry.prepared is not None:
            entry.job, entry.prepared = entry.prepared, None
            entry.job.on_progress = self.progress_callback(entry)
            entry.attempts += 1
            self._launch(entry)
            return
        client = self._client()
        if client is None:
            entry.error = NOT_CONNECTED
            self.journal.forget(entry)
            self.events.entry_changed(entry, now=True)
            self.events.entry_finished(entry)
            return
        entry.attempts += 1
        # Profile and endpoint as the journal records them (the sandbox under a fixed label).
        options = {**self._where(), **self.job_options}
        record, entry.resume_record = entry.resume_record, None
        if record is not None:
            # Same batch limits as the first run: batch boundaries must line up with the journal.
            options.update(resume_from=record, max_events=record.max_events, max_bytes=record.max_bytes)
        entry.job = UploadJob(entry.source, entry.plan, client, entry.dataset,
                              on_progress=self.progress_callback(entry), **options)
        self._launch(entry)

    def _launch(self, entry: QueueEntry) -> None:
        entry.started = time.monotonic()
        entry.finished = None
        entry.task = self._spawn(self._run(entry), f"upload:{entry.name} → {entry.dataset}")
        self.events.entry_changed(entry, now=True)
        self.events.entry_started(entry)

    async def _run(self, entry: QueueEntry) -> None:
        job = entry.job
        try:
            entry.result = await job.run()
        except asyncio.CancelledError:  # the app is closing
            job.cancel()
            if job.result is not None:
                entry.result = job.result
            else:
                entry.error = entry.error or "stopped when the app closed"
            raise
        except Exception as e:  # an engine bug must not take the queue down
            log.exception("upload job crashed")
            entry.error = f"{type(e).__name__}: {e}"
        finally:
            entry.finished = time.monotonic()
            if job is not None and job.progress is not None:
                entry.progress = job.progress
            self.events.entry_changed(entry, now=True)
        if not self.events.is_open():  # the window went away meanwhile
            return
        self.events.entry_finished(entry)
        self.pump()

    async def stop_all(self, timeout: float) -> list[str]:
        """Cancel every upload the way the Cancel button does (requests in flight finish, so what
        they stored is acknowledged in the journal) and wait for them, at most `timeout` seconds.
        Each stopped job stays in the journal as unfinished (events not sent), and each queued
        file as queued: the next start offers them. Returns the journal ids of both."""
        running = self.running()
        queued = []
        for entry in self.entries():  # the waiting ones first, so none starts meanwhile
            if not entry.running and not entry.is_finished:
                entry.cancelled, entry.held = True, False  # not forgotten: offered at the next start
                if entry.resume_record is not None and entry.resume_record.queued:
                    queued.append(entry.resume_record.id)
                self.events.entry_changed(entry, now=True)
        for entry in running:
            self.cancel(entry)
        tasks = [e.task for e in running if e.task is not None and not e.task.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        return [e.job_id for e in running if e.job_id] + queued

    # -- actions ---------------------------------------------------------------------------
    def pause(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.pause()
        elif entry.job is None and not entry.cancelled and not entry.error:
            entry.held = True
        self.events.entry_changed(entry, now=True)

    def resume(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.resume()
        elif entry.held:
            entry.held = False
            self.pump()
        self.events.entry_changed(entry, now=True)

    def cancel(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.cancel()
        elif entry.job is None and entry.result is None and not entry.error:
            entry.cancelled = True
            entry.held = False
            self.journal.forget(entry)
        self.events.entry_changed(entry, now=True)
        self.pump()

    def retry(self, entry: QueueEntry, resume: Any = None) -> None:
        """Run the entry again in the same row: resuming its journal record (only what was not
        stored is sent), or from the start (the caller has checked that nothing was stored, or
        the user agreed to send it all again)."""
        if not can_retry(entry):
            return
        entry.resume_record = resume
        entry.job = entry.result = entry.progress = entry.task = None
        entry.error = None
        entry.cancelled = entry.held = False
        entry.started = entry.finished = None
        if not entry.dataset:
            entry.dataset = self._dataset()
            if not entry.dataset:
                entry.error = NO_DATASET
        self.events.entry_changed(entry, now=True)
        self.pump()

    def retry_failed_rows(self, entry: QueueEntry) -> QueueEntry | None:
        """Queue only the rows that failed (as a new entry), when their text is known in full."""
        source_plan = failed_rows_source(entry)
        if source_plan is None:
            return None
        source, plan = source_plan
        entry.retried_by = self.add(source, plan, entry.dataset)
        return entry.retried_by

    def remove(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.cancel()
        elif entry.job is None:
            self.journal.forget(entry)
        self._drop(entry)
        self.pump()

    def _drop(self, entry: QueueEntry) -> None:
        if any(e is entry for e in self._entries):
            self._entries = [e for e in self._entries if e is not entry]
            self.events.entry_removed(entry)

    def clear_finished(self) -> None:
        for entry in self.entries():
            if entry.is_finished:
                self._drop(entry)

    def cancel_all(self) -> None:
        for entry in self.entries():
            if not entry.is_finished:
                self.cancel(entry)
