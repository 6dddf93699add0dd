"""The upload queue as the user sees it: one row a file, actions on the selected rows, and the
details of the selected upload below. Finished uploads that took a while raise a notification."""

from __future__ import annotations

import logging
import time
from typing import Callable

import shiboken6

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication, QHBoxLayout, QHeaderView, QLabel, QMenu, QMessageBox, QPushButton, QSplitter,
    QStackedWidget, QSystemTrayIcon, QVBoxLayout, QWidget,
)

from app.core import history
from app.core.progress import not_sent_parts, not_sent_text
from app.core.queue import QueueEntry, RetryAction, UploadQueue, can_resume_from, can_retry, retry_action
from app.core.job import JobState
from app.ui.queue import vector_action
from app.ui.queue.details import DetailsPane
from app.ui.queue.missing_dataset import MissingDatasetPrompt
from app.ui.queue.progress_delegate import ProgressDelegate
from app.ui.queue.queue_model import QueueModel
from app.ui.queue.summary_row import SummaryRow
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.formatting import human_duration
from app.ui.widgets.splitter import share_parent_splitter
from app.ui.widgets.table_view import rows_table_view

log = logging.getLogger(__name__)

LONG_UPLOAD_S = 10.0  # a finished upload that took longer than this gets a notification


class QueuePanel(QWidget):
    """Queue table + actions + details pane. `add_jobs` receives the drop panel's send."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = QueueModel(self)
        self.queue = UploadQueue(client=ctx.client, dataset=ctx.dataset, where=ctx.job_where,
                                 spawn=ctx.tasks.spawn, events=self.model)
        self.model.jobFinished.connect(self._job_finished)
        self.model.totalsChanged.connect(self._update_summary)
        self.model.dataChanged.connect(self._rows_changed)
        self._tray: QSystemTrayIcon | None = None
        self._last_limits = 0.0
        self._has_rows: bool | None = None  # what _fit last sized the panel for
        self._used: set[str] = set()  # datasets sent to since the last listing (one refresh a burst)
        self._used_timer = QTimer(self, singleShot=True, interval=1000)
        self._used_timer.timeout.connect(self._list_used)
        # Tests replace this: (entry) -> bool, asked before sending a partly stored file again.
        self.confirm_resend = self._confirm_resend
        self.missing_dataset = MissingDatasetPrompt(self, ctx, self.retry)  # a 404 on ingest: create it?

        title = QLabel("Uploads")
        f = title.font()
        f.setBold(True)
        title.setFont(f)
        self.summary = ElidedLabel("", self, Qt.TextElideMode.ElideRight)
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.pause_button = self._button("Pause", "Pause the selected uploads", self.pause_selected)
        self.resume_button = self._button("Resume", "Resume the selected uploads", self.resume_selected)
        self.cancel_button = self._button("Cancel", "Stop the selected uploads (what was sent stays sent)",
                                          self.cancel_selected)
        self.retry_button = self._button("Retry", "Send again what was not stored", self.retry_selected)
        self.remove_button = self._button("Remove", "Remove the selected rows (cancels them if running)",
                                          self.remove_selected)
        self.clear_button = self._button("Clear finished", "Remove the finished rows", self.queue.clear_finished)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(8)
        head.addWidget(self.summary, 1)
        for b in (self.pause_button, self.resume_button, self.cancel_button, self.retry_button,
                  self.remove_button, self.clear_button):
            head.addWidget(b)

        self.view = rows_table_view(self.model, alternating=True, row_padding=10)
        self.view.setAccessibleName("Upload queue")
        self.view.setItemDelegateForColumn(QueueModel.PROGRESS, ProgressDelegate(self.view))
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(QueueModel.FILE, QHeaderView.ResizeMode.Stretch)  # the rest, elided
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a file name keeps its start and end
        for col, sample in QueueModel.WIDTH_SAMPLES.items():  # sized to their content, not to fixed pixels
            hh.resizeSection(col, max(hh.fontMetrics().horizontalAdvance(QueueModel.HEADERS[col]) + 12,
                                      self.view.fontMetrics().horizontalAdvance(sample) + 10))
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.installEventFilter(self)

        self.empty = QLabel("Nothing queued yet. Files you send appear here with their progress, "
                            "what was ingested and what failed.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.summary_row = SummaryRow()
        self.table_page = QWidget()
        tl = QVBoxLayout(self.table_page)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(0)
        tl.addWidget(self.view, 1)
        tl.addWidget(self.summary_row)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.empty)
        self.table_stack.addWidget(self.table_page)

        self.details = DetailsPane(ctx)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table_stack)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.splitter, 1)

        ctx.aboutToShutdown.connect(lambda cancel: self.cancel_all() if cancel else None)
        self._update_summary()
        self._update_buttons()

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    # -- public -------------------------------------------------------------------------------
    def add_jobs(self, jobs: list, dataset: str | None = None) -> list[QueueEntry]:
        """Queue (Source, Plan) pairs for `dataset` (default: the current one); up to three run at once."""
        return self._show_added(self.queue.add_all(jobs, dataset))  # files journaled as queued, in one go

    def add_prepared(self, jobs: list) -> list[QueueEntry]:
        """Queue UploadJobs built elsewhere (resumed from the journal at start-up)."""
        return self._show_added([self.queue.add_job(job) for job in jobs])

    def _show_added(self, entries: list[QueueEntry]) -> list[QueueEntry]:
        """Select the first new row and scroll to it, and make room to show what was just queued."""
        if entries:
            self._update_summary()  # the table's room is settled first (_fit), then the row is scrolled to
            self.select(entries[0])
            # Again once the view has laid out the new rows (right after an insert it scrolls short).
            QTimer.singleShot(0, self, lambda: self.view.scrollTo(self.model.index(max(0, self.model.row_of(entries[0])), 0)))
        outer = self.parentWidget()
        if entries and isinstance(outer, QSplitter) and self.height() < 0.45 * sum(outer.sizes()):
            QTimer.singleShot(0, self, lambda: share_parent_splitter(self, 0.62))
        return entries

    async def stop_all(self, timeout: float) -> list[str]:
        """Quitting: stop every upload so it stays resumable (see UploadQueue.stop_all)."""
        return await self.queue.stop_all(timeout)

    def entries(self) -> list[QueueEntry]:
        return self.queue.entries()

    def select(self, entry: QueueEntry) -> None:
        row = self.model.row_of(entry)
        if row >= 0:
            # Through the selection model: view.setCurrentIndex would consult the keyboard
            # modifiers held at that moment (Ctrl toggles the row instead of selecting it).
            sm = self.view.selectionModel()
            index = self.model.index(row, 0)
            sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            sm.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(index)

    def selected_entries(self) -> list[QueueEntry]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.entry(r) for r in rows if r < self.model.rowCount()]

    def cancel_all(self) -> None:
        self.queue.cancel_all()

    def _each_selected(self, action: Callable[[QueueEntry], object]) -> None:
        """Run a row action on every selected entry, then update the buttons its new state enables."""
        for e in self.selected_entries():
            action(e)
        self._update_buttons()

    def pause_selected(self) -> None:
        self._each_selected(self.queue.pause)

    def resume_selected(self) -> None:
        self._each_selected(self.queue.resume)

    def cancel_selected(self) -> None:
        self._each_selected(self.queue.cancel)

    def remove_selected(self) -> None:
        for e in self.selected_entries():
            self.queue.remove(e)
        self._selection_changed()

    def retry_selected(self) -> None:
        self._each_selected(self.retry)

    def retry(self, entry: QueueEntry) -> str:
        """Retry without duplicating what was stored (app.core.queue.retry_action says how);
        returns what it did (for the status bar)."""
        action = retry_action(entry)
        if action is RetryAction.NONE:
            return "nothing to retry"
        if action is RetryAction.RESEND:
            self.queue.retry(entry)
            self.ctx.status(f"Sending {entry.name} again")
            return "resent"
        if action is RetryAction.FAILED_ROWS:
            new = self.queue.retry_failed_rows(entry)
            self.ctx.status(f"Sending the {entry.failed:,} failed rows of {entry.name} again")
            if new is not None:
                self.select(new)
            return "failed rows"
        if action is RetryAction.RESUME:
            self.ctx.tasks.spawn(self._resume(entry, entry.job_id), f"resume {entry.name}")
            return "resuming"
        return self._resend_all(entry)

    def _resend_all(self, entry: QueueEntry) -> str:
        if self.confirm_resend(entry):
            self.queue.retry(entry)
            self.ctx.status(f"Sending all of {entry.name} again")
            return "resent"
        return "declined"

    async def _resume(self, entry: QueueEntry, job_id: str) -> None:
        record = await self.ctx.run_blocking(history.job, job_id)
        if not shiboken6.isValid(self) or self.model.row_of(entry) < 0:
            return
        if not can_resume_from(record):
            self._resend_all(entry)
            return
        where = f" from {entry.result.stopped_at}" if entry.result and entry.result.stopped_at else ""
        self.queue.retry(entry, resume=record)
        self.ctx.status(f"Resuming {entry.name}{where}: only what is not stored yet is sent")

    def _confirm_resend(self, entry: QueueEntry) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Send the whole file again?",
                          f"{entry.ingested:,} events of {entry.name} are already stored in "
                          f"{entry.dataset}.", parent=self)
        box.setInformativeText("Sending the file again stores them a second time. To fix only the failed rows, "
                               "use “Export failed rows…” below, correct them and drop the exported file.")
        again = box.addButton("Send it all again", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is again

    # -- reacting -------------------------------------------------------------------------------
    def _rows_changed(self, top: QModelIndex, bottom: QModelIndex, roles=None) -> None:
        current = self.details.entry
        if current is not None:
            row = self.model.row_of(current)
            if top.row() <= row <= bottom.row():
                self.details.refresh()
        sm = self.view.selectionModel()
        if any(sm.isRowSelected(r) for r in range(top.row(), bottom.row() + 1)):
            self._update_buttons()  # the rest only change with the selection or the totals
        if self.queue.running():
            self._note_limits()

    def _note_limits(self) -> None:
        now = time.monotonic()
        if now - self._last_limits >= 1.0:
            self._last_limits = now
            try:
                self.ctx.note_limits()
            except Exception:
                log.debug("note_limits failed", exc_info=True)

    def _selection_changed(self, *_) -> None:
        selected = self.selected_entries()
        self.details.show_entry(selected[0] if len(selected) == 1 else (selected[0] if selected else None))
        self._update_buttons()

    def _update_buttons(self) -> None:
        sel = self.selected_entries()
        self.pause_button.setEnabled(any(e.can_pause for e in sel))
        self.resume_button.setEnabled(any(e.state == JobState.PAUSED for e in sel))
        self.cancel_button.setEnabled(any(not e.is_finished for e in sel))
        self.retry_button.setEnabled(any(can_retry(e) for e in sel))
        self.remove_button.setEnabled(bool(sel))
        self.clear_button.setEnabled(self.model.totals()["done"] > 0)
        retry_tip = "Send again what was not stored"
        action = retry_action(sel[0]) if len(sel) == 1 else RetryAction.NONE
        if action is not RetryAction.NONE:
            e = sel[0]
            if action is RetryAction.RESEND:
                retry_tip = "Nothing was stored: send the whole file again"
            elif action is RetryAction.FAILED_ROWS:
                retry_tip = f"Send the {e.failed:,} failed rows again (as a new row)"
            elif action is RetryAction.RESUME:
                where = f" from {e.result.stopped_at}" if e.result and e.result.stopped_at else ""
                retry_tip = f"Resume{where}: send only the {e.not_sent:,}+ events not stored yet"
        self.retry_button.setToolTip(retry_tip)

    def _update_summary(self) -> None:
        t = self.model.totals()
        self.table_stack.setCurrentWidget(self.table_page if t["files"] else self.empty)
        self.summary_row.set_totals(t)
        self._fit(bool(t["files"]))
        if not t["files"]:
            self.summary.setText("")
            return
        parts = [f"{t['files']:,} file{'s' if t['files'] != 1 else ''}", f"{t['ingested']:,} ingested",
                 f"{t['failed']:,} failed"]
        parts += not_sent_parts(t)  # with the files not read to the end
        if t["possible_duplicates"]:
            parts.append(f"{t['possible_duplicates']:,} possibly stored twice")
        if t["active"]:
            parts.append(f"{t['active']:,} in progress")
        self.summary.setText(" · ".join(parts))
        self.summary.setToolTip(self.summary.full_text())
        self._update_buttons()

    def _fit(self, has_rows: bool) -> None:
        """An empty queue stays small (the drop zone gets the room); the first row makes space
        for the table and the details."""
        if has_rows == self._has_rows:
            return
        self._has_rows = has_rows
        self.details.setVisible(has_rows)
        for b in (self.pause_button, self.resume_button, self.cancel_button, self.retry_button,
                  self.remove_button, self.clear_button):
            b.setVisible(has_rows)
        QTimer.singleShot(0, self, lambda: share_parent_splitter(self, 0.62 if has_rows else None, 110))
        if has_rows:
            QTimer.singleShot(0, self, self._split_table_and_details)

    def _split_table_and_details(self) -> None:
        total = sum(self.splitter.sizes())
        if total > 0:
            self.splitter.setSizes([total // 2, total - total // 2])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.model.rowCount():
            self._has_rows = None
            self._fit(False)

    def _context_menu(self, pos) -> None:
        if self.selected_entries():
            self.selection_menu().exec(self.view.viewport().mapToGlobal(pos))

    def selection_menu(self) -> QMenu:
        """The selected rows' actions (the buttons'), and continuous shipping for one finished file."""
        menu = QMenu(self)
        for button in (self.pause_button, self.resume_button, self.cancel_button, self.retry_button,
                       self.remove_button):
            action = QAction(button.text(), menu)
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
            menu.addAction(action)
        entries = self.selected_entries()
        client = self.ctx.client()
        if len(entries) == 1 and vector_action.can_export(entries[0]) and client is not None:
            menu.addSeparator()
            action = QAction(vector_action.TITLE + "…", menu)
            action.triggered.connect(lambda: vector_action.export_vector(self, entries[0], client))
            menu.addAction(action)
        return menu

    def eventFilter(self, obj, event) -> bool:
        if obj is self.view and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Delete:
                self.remove_selected()
                return True
            if event.matches(QKeySequence.StandardKey.Cancel) or event.key() == Qt.Key.Key_Escape:
                self.cancel_selected()
                return True
        return super().eventFilter(obj, event)

    # -- notifications ------------------------------------------------------------------------------
    def _job_finished(self, entry: QueueEntry) -> None:
        if entry.ingested:  # a dataset made elsewhere shows up in the picker (once for a burst of files)
            self._used.add(entry.dataset)
            if not self._used_timer.isActive():
                self._used_timer.start()
        if self.missing_dataset.applies(entry):
            self.missing_dataset.offer(entry)
        self.ctx.historyChanged.emit()
        if self.details.entry is entry:  # (another's finish changes nothing there: 2,000 resets of the pane)
            self.details.refresh()  # the buttons follow at the next totals (a burst of finishes costs one update)
        elapsed = entry.elapsed()
        text = self._finished_text(entry)
        if elapsed > LONG_UPLOAD_S:
            self.notify(f"{entry.name}: {entry.status_text()}", f"{text} in {human_duration(elapsed)}")
        else:
            self.ctx.status(f"{entry.name}: {text}")

    def _list_used(self) -> None:
        used, self._used = self._used, set()
        for name in sorted(used):
            self.ctx.dataset_used(name)

    @staticmethod
    def _finished_text(entry: QueueEntry) -> str:
        problem = entry.error or (entry.result.error if entry.result else None)
        text = f"{entry.ingested:,} ingested, {entry.failed:,} failed"
        if not_sent := not_sent_text(entry):  # the unread rest of a file too, "count unknown"
            text += f", {not_sent}"
        if problem:
            text += f" — {problem}"
        return text

    def notify(self, title: str, text: str) -> str:
        """A desktop notification when the system has a tray, else the status bar + a taskbar alert.
        Returns which was used ("tray" or "status")."""
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                window = self.window()
                self._tray = QSystemTrayIcon(window.windowIcon() if window else QApplication.windowIcon(), self)
            if not self._tray.isVisible():
                self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
            self.ctx.status(f"{title} — {text}", 10000)
            return "tray"
        self.ctx.status(f"{title} — {text}", 15000)
        QApplication.alert(self.window(), 0)
        return "status"
