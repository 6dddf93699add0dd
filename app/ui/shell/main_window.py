"""The main window: connection bar, dataset picker, the Files and Paste JSON tabs, status bar."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import shiboken6

import app
from app.core import history, journal
from app.core.io import paths_from_text
from app.ui.connection.connection_bar import ConnectionBar
from app.ui.connection.dataset_picker import DatasetPicker
from app.ui.context import AppContext
from app.ui.files.drop_panel import DropPanel
from app.ui.history.history_tab import HistoryTab
from app.ui.history.resume_bar import ResumeBar, load_unfinished
from app.ui.paste.paste_tab import PasteTab
from app.ui.queue.queue_panel import QueuePanel
from app.ui.shell.help_menu import install_help_menu
from app.ui.shell.history_wiring import connect_history_actions
from app.ui.shell.icon import app_icon
from app.ui.shell.notifier import FinishWatcher
from app.ui.shell.send_guard import SendGuard
from app.ui.shell.statusbar import StatusBar
from app.ui.shell.view_menu import install_view_menu
from app.ui.widgets.appearance import apply_theme
from app.ui.widgets.file_dialogs import open_files_dialog
from app.ui.widgets.tab_layout_guard import guard_tab_layout
from app.ui.widgets.wheel_guard import guard_wheel_in

log = logging.getLogger(__name__)

QUIT_GRACE_S = 8.0  # quitting: how long uploads get to finish their requests in flight before they are cut





class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(app.APP_NAME)
        self.setAccessibleName(app.APP_NAME)
        self.resize(1200, 800)
        self.setWindowIcon(app_icon())
        apply_theme(ctx.settings.theme)
        self.closed: asyncio.Future = asyncio.get_event_loop().create_future()
        self._closing = False
        self._close_now = False
        # Tests replace this: () -> "cancel" | "keep" | "stay"
        self.ask_about_uploads = self._ask_about_uploads

        self.connection_bar = ConnectionBar(ctx, self)
        self.dataset_picker = DatasetPicker(ctx, self)
        self.drop_panel = DropPanel(ctx)
        self.queue_panel = QueuePanel(ctx)
        self.send_guard = SendGuard(ctx, self, self.queue_panel.add_jobs)  # asks before a file is sent twice
        self.drop_panel.sendRequested.connect(self.send_guard.queue)

        files = QSplitter(Qt.Vertical, self)
        files.setAccessibleName("Files")
        files.addWidget(self.drop_panel)
        files.addWidget(self.queue_panel)
        files.setStretchFactor(0, 1)
        files.setStretchFactor(1, 1)
        files.setChildrenCollapsible(False)
        self.files_splitter = files
        self.paste_tab = PasteTab(ctx, self)
        self.history_tab = HistoryTab(ctx, self)
        self.resume_bar = ResumeBar(ctx, self._queue_prepared, self)
        connect_history_actions(self)  # the History tab's Resume and Send again
        self.finish_watcher = FinishWatcher(self, self.queue_panel)  # a notification when in the background

        self.tabs = guard_tab_layout(QTabWidget(self))  # the queue's labels change often: no full repaints
        self.tabs.setAccessibleName("Views")
        self.tabs.addTab(files, "&Files")
        self.tabs.setTabToolTip(0, "Drop, preview and upload files")
        self.tabs.addTab(self.paste_tab, "Paste &JSON")
        self.tabs.setTabToolTip(1, "Paste JSON or NDJSON and send it")
        self.tabs.addTab(self.history_tab, "&History")
        self.tabs.setTabToolTip(2, "Finished uploads and pasted sends, with their failures")
        self.tabs.setDocumentMode(True)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.connection_bar)
        layout.addWidget(self.dataset_picker)
        layout.addWidget(self.resume_bar)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status_bar = StatusBar(ctx, self)
        self.setStatusBar(self.status_bar)
        self._build_menus()
        guard_wheel_in(self)  # no setting (profile, dataset, history kept) changes under a passing wheel
        if ctx.client() is None and ctx.connection_state == "disconnected":
            ctx.reconnect()
        self._quit_choice: str | None = None
        self.journal_task = ctx.tasks.spawn(self._check_journal(), "check journal")

    # --- the journal at start-up --------------------------------------------------------------
    async def _check_journal(self) -> None:
        """Prune old history (the "Keep history for" setting), then offer the unfinished uploads."""
        try:
            pruned, items = await self.ctx.run_blocking(load_unfinished, self.ctx.settings.history_keep_days)
            notices = await self.ctx.run_blocking(history.notices)
        except journal.JournalError as e:
            self.ctx.status(f"{e}: interrupted uploads cannot be offered for resuming", 10000)
            return
        if not shiboken6.isValid(self):
            return
        if pruned:
            self.history_tab.reload()
        self.resume_bar.set_items(items)
        self.resume_bar.set_notices(notices)

    def _queue_prepared(self, jobs: list) -> None:
        self.tabs.setCurrentIndex(0)
        self.queue_panel.add_prepared(jobs)

    # --- menus and shortcuts --------------------------------------------------------------
    def _action(self, text: str, shortcut, tip: str, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        self.open_action = self._action("&Open…", QKeySequence.Open, "Add files to send", self.open_files)
        self.paste_action = self._action("&Paste", QKeySequence.Paste,
                                         "Paste file paths (Files tab) or JSON (Paste JSON tab)", self.paste)
        self.paste_action.setShortcutContext(Qt.WindowShortcut)
        self.send_action = self._action("&Send", "Ctrl+Return", "Send the files or the pasted JSON", self.send)
        self.cancel_action = self._action("&Cancel uploads", None, "Cancel every running upload", self.cancel_uploads)
        self.quit_action = self._action("&Quit", QKeySequence.Quit, "Quit Axiom Drop", self.close)
        self.quit_action.setMenuRole(QAction.QuitRole)
        self.token_action = self._action("&Token…", None, "Paste a token for this profile",
                                         self.connection_bar.open_token_dialog)
        self.reconnect_action = self._action("&Reconnect", "F5", "Check the connection and list datasets again",
                                             self.ctx.reconnect)
        self.new_dataset_action = self._action("&New dataset…", None, "Create a dataset",
                                               self.dataset_picker.open_new_dialog)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        file_menu.addAction(self.send_action)
        file_menu.addAction(self.cancel_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.paste_action)
        conn_menu = bar.addMenu("&Connection")
        conn_menu.addAction(self.token_action)
        conn_menu.addAction(self.reconnect_action)
        conn_menu.addAction(self.new_dataset_action)
        install_view_menu(self)  # the theme
        self.help_actions = install_help_menu(self)  # shortcuts, where the data is, About

    # --- actions --------------------------------------------------------------------------------
    def add_paths(self, paths: list[str]) -> None:
        """Launch arguments, "Open with", pasted paths, the Open dialog: to the drop zone."""
        if not paths:
            return
        self.tabs.setCurrentIndex(0)
        self.drop_panel.add_paths(list(paths))

    def open_files(self) -> None:
        self._file_dialog = open_files_dialog(self, self.ctx, "Open files to send", self.add_paths)

    def paste(self) -> None:
        self.paste_mime(QGuiApplication.clipboard().mimeData())

    def paste_mime(self, mime: QMimeData | None) -> None:
        """Files or paths go to the drop zone; JSON text to the Paste JSON tab."""
        if mime is None:
            return
        if mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.add_paths(paths)
                return
        text = mime.text() if mime.hasText() else ""
        if not text.strip():
            return
        paths = paths_from_text(text) if len(text) < 100_000 else []
        if paths:
            self.add_paths(paths)
            return
        self.tabs.setCurrentWidget(self.paste_tab)
        self.paste_tab.set_text(text)

    def send(self) -> None:
        if self.tabs.currentWidget() is self.paste_tab:
            self.paste_tab.send()
        else:
            self.drop_panel.send()

    def cancel_uploads(self) -> None:
        self.queue_panel.cancel_all()

    # --- closing --------------------------------------------------------------------------------
    def _ask_about_uploads(self) -> str:
        n = len(self.ctx.tasks.uploads())
        box = QMessageBox(QMessageBox.Question, "Uploads are running",
                          f"{n} upload{'s are' if n != 1 else ' is'} still running.", parent=self)
        box.setInformativeText("What the server has acknowledged stays stored either way. “Keep for resuming” "
                               "offers to send the rest at the next start; “Cancel uploads” forgets it "
                               "(it stays in the History tab).")
        cancel = box.addButton("Cancel uploads", QMessageBox.DestructiveRole)
        keep = box.addButton("Keep for resuming", QMessageBox.AcceptRole)
        stay = box.addButton("Don't quit", QMessageBox.RejectRole)
        box.setDefaultButton(stay)
        box.exec()
        return {cancel: "cancel", keep: "keep"}.get(box.clickedButton(), "stay")

    def closeEvent(self, event) -> None:
        if self._close_now:
            event.accept()
            if not self.closed.done():
                self.closed.set_result(True)
            return
        event.ignore()
        if self._closing:
            return
        if self.ctx.tasks.uploads():
            choice = self.ask_about_uploads()
            if choice == "stay":
                return
            self._quit_choice = choice
            self.ctx.aboutToShutdown.emit(choice == "cancel")
        else:
            self.ctx.aboutToShutdown.emit(False)
        self._closing = True
        self.ctx.status("Closing…")
        # The async side shuts down first (STYLE.md: not after aboutToQuit), then the window closes
        # and run_app returns.
        self._shutdown_task = asyncio.ensure_future(self._shutdown_then_close())

    async def stop_uploads(self, discard: bool) -> list[str]:
        """Quitting with uploads running: stop each the way Cancel does (requests in flight finish
        and are acknowledged in the journal), within QUIT_GRACE_S. Each job stays unfinished in
        the journal, so the next start offers to resume it — unless `discard` ("Cancel uploads"):
        then it is closed for good (it stays in the History tab)."""
        ids = await self.queue_panel.stop_all(QUIT_GRACE_S)
        if ids:
            try:  # "Cancel uploads": closed for good; "Keep for resuming": listed so at the next start
                await self.ctx.run_blocking(history.discard if discard else history.keep_for_resuming, ids,
                                            timeout=10)
            except Exception:
                log.exception("could not record how the uploads were stopped")
        return ids

    async def _shutdown_then_close(self) -> None:
        try:
            if self._quit_choice in ("cancel", "keep"):
                await self.stop_uploads(discard=self._quit_choice == "cancel")
        except Exception:
            log.exception("stopping the uploads did not finish cleanly")
        try:
            await asyncio.wait_for(self.ctx.aclose(), 15)
        except Exception:
            log.exception("shutdown did not finish cleanly")
        if shiboken6.isValid(self):
            self.close_now()

    def close_now(self) -> None:
        """Close without asking (after shutdown; also used by tests)."""
        self._close_now = True
        self.close()
