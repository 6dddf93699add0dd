"""The History tab: finished uploads and pasted sends, from the journal, newest first.

Every query runs in a worker thread (SQLite): the search field re-queries once per pause in
typing, and answers for an older search are dropped. The selected entry's failures are read the
same way. "Keep history for N days" is a setting (config.Settings.history_keep_days), applied with
history.prune at start-up and whenever it changes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.io import shown
from app.core import history, journal
from app.core.job import not_sent_cell, not_sent_text, rest_from_stop
from app.ui.history.history_actions import HistoryActions, settings_text
from app.ui.widgets import theme
from app.ui.widgets.rich_text import error_css, esc
from app.ui.widgets.table_view import Selection, rows_table_view
from app.ui.widgets.failures_model import FailuresModel
from app.ui.widgets.table_model import RowsTableModel

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 250
KEEP_DEBOUNCE_MS = 600
HISTORY_LIMIT = 500


@dataclass(eq=False)
class HistoryRow:
    record: object  # journal.JobRecord
    state: str  # as the user reads it: "done", "cancelled", "interrupted", "uploading" …

    @property
    def name(self) -> str:
        r = self.record
        if r.kind == "pasted":
            return "Pasted JSON" if r.name == "pasted" else r.name
        if r.kind == "stdin":
            return "standard input"
        return shown(Path(r.path or r.name).name)

    @property
    def rest_from(self) -> int | None:
        """Where the input stopped being read (the rest not sent, its count unknown), if it did."""
        return rest_from_stop(self.record.stopped_at)


def query_history(search: str = "", limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The tab's rows (runs in a worker thread: SQLite)."""
    return [HistoryRow(record, state) for record, state in history.history(search, limit)]


# -- the model ------------------------------------------------------------------------------------
class JournalHistoryModel(RowsTableModel):
    """Rows are HistoryRow objects, newest first."""

    TIME, NAME, DATASET, INGESTED, FAILED, NOT_SENT, STATE = range(7)
    HEADERS = ["Time", "Name", "Dataset", "Ingested", "Failed", "Not sent", "State"]
    RowRole = Qt.ItemDataRole.UserRole + 1

    def cell(self, h: HistoryRow, col: int, role: int):
        r = h.record
        if role == self.RowRole:
            return h
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.TIME:
                return time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created))
            if col == self.NAME:
                return h.name
            if col == self.DATASET:
                return r.dataset
            if col == self.INGESTED:
                return f"{r.ingested:,}"
            if col == self.FAILED:
                return f"{r.failed:,}"
            if col == self.NOT_SENT:
                return not_sent_cell(r.not_sent, h.rest_from)
            if col == self.STATE:
                return h.state
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.NAME:
                return f"{shown(r.path or r.name)}\njob {r.id}"
            if col == self.NOT_SENT and h.rest_from is not None:
                return not_sent_text(r.not_sent, h.rest_from)
            if col == self.STATE:
                tip = [r.error] if r.error else []
                if h.rest_from is not None:
                    tip.append(not_sent_text(r.not_sent, h.rest_from))
                if r.possible_duplicates:
                    tip.append(f"{r.possible_duplicates:,} events possibly stored twice (select it for the lines)")
                return "\n".join(tip) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.INGESTED, self.FAILED, self.NOT_SENT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.FAILED and r.failed:
                return theme.status_brush("error")
            if col == self.STATE:
                kind = {"failed": "error", "done with failures": "warning", "done": "success"}.get(h.state)
                return theme.status_brush(kind) if kind else None
        return None


