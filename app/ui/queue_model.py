"""The upload queue: a table model over the engine's jobs, and the scheduler that runs them.

The model never reaches into a job: it keeps the last Progress each job reported and repaints
changed rows on a timer (at most ~10 times a second), so a job reporting per batch — or far
more often — never floods the GUI thread. The scheduler runs up to three jobs at once on the
app's asyncio loop through the context's TaskManager.
"""

from __future__ import annotations

import asyncio
import copy
import csv
import io
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.core.job import JobResult, JobState, Progress, Source, UploadJob
from app.ui import theme
from app.ui.table_model import RowsTableModel

log = logging.getLogger(__name__)

FORMAT_LABELS = {"ndjson": "NDJSON", "json-array": "JSON array", "json-object": "JSON object", "csv": "CSV"}
DELIMITER_NAMES = {",": ",", ";": ";", "\t": "Tab", "|": "|"}

FINISHED = {JobState.DONE, JobState.DONE_WITH_FAILURES, JobState.FAILED, JobState.CANCELLED}
REFRESH_MS = 100  # repaint changed rows at most this often (~10×/s)
MAX_CONCURRENT = 3
LONG_UPLOAD_S = 10.0  # a finished upload that took longer than this gets a notification


def format_label(fmt: str | None, csv: Any = None) -> str:
    """'NDJSON', 'JSON array', 'CSV (;)' … as the user reads it."""
    if not fmt:
        return "—"
    label = FORMAT_LABELS.get(fmt, fmt)
    if fmt == "csv" and csv is not None and getattr(csv, "delimiter", ",") != ",":
        label += f" ({DELIMITER_NAMES.get(csv.delimiter, csv.delimiter)})"
    return label


def human_bytes(n: int | float | None) -> str:
    if n is None:
        return "—"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def human_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s} s" if s else f"{minutes} min"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m} min"


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
    progress_calls: int = 0
    dirty: bool = field(default=True, repr=False)

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
        if self.progress is not None and self.progress.state not in FINISHED:
            return self.progress.state
        return JobState.UPLOADING  # finished only once run() has returned its result

    @property
    def name(self) -> str:
        """The file name as the user knows it (Source.name is the whole path for files)."""
        return self.source.path.name if self.source.path is not None else self.source.name

    @property
    def running(self) -> bool:
        return self.job is not None and self.result is None and self.error is None

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    def _number(self, name: str) -> int:
        if self.result is not None:
            return int(getattr(self.result, name, 0) or 0)
        if self.progress is not None:
            return int(getattr(self.progress, name, 0) or 0)
        return 0

    @property
    def ingested(self) -> int:
        return self._number("ingested")

    @property
    def failed(self) -> int:
        return self._number("failed")

    @property
    def not_sent(self) -> int:
        return self._number("not_sent")

    @property
    def possible_duplicates(self) -> int:
        return self._number("possible_duplicates")

    def status_text(self, now: float | None = None) -> str:
        state = self.state
        now = time.time() if now is None else now
        if self.job is None and self.cancelled:
            return "cancelled"
        if self.result is None and self.progress is not None and state in (JobState.WAITING, JobState.RETRYING):
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

    def speed(self, now: float | None = None) -> float | None:
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


