"""What a History entry lets the user do: resume it (if unfinished), send it again, export its
failed rows, show its file. One QAction each, reached by the buttons under the entry, its
context menu (right click or the Menu key) and a shortcut; which apply is core's
(history.actions_for). Resuming and sending again are the window's (the queue's) business:
this module asks for them with signals."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton

from app.core import history, journal
from app.core.axiom.console import dataset_page
from app.core.journal import plan_from_json
from app.ui.widgets import desktop
from app.ui.widgets.export_dialog import ask_export_path, write_export
from app.ui.widgets.formatting import format_label

log = logging.getLogger(__name__)

OPEN_IN_AXIOM = "open in axiom"

SHORTCUTS = {
    history.RESUME: ("&Resume", "Ctrl+R", "Send what was not stored yet (only the unacknowledged batches)"),
    history.SEND_AGAIN: ("Send &again", "Ctrl+Shift+Return", "Queue the file again with the same settings"),
    history.EXPORT: ("&Export failed rows…", "Ctrl+E", "Write the failed rows as in the input, with a file "
                                                        "of line → reason"),
    history.SHOW_FILE: ("Show &file", "Ctrl+Shift+O", "Open the folder that holds the file"),
    OPEN_IN_AXIOM: ("Open in A&xiom", "Ctrl+Shift+X", "Open the dataset's query page on app.axiom.co"),
}


def settings_text(record) -> str:
    """The settings an entry was sent with, as the file card names them."""
    try:
        plan = plan_from_json(record.plan)
    except (TypeError, ValueError):
        return ""
    parts = [format_label(plan.format, plan.csv)]
    if plan.format == "csv" and plan.csv is not None:
        parts.append("with a header" if plan.csv.has_header else "no header")
    encoding = plan.encoding or "utf-8"
    parts.append("UTF-8" if encoding.lower().replace("_", "-") == "utf-8" else encoding)
    if plan.compression:
        parts.append(f"{plan.compression}-compressed")
    field = plan.timestamp_field
    parts.append(f"time field {field}" + (f" ({plan.timestamp_format})" if plan.timestamp_format else "")
                 if field else "no time field (_time or the ingest time)")
    return "Settings: " + " · ".join(parts)


class HistoryActions(QObject):
    resumeRequested = Signal(object)  # journal.JobRecord
    sendAgainRequested = Signal(object)  # journal.JobRecord

    def __init__(self, tab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.actions: dict[str, QAction] = {}
        self.tool_buttons: dict[str, QToolButton] = {}
        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(0, 0, 0, 0)
        slots = {history.RESUME: self.resume, history.SEND_AGAIN: self.send_again,
                 history.EXPORT: self.export, history.SHOW_FILE: self.show_file, OPEN_IN_AXIOM: self.open_in_axiom}
        for key, (text, keys, tip) in SHORTCUTS.items():
            action = QAction(text, tab)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{tip} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})")
            action.triggered.connect(slots[key])
            tab.addAction(action)
            self.actions[key] = action
            button = QToolButton(tab)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            self.buttons.addWidget(button)
            self.tool_buttons[key] = button
        self.buttons.addStretch(1)
        tab.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tab.view.customContextMenuRequested.connect(self._context_menu)
        tab.view.activated.connect(lambda _i: self._default())  # Enter or a double click
        self.menu: QMenu | None = None
        self.update()

    # -- state ---------------------------------------------------------------------------------
    def record(self):
        row = self.tab.selected_row()
        return row.record if row is not None else None

    def available(self) -> list[str]:
        row = self.tab.selected_row()
        if row is None:
            return []
        r = row.record
        out = history.actions_for(r, row.state, bool(r.path) and Path(r.path).exists())
        if r.ingested and self.console_url(r) is not None:
            out.append(OPEN_IN_AXIOM)
        return out

    def console_url(self, record) -> str | None:
        """The dataset's page on app.axiom.co when the entry went to an Axiom profile, else None."""
        try:
            profile = self.tab.ctx.settings.profile(record.profile) if record.profile else None
        except KeyError:
            profile = None
        if profile is None:
            return None
        return dataset_page(profile.kind, profile.org_id, record.dataset)

    def update(self) -> None:
        ok = self.available()
        for key, action in self.actions.items():
            action.setEnabled(key in ok)
        row = self.tab.selected_row()
        axiom = row is not None and self.console_url(row.record) is not None
        self.actions[OPEN_IN_AXIOM].setVisible(axiom)  # only for Axiom's own profiles
        self.tool_buttons[OPEN_IN_AXIOM].setVisible(axiom)

    def _default(self) -> None:
        ok = self.available()
        for key in (history.RESUME, history.EXPORT, history.SHOW_FILE):
            if key in ok:
                self.actions[key].trigger()
                return

    def _context_menu(self, pos) -> None:
        index = self.tab.view.indexAt(pos)
        if index.isValid():
            self.tab.select_row(index.row())
        self.update()
        menu = QMenu(self.tab)
        menu.setAccessibleName("History entry actions")
        for action in self.actions.values():
            menu.addAction(action)
        self.menu = menu
        menu.popup(self.tab.view.viewport().mapToGlobal(pos))

    # -- the actions -----------------------------------------------------------------------------
    def resume(self) -> None:
        if history.RESUME in self.available():
            self.resumeRequested.emit(self.record())

    def send_again(self) -> None:
        if history.SEND_AGAIN in self.available():
            self.sendAgainRequested.emit(self.record())

    def show_file(self) -> None:
        r = self.record()
        if r is not None and r.path:
            if not desktop.open_folder(r.path):
                self.tab.ctx.status(f"Could not open the folder of {r.path}", 8000)

    def open_in_axiom(self) -> None:
        r = self.record()
        url = self.console_url(r) if r is not None else None
        if url is not None and not desktop.open_url(url):
            self.tab.ctx.status(f"Could not open {url}", 8000)

    def export(self, path: str | None = None, kind: str | None = None):
        """Ask where (unless given, as tests do), then write in a worker thread; returns the task."""
        r = self.record()
        if r is None or history.EXPORT not in self.available():
            return None
        plan = plan_from_json(r.plan)
        if path is None:
            chosen = ask_export_path(self.tab, r.name, r.path, plan)
            if chosen is None:
                return None
            path, kind = chosen
        return self.tab.ctx.tasks.spawn(self._export(r.id, path, kind or "raw", plan), "export failed rows")

    async def _export(self, job_id: str, path: str, kind: str, plan) -> None:
        ctx = self.tab.ctx
        try:
            said = await ctx.run_blocking(lambda: write_export(path, kind, history.failures(job_id), plan))
        except (OSError, journal.JournalError) as e:
            ctx.status(f"Could not export the failed rows: {e}", 10000)
            return
        ctx.status(said, 8000)
