"""The upload queue's rules, without Qt: what each row's state is, which entries run (at most
three at once, in order), what pause, resume, cancel, remove and retry do to an entry. The window
adapts it (ui/queue/queue_model): `events` hears of every change, and uploads run as tasks
started through `spawn` (the app's TaskManager), so the same rules could drive any front end."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Coroutine, Protocol

from app.core import journal, progress, tuning
from app.core.progress import totals  # noqa: F401  (re-exported: the queue's summary, and what retry means)
from app.core.retry import RetryAction, can_resume_from, can_retry, failed_rows_source, retry_action  # noqa: F401
from app.core.io import shown
from app.core.job import JobResult, JobState, Progress, Source, UploadJob

log = logging.getLogger(__name__)

MAX_CONCURRENT = 3
JOURNAL_INLINE = 20  # more files queued at once are journaled in a worker thread (2,000: ~1.6 s)
NO_DATASET = "No dataset chosen: pick one above, then retry"
NOT_CONNECTED = "Not connected: choose a profile and a token above, then retry"


@dataclass
class FinishedJob:
    """What a finished entry keeps of its job: the journal id (retry resumes from it) and the
    profile it went with (Open in Axiom). The job itself is let go: 2,000 done files cost a row each."""

    job_id: str | None
    profile: str | None = None

    def cancel(self) -> None:  # nothing left to stop
        pass


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
    journaling: bool = False  # its "queued" record is being written: it starts once that is done

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
                and self.result is None and not self.journaling)

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
        if self.job is None and self.cancelled:
            return "cancelled"
        if self.counting_down:
            left = progress.countdown(self.progress, now)
            if left is not None:
                return f"waiting {left} s" if state == JobState.WAITING else f"retrying in {left} s"
        if state == JobState.DONE_WITH_FAILURES:
            return "done with failures"
        return state.value

    def message(self, now: float | None = None) -> str:
        """What the job says it is doing, its countdown as of `now` (the same as the row's)."""
        return progress.live_message(self.progress, now) if self.result is None else ""

    def fraction(self) -> float | None:
        """Share of the events acknowledged (app.core.progress.fraction); None before it started."""
        return progress.fraction(self.state, self.progress, self.result)

    def percent_text(self) -> str:
        return progress.percent_text(self.state, self.progress, self.result)

    def speed(self) -> float | None:
        """Bytes per second sent in this run: live while uploading, the average once finished."""
        return progress.speed(self.progress, self.result is None, self.elapsed())

    def eta(self) -> float | None:
        return progress.eta(self.progress, self.running and self.state == JobState.UPLOADING)

    def time_text(self) -> str:
        return progress.time_text(self.elapsed(), self.eta(), self.started is not None)

    def elapsed(self) -> float:
        if not self.started:
            return 0.0
        return (self.finished or time.monotonic()) - self.started


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
        self._active: dict[QueueEntry, None] = {}  # started, not yet returned (in start order)
        self._shared: dict[str, Any] | None = None  # the jobs' thread pools (_pools)
        self._journaling: asyncio.Task | None = None  # queued files being journaled (add_all)
        self._cursor = 0  # entries before it cannot start (running, finished, held): pump skips them
        self.journal = journal.QueueJournal(spawn)  # files queued, not started: offered after a crash

    def entries(self) -> list[QueueEntry]:
        """A copy, in queue order."""
        return list(self._entries)

    def running(self) -> list[QueueEntry]:
        return [e for e in self._active if e.running]

    def add(self, source: Source, plan, dataset: str | None = None) -> QueueEntry:
        return self.add_all([(source, plan)], dataset)[0]

    def add_all(self, items: list[tuple], dataset: str | None = None) -> list[QueueEntry]:
        """Queue (Source, Plan) pairs, or (Source, Plan, dataset) for a group sent elsewhere. The
        files are journaled as queued at once (one transaction), so a crash before they start
        still offers them; each continues its entry when it starts."""
        default = dataset if dataset is not None else self._dataset()
        entries = [QueueEntry(source=item[0], plan=item[1], dataset=(item[2] if len(item) > 2 and item[2] else default))
                   for item in items]
        for entry in entries:
            entry.error = None if entry.dataset else NO_DATASET
        options = {**UploadJob.__init__.__kwdefaults__, **self._where(), **self.job_options}
        if len(entries) <= JOURNAL_INLINE or self._spawn is None:
            self.journal.queue(entries, options)
        else:  # a folder's worth: off the GUI thread, and none starts before its record exists
            for entry in entries:
                entry.journaling = True
            self._journaling = self._spawn(self._journal_later(entries, options), "journal queued files")
        self._entries.extend(entries)
        for entry in entries:
            self.events.entry_added(entry)
        self.pump()
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
        """Start waiting entries, in order, while there is room. The cursor makes a queue of
        thousands cost the same per start as a queue of ten."""
        slots = self.max_concurrent - len(self.running())
        while self._cursor < len(self._entries) and not self._entries[self._cursor].waiting_to_start:
            self._cursor += 1
        i = self._cursor
        while slots > 0 and i < len(self._entries):
            entry = self._entries[i]
            if entry.waiting_to_start:
                self._start(entry)
                slots -= 1 if entry.running else 0
            i += 1

    def _rewind(self) -> None:  # an entry may start again (resumed while held, retried, journaled, rows removed)
        self._cursor = 0

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
                              on_progress=self.progress_callback(entry), **self._pools(), **options)
        self._launch(entry)

    async def _journal_later(self, entries: list[QueueEntry], options: dict[str, Any]) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.journal.queue, entries, options)
        finally:
            kept = {id(e) for e in self._entries}
            for entry in entries:
                entry.journaling = False
                if entry.cancelled or entry.error or id(entry) not in kept:  # dropped meanwhile
                    self.journal.forget(entry)
            self._rewind()
            self.pump()

    def _pools(self) -> dict[str, Any]:
        """Thread pools every job of this queue shares (compressing, reading): a folder of 2,000
        files would otherwise start and stop thousands of threads."""
        if self._shared is None:
            self._shared = {
                "executor": tuning.CompressPool(min(4, os.cpu_count() or 1)),
                "read_executor": ThreadPoolExecutor(max_workers=max(1, self.max_concurrent),
                                                    thread_name_prefix="axiom-drop-read")}
        return self._shared

    def _launch(self, entry: QueueEntry) -> None:
        self._active[entry] = None
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
            self._active.pop(entry, None)
            entry.finished = time.monotonic()
            if job is not None and job.progress is not None:
                entry.progress = job.progress
            if job is not None and (entry.result is not None or entry.error):
                entry.job = FinishedJob(job.job_id, getattr(job, "profile", None))  # its buffers are let go
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
        if self._journaling is not None and not self._journaling.done():  # their records, to offer them
            await asyncio.wait([self._journaling], timeout=timeout)
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
            self._rewind()
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
        self._rewind()
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
            self._rewind()
            self.events.entry_removed(entry)

    def clear_finished(self) -> None:
        for entry in self.entries():
            if entry.is_finished:
                self._drop(entry)

    def cancel_all(self) -> None:
        for entry in self.entries():
            if not entry.is_finished:
                self.cancel(entry)