class QueueModel(RowsTableModel):
    """Rows are QueueEntry objects; repaints are coalesced by a timer."""

    FILE, DATASET, FORMAT, SIZE, PROGRESS, INGESTED, FAILED, STATUS, SPEED = range(9)
    HEADERS = ["File", "Dataset", "Format", "Size", "Progress", "Ingested", "Failed", "Status", "Speed"]
    ProgressRole = Qt.ItemDataRole.UserRole + 1  # float 0..1, or -1 when unknown
    EntryRole = Qt.ItemDataRole.UserRole + 2

    totalsChanged = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.repaints = 0  # dataChanged emissions for job progress (tests check the coalescing)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    # -- entries -------------------------------------------------------------------------
    entries = RowsTableModel.rows
    entry = RowsTableModel.row_at

    def append(self, entry: QueueEntry) -> None:
        super().append(entry)
        self.totalsChanged.emit()

    def remove(self, entry: QueueEntry) -> bool:
        removed = super().remove(entry)
        if removed:
            self.totalsChanged.emit()
        return removed

    def progress_callback(self, entry: QueueEntry):
        """The job's on_progress: only records the snapshot; the timer repaints."""

        def on_progress(progress: Progress) -> None:
            entry.progress = progress
            entry.progress_calls += 1
            entry.dirty = True

        return on_progress

    def touch(self, entry: QueueEntry, now: bool = False) -> None:
        entry.dirty = True
        if now:
            self.flush()

    def flush(self) -> None:
        """Repaint rows whose job reported since the last tick, and live countdowns."""
        changed = False
        for row, entry in enumerate(self._rows):
            counting = entry.result is None and entry.state in (JobState.WAITING, JobState.RETRYING)
            if entry.dirty or counting:
                entry.dirty = False
                self.repaints += 1
                self.repaint_row(row)
                changed = True
        if changed:
            self.totalsChanged.emit()

    def totals(self) -> dict[str, int]:
        t = {"files": len(self._rows), "ingested": 0, "failed": 0, "not_sent": 0, "active": 0,
             "possible_duplicates": 0}
        for e in self._rows:
            t["ingested"] += e.ingested
            t["failed"] += e.failed
            t["not_sent"] += e.not_sent
            t["possible_duplicates"] += e.possible_duplicates
            t["active"] += 0 if e.is_finished else 1
        return t

    # -- Qt model ------------------------------------------------------------------------
    def cell(self, e: QueueEntry, col: int, role: int):
        if role == self.EntryRole:
            return e
        if role == self.ProgressRole:
            return e.fraction()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(e, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(e, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (self.SIZE, self.INGESTED, self.FAILED, self.SPEED):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.FAILED and e.failed:
                return theme.status_brush("error")
            if col == self.STATUS:
                return self._status_color(e)
            return None
        return None

    def _display(self, e: QueueEntry, col: int) -> str:
        if col == self.FILE:
            return e.name
        if col == self.DATASET:
            return e.dataset
        if col == self.FORMAT:
            return format_label(getattr(e.plan, "format", None), getattr(e.plan, "csv", None))
        if col == self.SIZE:
            return human_bytes(e.source.size)
        if col == self.PROGRESS:
            f = e.fraction()
            if f < 0:
                return human_bytes(e.progress.bytes_read if e.progress else 0)
            return f"{int(f * 100)} %"
        if col == self.INGESTED:
            return f"{e.ingested:,}"
        if col == self.FAILED:
            return f"{e.failed:,}"
        if col == self.STATUS:
            return e.status_text()
        if col == self.SPEED:
            s = e.speed()
            return f"{human_bytes(s)}/s" if s else ""
        return ""

    def _tooltip(self, e: QueueEntry, col: int) -> str | None:
        if col == self.FILE:
            return str(e.source.path or e.source.name)
        if col == self.STATUS:
            if e.error:
                return e.error
            if e.result is not None:
                parts = [f"{e.result.ingested:,} ingested, {e.result.failed:,} failed"]
                if e.result.not_sent:
                    parts.append(f"{e.result.not_sent:,} not sent")
                if e.result.possible_duplicates:
                    parts.append(f"{e.result.possible_duplicates:,} possibly stored twice")
                if e.result.error:
                    parts.append(e.result.error)
                if e.result.stopped_at:
                    parts.append(f"stopped at {e.result.stopped_at}")
                return "\n".join(parts)
            if e.progress is not None and e.progress.message:
                return e.progress.message
        if col == self.FAILED and e.failed:
            return "Select the row to see the failed events and why"
        return None

    @staticmethod
    def _status_color(e: QueueEntry):
        state = e.state
        if state == JobState.FAILED:
            return theme.status_brush("error")
        if state == JobState.DONE_WITH_FAILURES:
            return theme.status_brush("warning")
        if state == JobState.DONE:
            return theme.status_brush("success")
        return None


class UploadQueue(QObject):
    """Runs queued entries, up to `max_concurrent` at a time, each as a task of the context."""

    jobStarted = Signal(object)
    jobFinished = Signal(object)  # QueueEntry

    def __init__(self, ctx, model: QueueModel, max_concurrent: int = MAX_CONCURRENT, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.max_concurrent = max_concurrent
        self.job_options: dict[str, Any] = {}  # extra UploadJob keywords (batch size, in-flight …)

    def add(self, source: Source, plan, dataset: str | None = None) -> QueueEntry:
        entry = QueueEntry(source=source, plan=plan, dataset=dataset if dataset is not None else self.ctx.dataset())
        if not entry.dataset:
            entry.error = "No dataset chosen: pick one above, then retry"
        self.model.append(entry)
        self.pump()
        return entry

    def add_job(self, job: UploadJob) -> QueueEntry:
        """Queue a job that is already built (e.g. upload.resume_job at start-up): its row shows
        its source, plan and dataset; it runs with its own client, endpoint and journal record."""
        entry = QueueEntry(source=job.source, plan=job.plan, dataset=job.dataset, prepared=job)
        self.model.append(entry)
        self.pump()
        return entry

    def running(self) -> list[QueueEntry]:
        return [e for e in self.model.entries() if e.running]

    def pump(self) -> None:
        """Start waiting entries while there is room."""
        slots = self.max_concurrent - len(self.running())
        for entry in self.model.entries():
            if slots <= 0:
                break
            if entry.job is None and not entry.held and not entry.cancelled and not entry.error and entry.result is None:
                self._start(entry)
                slots -= 1

    def _start(self, entry: QueueEntry) -> None:
        if entry.prepared is not None:
            entry.job, entry.prepared = entry.prepared, None
            entry.job.on_progress = self.model.progress_callback(entry)
            entry.attempts += 1
            self._launch(entry)
            return
        client = self.ctx.client()
        if client is None:
            entry.error = "Not connected: choose a profile and a token above, then retry"
            self.model.touch(entry, now=True)
            self.jobFinished.emit(entry)
            return
        entry.attempts += 1
        # Profile and endpoint as the journal records them (the sandbox under a fixed label).
        where = self.ctx.job_where() if hasattr(self.ctx, "job_where") else {}
        options = {**where, **self.job_options}
        record, entry.resume_record = entry.resume_record, None
        if record is not None:
            # Same batch limits as the first run: batch boundaries must line up with the journal.
            options.update(resume_from=record, max_events=record.max_events, max_bytes=record.max_bytes)
        entry.job = UploadJob(entry.source, entry.plan, client, entry.dataset,
                              on_progress=self.model.progress_callback(entry), **options)
        self._launch(entry)

    def _launch(self, entry: QueueEntry) -> None:
        entry.started = time.monotonic()
        entry.finished = None
        entry.task = self.ctx.tasks.spawn(self._run(entry), f"upload:{entry.name} → {entry.dataset}")
        self.model.touch(entry, now=True)
        self.jobStarted.emit(entry)

    async def stop_all(self, timeout: float) -> list[str]:
        """Cancel every upload the way the Cancel button does (requests in flight finish, so what
        they stored is acknowledged in the journal) and wait for them, at most `timeout` seconds.
        Each stopped job stays in the journal as unfinished (events not sent): the next start
        offers to resume it. Returns the journal ids of the jobs that were running."""
        running = [e for e in self.model.entries() if e.running]
        for entry in self.model.entries():  # the waiting ones first, so none starts meanwhile
            if not entry.running and not entry.is_finished:
                self.cancel(entry)
        for entry in running:
            self.cancel(entry)
        tasks = [e.task for e in running if e.task is not None and not e.task.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        return [e.job.job_id for e in running if e.job is not None and e.job.job_id]

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
            if shiboken6.isValid(self) and shiboken6.isValid(self.model):
                self.model.touch(entry, now=True)
        if not shiboken6.isValid(self):  # the window went away meanwhile
            return
        self.jobFinished.emit(entry)
        self.pump()

    # -- actions ---------------------------------------------------------------------------
    def pause(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.pause()
        elif entry.job is None and not entry.cancelled and not entry.error:
            entry.held = True
        self.model.touch(entry, now=True)

    def resume(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.resume()
        elif entry.held:
            entry.held = False
            self.pump()
        self.model.touch(entry, now=True)

    def cancel(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.cancel()
        elif entry.job is None and entry.result is None and not entry.error:
            entry.cancelled = True
            entry.held = False
        self.model.touch(entry, now=True)
        self.pump()

    def can_retry(self, entry: QueueEntry) -> bool:
        return entry.is_finished and entry.state != JobState.DONE

    def retry(self, entry: QueueEntry, resume: Any = None) -> None:
        """Run the entry again in the same row: resuming its journal record (only what was not
        stored is sent), or from the start (the caller has checked that nothing was stored, or
        the user agreed to send it all again)."""
        if not self.can_retry(entry):
            return
        entry.resume_record = resume
        entry.job = entry.result = entry.progress = entry.task = None
        entry.error = None
        entry.cancelled = entry.held = False
        entry.started = entry.finished = None
        if not entry.dataset:
            entry.dataset = self.ctx.dataset()
            if not entry.dataset:
                entry.error = "No dataset chosen: pick one above, then retry"
        self.model.touch(entry, now=True)
        self.pump()

    def retry_failed_rows(self, entry: QueueEntry) -> QueueEntry | None:
        """Queue only the rows that failed (as a new entry), when their text is known in full."""
        source_plan = failed_rows_source(entry)
        if source_plan is None:
            return None
        source, plan = source_plan
        return self.add(source, plan, entry.dataset)

    def remove(self, entry: QueueEntry) -> None:
        if entry.running:
            entry.job.cancel()
        self.model.remove(entry)
        self.pump()

    def clear_finished(self) -> None:
        for entry in self.model.entries():
            if entry.is_finished:
                self.model.remove(entry)

    def cancel_all(self) -> None:
        for entry in self.model.entries():
            if not entry.is_finished:
                self.cancel(entry)


def failed_rows_source(entry: QueueEntry) -> tuple[Source, Any] | None:
    """A Source holding just the failed rows of an entry (CSV keeps its header), and its Plan.
    None when a row's text is unknown or was cut short in the report."""
    r = entry.result
    if r is None or not r.failures:
        return None
    records = [f.record for f in r.failures]
    if not all(f.complete for f in r.failures):
        return None
    plan = copy.copy(entry.plan)
    plan.compression = None
    plan.encoding = "utf-8"
    out = io.StringIO()
    if plan.format == "csv" and plan.csv is not None:
        dialect = copy.copy(plan.csv)
        if dialect.fields:
            csv.writer(out, delimiter=dialect.delimiter, quotechar=dialect.quotechar,
                       lineterminator="\n").writerow(dialect.fields)
            dialect.has_header = True
        plan.csv = dialect
    else:
        plan.format = "ndjson"
        plan.csv = None
    for rec in records:
        out.write(rec.rstrip("\r\n") + "\n")
    name = f"{entry.name} (failed rows)"
    return Source.from_bytes(out.getvalue().encode("utf-8"), name=name), plan
