"""The "uploads did not finish" bar shown at start-up: what the journal has as unfinished (name,
dataset, what was ingested, where it stopped, interrupted or cancelled), with Resume all, Resume
selected and Discard. It never blocks: the window works while it is shown.

Resuming builds the job with app.core.job.resume_job (only the batches the server did not acknowledge
are sent) and hands it to the queue as a row. A job of another profile is not sent with the
current one: the bar says which profile to switch to, and offers the switch.
"""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.core.io import shown
from app.core import history, journal
from app.core.axiom import is_loopback_url
from app.ui.widgets import theme
from app.ui.widgets.table_model import RowsTableModel
from app.ui.widgets.table_view import rows_table_view

log = logging.getLogger(__name__)

MAX_VISIBLE_ROWS = 4


@dataclass(eq=False)
class Unfinished:
    """One unfinished job as the bar lists it."""

    record: object  # journal.JobRecord
    stopped: str  # where it stopped, as a user reads it ("line 12,001")
    note: str = ""  # why it cannot be resumed here, or what went wrong resuming it
    problem: bool = False  # the note is an error (shown in red)

    @property
    def how(self) -> str:
        return history.how_it_ended(self.record)


def load_unfinished(keep_days: int | None = None) -> tuple[int, list[Unfinished]]:
    """(jobs pruned, unfinished jobs) as the bar lists them (runs in a worker thread: SQLite)."""
    pruned, jobs = history.unfinished(keep_days)
    return pruned, [Unfinished(record, stopped) for record, stopped in jobs]


# -- the model ------------------------------------------------------------------------------------
class UnfinishedModel(RowsTableModel):
    """Rows are Unfinished jobs; `repaint(item)` after editing an item's note."""

    FILE, DATASET, INGESTED, STOPPED, HOW, NOTE = range(6)
    HEADERS = ["File", "Dataset", "Ingested so far", "Stopped at", "How it ended", "Note"]
    ItemRole = Qt.ItemDataRole.UserRole + 1

    items = RowsTableModel.rows
    item = RowsTableModel.row_at
    set_items = RowsTableModel.set_rows

    def cell(self, it: Unfinished, col: int, role: int):
        r = it.record
        if role == self.ItemRole:
            return it
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.FILE:
                return shown(Path(r.path or r.name).name)
            if col == self.DATASET:
                return r.dataset
            if col == self.INGESTED:
                return f"{r.ingested:,}" + (f" ({r.failed:,} failed)" if r.failed else "")
            if col == self.STOPPED:
                return it.stopped
            if col == self.HOW:
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.updated))
                return f"{it.how} {when}"
            if col == self.NOTE:
                return it.note
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.FILE:
                return f"{shown(r.path or r.name)}\njob {r.id} · profile {r.profile or '(AXIOM_TOKEN)'} · {r.endpoint or '?'}"
            if col == self.HOW:
                return ("The app or the computer stopped while it was sending; batches that were in flight "
                        "are sent again and reported as possible duplicates") if r.interrupted else (
                    r.error or "Stopped with events not sent")
            if col == self.NOTE and it.note:
                return it.note
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.INGESTED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.NOTE and it.problem:
            return theme.status_brush("error")
        return None


# -- the bar ----------------------------------------------------------------------------------------
def bar_style() -> str:
    """A tint of the window colour toward the accent, with the window's own text colour on it, so
    the bar reads on light and dark palettes (a fixed pale blue left light text illegible)."""
    bg = theme.css(theme.tint("accent", 0.14, role=QPalette.ColorRole.Window))
    edge = theme.css(theme.tint("accent", 0.5, role=QPalette.ColorRole.Window))
    return f"""
QFrame#resumeBar {{ background: {bg}; border: 1px solid {edge}; border-radius: 4px; }}
QFrame#resumeBar QLabel {{ background: transparent; border: none; color: palette(window-text); }}
"""


