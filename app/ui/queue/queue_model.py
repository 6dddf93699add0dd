"""The upload queue as a Qt table model: one row a QueueEntry of app.core.queue.UploadQueue.

The model is the queue's front end (its QueueEvents): it never reaches into a job. Progress
reports only mark a row as changed; a timer repaints changed rows (at most ~10 times a second),
so a job reporting per batch — or far more often — never floods the GUI thread. A flush costs the
rows that changed, not the rows there are (a queue of 2,000 files), and the totals are announced
at most once a tick.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.core.io import shown
from app.core.progress import not_sent_text
from app.core.queue import QueueEntry, totals
from app.core.job import JobState
from app.ui.widgets import theme
from app.ui.widgets.formatting import format_label, human_bytes
from app.ui.widgets.table_model import RowsTableModel

REFRESH_MS = 100  # repaint changed rows at most this often (~10×/s)
TOTALS_EVERY = 3  # ticks between two announcements of the totals (~3×/s: they cost every row)


class QueueModel(RowsTableModel):
    """Rows are the queue's entries, in its order; repaints are coalesced by a timer."""

    FILE, DATASET, FORMAT, SIZE, PROGRESS, INGESTED, FAILED, STATUS, SPEED, TIME = range(10)
    HEADERS = ["File", "Dataset", "Format", "Size", "Progress", "Ingested", "Failed", "Status", "Speed", "Time"]
    # What each column is sized for (with its header): the File column takes the rest and elides,
    # so the queue fits a window 820 px wide; a longer value elides too (whole in a wider column).
    # Progress: a bar around its text.
    WIDTH_SAMPLES = {DATASET: "playground", FORMAT: "NDJSON", SIZE: "99.9 MB", PROGRESS: "[  100 %  ]",
                     INGESTED: "999,999", FAILED: "9,999", STATUS: "done with failures", SPEED: "999.9 KB/s",  # the widest a rate is written
                     TIME: "12 s · 1 min left"}
    ProgressRole = Qt.ItemDataRole.UserRole + 1  # float 0..1, -1 when unknown, None before it starts
    EntryRole = Qt.ItemDataRole.UserRole + 2

    totalsChanged = Signal()
    jobStarted = Signal(object)  # QueueEntry
    jobFinished = Signal(object)  # QueueEntry

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._dirty: set[QueueEntry] = set()  # rows to repaint at the next tick
        self._ticking: set[QueueEntry] = set()  # rows counting down: repainted every tick
        self._row: dict[QueueEntry, int] | None = None  # entry -> row, rebuilt after a removal
        self._totals_due = False
        self._ticks = 0
        self._totals: dict[str, int] | None = None  # cached until a row changes
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    # -- the queue's events (app.core.queue.QueueEvents) ---------------------------------
    entries = RowsTableModel.rows
    entry = RowsTableModel.row_at

    def entry_added(self, entry: QueueEntry) -> None:
        if self._row is not None:
            self._row[entry] = len(self._rows)
        self.append(entry)
        self._totals_due = True
        self._totals = None

    def entry_removed(self, entry: QueueEntry) -> None:
        self._dirty.discard(entry)
        self._ticking.discard(entry)
        removed = self.remove(entry)
        self._row = self._totals = None  # rows below it moved up
        if removed:
            self.totalsChanged.emit()

    def row_of(self, item) -> int:
        """O(1): the row of an entry, from a map rebuilt after rows are removed."""
        if self._row is None:
            self._row = {e: i for i, e in enumerate(self._rows)}
        return self._row.get(item, -1)

    def entry_changed(self, entry: QueueEntry, now: bool = False) -> None:
        """A progress report (repainted at the next tick) or a state change (`now`: at once)."""
        if not shiboken6.isValid(self):  # an upload finishing after the window closed
            return
        self._dirty.add(entry)
        if now:
            self.flush(tick=False)

    def entry_started(self, entry: QueueEntry) -> None:
        self.jobStarted.emit(entry)

    def entry_finished(self, entry: QueueEntry) -> None:
        self.jobFinished.emit(entry)

    def is_open(self) -> bool:
        return shiboken6.isValid(self)

    def flush(self, tick: bool = True) -> None:
        """Repaint rows whose job reported since the last tick, and live countdowns; the totals
        are announced on the timer's tick (`tick`), not on every state change."""
        dirty, self._dirty = self._dirty | self._ticking, set()
        for entry in sorted(dirty, key=self.row_of):
            row = self.row_of(entry)
            if row < 0:
                continue
            if entry.counting_down:
                self._ticking.add(entry)
            else:
                self._ticking.discard(entry)
            self.repaint_row(row)
        if dirty:
            self._totals_due = True
            self._totals = None
        if tick:
            self._ticks += 1
        if tick and self._totals_due and (self._ticks >= TOTALS_EVERY or len(self._rows) < 100):
            self._ticks = 0
            self._totals_due = False
            self.totalsChanged.emit()

    def totals(self) -> dict[str, int]:
        """app.core.queue.totals of the rows, computed once per change (not once per caller)."""
        if self._totals is None:
            self._totals = totals(self._rows)
        return self._totals

    # -- Qt model ------------------------------------------------------------------------
    def cell(self, e: QueueEntry, col: int, role: int):
        if role == self.EntryRole:
            return e
        if role == self.ProgressRole:
            return e.fraction() if col == self.PROGRESS else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(e, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(e, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (self.SIZE, self.INGESTED, self.FAILED, self.SPEED, self.TIME):
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
            return format_label(e.plan.format, e.plan.csv)
        if col == self.SIZE:
            return human_bytes(e.source.size)
        if col == self.PROGRESS:
            return e.percent_text()
        if col == self.INGESTED:
            return f"{e.ingested:,}"
        if col == self.FAILED:
            return f"{e.failed:,}"
        if col == self.STATUS:
            return e.status_text()
        if col == self.SPEED:
            s = e.speed()
            return f"{human_bytes(s)}/s" if s else ""
        if col == self.TIME:
            return e.time_text()
        return ""

    def _tooltip(self, e: QueueEntry, col: int) -> str | None:
        if col == self.FILE:
            return shown(e.source.path) if e.source.path is not None else e.source.name
        if col == self.STATUS:
            if e.error:
                return e.error
            if e.result is not None:
                parts = [f"{e.result.ingested:,} ingested, {e.result.failed:,} failed"]
                if not_sent := not_sent_text(e):  # the unread rest of a file too, "count unknown"
                    parts.append(not_sent)
                if e.result.possible_duplicates:
                    parts.append(f"{e.result.possible_duplicates:,} possibly stored twice")
                if e.result.error:
                    parts.append(e.result.error)
                if e.result.stopped_at:
                    parts.append(f"stopped at {e.result.stopped_at}")
                return "\n".join(parts)
            return e.message() or None
        if col == self.TIME and e.started is not None:
            return "Time since it started" + (", and the time left at this run's rate" if e.eta() is not None else "")
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