# -- the tab -----------------------------------------------------------------------------------------
class HistoryTab(QWidget):
    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("History")

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search by file name, dataset or job id")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search upload history")
        self.search_edit.setToolTip("Filter finished uploads and pasted sends by file name, dataset or job id")
        self.keep_spin = QSpinBox(self)
        self.keep_spin.setRange(1, 3650)
        self.keep_spin.setSuffix(" days")
        self.keep_spin.setValue(max(1, int(ctx.settings.history_keep_days)))
        self.keep_spin.setAccessibleName("Keep history for")
        self.keep_spin.setToolTip("Entries older than this are deleted (at start-up and when this changes)")
        keep_label = QLabel("&Keep history for", self)
        keep_label.setBuddy(self.keep_spin)
        self.count_label = QLabel(self)
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        top.addSpacing(12)
        top.addWidget(keep_label)
        top.addWidget(self.keep_spin)

        self.model = JournalHistoryModel(self)
        self.view = rows_table_view(self.model, self, selection=Selection.SingleSelection, alternating=True,
                                    row_padding=10)
        self.view.setAccessibleName("Upload history")
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(JournalHistoryModel.NAME, QHeaderView.ResizeMode.Stretch)
        for col, w in {JournalHistoryModel.TIME: 130, JournalHistoryModel.DATASET: 140,
                       JournalHistoryModel.INGESTED: 90, JournalHistoryModel.FAILED: 70,
                       JournalHistoryModel.NOT_SENT: 80, JournalHistoryModel.STATE: 150}.items():
            hh.resizeSection(col, w)
        self.empty = QLabel("Nothing here yet. Finished uploads and pasted sends are listed here, "
                            "with what failed and why.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        self.summary = QLabel(self)
        self.summary.setAccessibleName("History entry")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.failures = FailuresModel(self)
        self.failures_view = rows_table_view(self.failures, self)
        self.failures_view.setAccessibleName("Failures of the selected entry")
        fh = self.failures_view.horizontalHeader()
        fh.setSectionResizeMode(FailuresModel.LINE, QHeaderView.ResizeMode.ResizeToContents)
        fh.setSectionResizeMode(FailuresModel.REASON, QHeaderView.ResizeMode.Interactive)
        fh.resizeSection(FailuresModel.REASON, 380)
        fh.setSectionResizeMode(FailuresModel.EVENT, QHeaderView.ResizeMode.Stretch)
        below = QWidget(self)
        bl = QVBoxLayout(below)
        bl.setContentsMargins(0, 4, 0, 0)
        bl.addWidget(self.summary)
        self.entry_actions = HistoryActions(self)  # resume, send again, export, show the file
        bl.addLayout(self.entry_actions.buttons)
        bl.addWidget(self.failures_view, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(below)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self._generation = 0
        self._failures_for: str | None = None
        self.load_task: asyncio.Task | None = None
        self.failures_task: asyncio.Task | None = None
        self.prune_task: asyncio.Task | None = None
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self._keep_timer = QTimer(self)
        self._keep_timer.setSingleShot(True)
        self._keep_timer.setInterval(KEEP_DEBOUNCE_MS)
        self._keep_timer.timeout.connect(self.apply_keep_days)
        self.keep_spin.valueChanged.connect(lambda _v: self._keep_timer.start())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.model.modelReset.connect(self._selection_changed)
        self._stale = False  # the journal changed while the tab was hidden: read it when shown
        ctx.historyChanged.connect(self._history_changed)
        self._show_entry(None)
        self.reload()

    # -- loading ----------------------------------------------------------------------------------
    def _history_changed(self) -> None:
        """A job was journaled: read the journal again, now if the tab is shown, else once it is
        (a folder of 2,000 files finishing behind the Files tab read 500 entries a few times a second)."""
        if self.isVisible():
            self._search_timer.start()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reload()

    def reload(self) -> asyncio.Task:
        """Query the journal again (off the GUI thread) with the current search."""
        self._search_timer.stop()
        self._generation += 1
        self.load_task = self.ctx.tasks.spawn(self._load(self._generation, self.search_edit.text().strip()),
                                              "load history")
        return self.load_task

    async def _load(self, gen: int, search: str) -> None:
        try:
            rows = await self.ctx.run_blocking(query_history, search, HISTORY_LIMIT)
        except journal.JournalError as e:
            if gen == self._generation:
                self.empty.setText(str(e))
                self.stack.setCurrentWidget(self.empty)
            return
        if gen != self._generation:
            return  # the search changed while we were reading
        selected = self.selected_row()
        keep_id = selected.record.id if selected else None
        self.model.set_rows(rows)
        self.count_label.setText(f"{len(rows):,} entr{'ies' if len(rows) != 1 else 'y'}"
                                 + (" (newest shown)" if len(rows) >= HISTORY_LIMIT else ""))
        if not rows:
            self.empty.setText(f"Nothing matches “{search}”." if search else
                               "Nothing here yet. Finished uploads and pasted sends are listed here, "
                               "with what failed and why.")
        self.stack.setCurrentWidget(self.view if rows else self.empty)
        if keep_id is not None:
            for i, h in enumerate(rows):
                if h.record.id == keep_id:
                    self.select_row(i)
                    break

    def rows(self) -> list[HistoryRow]:
        return self.model.rows()

    def select_row(self, i: int) -> None:
        sm = self.view.selectionModel()
        idx = self.model.index(i, 0)
        sm.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
        sm.select(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def selected_row(self) -> HistoryRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows and rows[0].row() < self.model.rowCount() else None

    # -- the selected entry --------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        self._show_entry(self.selected_row())
        self.entry_actions.update()

    def _show_entry(self, h: HistoryRow | None) -> None:
        if h is None:
            self._failures_for = None
            self.failures.set_failures([])
            self.summary.setText("Select an entry to see what failed and why.")
            return
        r = h.record
        from app.core.connect import SANDBOX_ENDPOINT

        where = r.profile or "AXIOM_TOKEN"
        if r.endpoint and r.endpoint != SANDBOX_ENDPOINT:
            where += f" ({r.endpoint})"
        head = (f"<b>{esc(h.name)}</b> → {esc(r.dataset)} · {esc(where)} · "
                f"{esc(h.state)} · job {esc(r.id)}")
        parts = [f"{r.ingested:,} ingested", f"{r.failed:,} failed",
                 not_sent_text(r.not_sent, h.rest_from) or "0 not sent"]
        if r.possible_duplicates:
            parts.append(f"{r.possible_duplicates:,} possibly stored twice")
        if r.runs > 1:
            parts.append(f"{r.runs} runs (resumed)")
        lines = [head, " · ".join(parts), esc(settings_text(r))]
        if r.error:
            lines.append(f"<span style='color:{error_css()}'>{esc(r.error)}</span>")
        if r.stopped_at:
            lines.append(f"Stopped at {esc(r.stopped_at)}")
        for w in r.warnings[:3]:
            lines.append(f"⚠ {esc(w)}")
        if len(r.warnings) > 3:
            lines.append(f"… and {len(r.warnings) - 3} more warnings")
        self.summary.setText("<br>".join(lines))
        if self._failures_for != r.id:
            self._failures_for = r.id
            self.failures.set_failures([])
            self.failures_task = self.ctx.tasks.spawn(self._load_failures(r.id), "load history failures")

    async def _load_failures(self, job_id: str) -> None:
        try:
            failures = await self.ctx.run_blocking(history.failures, job_id)
            more = await self.ctx.run_blocking(history.more_failures, job_id)
        except journal.JournalError as e:
            self.ctx.status(str(e), 8000)
            return
        if self._failures_for == job_id:
            self.failures.set_failures(failures)
            if more:  # failures past the ones kept in full: counted by reason, not listed
                self.summary.setText(f"{self.summary.text()}<br>{esc(more)}")

    # -- keeping --------------------------------------------------------------------------------------
    def apply_keep_days(self) -> asyncio.Task:
        """Save the setting and delete the entries older than it, then list again."""
        self._keep_timer.stop()
        days = self.keep_spin.value()
        if self.ctx.settings.history_keep_days != days:
            self.ctx.settings.history_keep_days = days
            self.ctx.save_settings()
        self.prune_task = self.ctx.tasks.spawn(self._prune(days), "prune history")
        return self.prune_task

    async def _prune(self, days: int) -> None:
        try:
            n = await self.ctx.run_blocking(history.prune, days)
        except journal.JournalError as e:
            self.ctx.status(str(e), 8000)
            return
        if n:
            self.ctx.status(f"Deleted {n} history entr{'ies' if n != 1 else 'y'} older than {days} days", 5000)
        await self.reload()