class ResumeBar(QFrame):
    """Above the tabs; hidden until the journal has unfinished jobs, and again once none is left."""

    def __init__(self, ctx, add_jobs: Callable[[list], object], parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.add_jobs = add_jobs
        self.setObjectName("resumeBar")
        self.setStyleSheet(bar_style())
        self.setAccessibleName("Unfinished uploads")
        self.model = UnfinishedModel(self)
        self.notices: list[str] = []  # what the journal said about itself (app.core.history.notices)

        self.title = QLabel(self)
        self.title.setAccessibleName("Unfinished uploads message")
        self.title.setWordWrap(True)
        self.view = rows_table_view(self.model, self, row_padding=8)
        self.view.setAccessibleName("Unfinished uploads list")
        hh = self.view.horizontalHeader()
        # A selected row would embolden every header label, and the bold "Ingested so far" no
        # longer fit the column sized for the regular font.
        hh.setHighlightSections(False)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(UnfinishedModel.NOTE, QHeaderView.ResizeMode.Stretch)

        self.resume_all_button = self._button("Resume all", "Send what was not stored yet, for every upload listed",
                                              self.resume_all)
        self.resume_selected_button = self._button("Resume selected", "Send what was not stored yet, for the "
                                                   "selected uploads", self.resume_selected)
        self.discard_button = self._button("Discard", "Forget the selected uploads: they are not offered again "
                                           "(they stay in the History tab)", self.discard_selected)
        self.switch_button = self._button("Switch profile", "", self.switch_profile)
        self.switch_button.hide()
        self.later_button = self._button("Later", "Hide this; the uploads are offered again at the next start",
                                         self.hide)

        buttons = QVBoxLayout()
        for b in (self.resume_all_button, self.resume_selected_button, self.discard_button, self.switch_button,
                  self.later_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.view, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(left, 1)
        layout.addLayout(buttons)

        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.model.modelReset.connect(self._update)
        self.model.rowsRemoved.connect(self._update)
        ctx.connectionChanged.connect(self.refresh_notes)
        ctx.profileChanged.connect(self.refresh_notes)
        self.hide()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            style = bar_style()
            if style != self.styleSheet():  # applying a style sheet may report a palette change itself
                self.setStyleSheet(style)
        super().changeEvent(event)

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        b = QPushButton(text, self)
        b.setToolTip(tip)
        b.setAccessibleName(text)
        b.clicked.connect(slot)
        return b

    # -- filling --------------------------------------------------------------------------------
    def set_items(self, items: list[Unfinished]) -> None:
        self.model.set_items(items)
        self.refresh_notes()
        if items:
            sm = self.view.selectionModel()
            sm.select(self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                      | QItemSelectionModel.SelectionFlag.Rows)
        self.setVisible(bool(items))

    def set_notices(self, notices: list[str]) -> None:
        """Shown above the list (a damaged journal that was moved aside) until the bar is hidden."""
        self.notices = list(notices)
        self._update()
        if self.notices:
            self.show()

    def items(self) -> list[Unfinished]:
        return self.model.items()

    def selected_items(self) -> list[Unfinished]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.item(r) for r in rows if r < self.model.rowCount()]

    def select_items(self, items: list[Unfinished]) -> None:
        sm = self.view.selectionModel()
        sm.clearSelection()
        for row, it in enumerate(self.model.items()):
            if it in items:
                sm.select(self.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                          | QItemSelectionModel.SelectionFlag.Rows)

    # -- where a job may resume -------------------------------------------------------------------
    def needed_profile(self, record) -> str | None:
        """The profile a job must be resumed with, when it is not the current one."""
        from app.core.connect import SANDBOX_ENDPOINT

        current = self.ctx.profile()
        if record.endpoint == SANDBOX_ENDPOINT:
            if current.kind == "sandbox":
                return None
            sandboxes = [p.name for p in self.ctx.settings.profiles if p.kind == "sandbox"]
            return record.profile if record.profile in sandboxes else (sandboxes[0] if sandboxes else None)
        if record.profile and record.profile != current.name:
            return record.profile
        return None

    def blocker(self, record) -> str | None:
        """Why the job cannot be resumed right now (None: it can)."""
        needed = self.needed_profile(record)
        if needed is not None:
            return f"switch to profile “{needed}” to resume it"
        if record.profile is None:
            return f"sent from a terminal with AXIOM_TOKEN: resume it there (axiom-drop resume {record.id})"
        if self.ctx.client() is None:
            return "not connected yet"
        return None

    def refresh_notes(self) -> None:
        for it in self.model.items():
            if it.problem:
                continue
            it.note = self.blocker(it.record) or (it.record.note or "")
            self.model.repaint(it)
        self._update()

    def _endpoint_for(self, record) -> str | None:
        """The endpoint label the resumed job sends under (the journal checks it matches)."""
        where = self.ctx.job_where()["endpoint"]
        p = self.ctx.profile()
        # Jobs journaled by an older version under the sandbox's URL of that day: same sandbox.
        if p.kind == "sandbox" and record.profile == p.name and is_loopback_url(record.endpoint):
            return record.endpoint
        return where

    # -- actions -------------------------------------------------------------------------------
    def resume_all(self) -> list:
        return self.resume(self.model.items())

    def resume_selected(self) -> list:
        return self.resume(self.selected_items())

    def resume(self, items: list[Unfinished]) -> list:
        """Queue the jobs that can run here; the others keep their row with a note saying why."""
        from app.core import journal
        from app.core.job import resume_job

        jobs = []
        for it in items:
            why = self.blocker(it.record)
            if why is not None:
                it.note, it.problem = why, False
                self.model.repaint(it)
                continue
            client = self.ctx.client()
            try:
                job = resume_job(it.record, client, endpoint=self._endpoint_for(it.record))
            except journal.ResumeError as e:
                it.note, it.problem = str(e), True
                self.model.repaint(it)
                continue
            jobs.append(job)
            self.model.remove(it)
        if jobs:
            self.add_jobs(jobs)
            self.ctx.status(f"Resuming {len(jobs)} upload{'s' if len(jobs) != 1 else ''}: only what is not "
                            "stored yet is sent", 8000)
        self._update()
        return jobs

    def discard_selected(self):
        items = self.selected_items()
        if not items:
            return None
        for it in items:
            self.model.remove(it)
        self._update()
        return self.ctx.tasks.spawn(self._discard([it.record.id for it in items]), "discard unfinished uploads")

    async def _discard(self, ids: list[str]) -> None:
        try:
            await self.ctx.run_blocking(history.discard, ids)
        except journal.JournalError as e:
            self.ctx.status(str(e), 10000)
            return
        self.ctx.status(f"Discarded {len(ids)} unfinished upload{'s' if len(ids) != 1 else ''}", 5000)
        self.ctx.historyChanged.emit()

    def switch_profile(self) -> None:
        name = self.switch_button.property("profile")
        if name:
            self.ctx.set_profile(name)

    def _update(self) -> None:
        items = self.model.items()
        n = len(items)
        if not n and not self.notices:
            self.hide()
            return
        said = "".join(f"<p><b>Journal problem:</b> {html.escape(text)}</p>" for text in self.notices)
        self.title.setText(said + (
            f"<b>{n} upload{'s' if n != 1 else ''} did not finish.</b> Resume to send only what was not "
            "stored yet; batches that were in flight are sent again and reported as possible duplicates."
            if n else ""))
        self.view.setVisible(bool(n))
        sel = self.selected_items()
        ready = [it for it in items if self.blocker(it.record) is None]
        self.resume_all_button.setEnabled(bool(ready))
        self.resume_selected_button.setEnabled(any(self.blocker(it.record) is None for it in sel))
        self.discard_button.setEnabled(bool(sel))
        needed = next((p for p in (self.needed_profile(it.record) for it in (sel or items)) if p), None)
        self.switch_button.setVisible(needed is not None)
        if needed:
            self.switch_button.setText(f"Switch to {needed}")
            self.switch_button.setAccessibleName(f"Switch to {needed}")
            self.switch_button.setToolTip(f"Use profile “{needed}”, where these uploads were going")
            self.switch_button.setProperty("profile", needed)
        rows = min(n, MAX_VISIBLE_ROWS)
        self.view.setFixedHeight(self.view.horizontalHeader().sizeHint().height()
                                 + rows * self.view.verticalHeader().defaultSectionSize() + 4)
