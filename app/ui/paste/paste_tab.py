"""The "Paste JSON" tab: an editor validated off the GUI thread, Send, and a searchable history.

Validation (app.core.paste.validate_text) takes the text once per pause in typing (300 ms
debounce), runs in a worker thread, and answers that are stale (the text changed meanwhile) are
dropped. Sends go through the same engine as files; the history of sends is app.core.paste's.
"""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QKeySequence, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core import axiom, paste, sniff
from app.core.plan import plan_for
from app.core.paste import HistoryEntry, Validation
from app.core.axiom import region_label
from app.core.job import Source, UploadJob, policy
from app.ui.context import AppContext
from app.ui.paste.editor import LARGE_PASTE, PasteEditor
from app.ui.paste.history_model import HistoryModel
from app.ui.widgets import theme
from app.ui.widgets.dataset_prompt import ask_to_create
from app.ui.widgets.rich_text import esc

DEBOUNCE_MS = 300
PREVIEW_LINES = 200  # a large paste: the editor shows this many of its first lines


class PasteTab(QWidget):
    """Editor, validation line and Send on the left; the searchable history of sends on the right."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Paste JSON")

        self.editor = PasteEditor(self)
        self.editor.largePaste.connect(self.set_text)
        self.editor.setAccessibleName("JSON to send")
        self.editor.setToolTip("A JSON object, an array of objects, or NDJSON (one object a line)")
        self.editor.setPlaceholderText(
            "Paste a JSON object, an array of objects, or NDJSON (one object a line)…\n\n"
            '{"_time": "2026-07-01T12:00:00Z", "level": "info", "message": "hello"}'
        )
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.NoWrap)

        self.validation_label = QLabel(self)
        self.validation_label.setAccessibleName("Validation")
        self.validation_label.setTextFormat(Qt.RichText)
        self.validation_label.setToolTip("Click the position to move the cursor there")
        self.validation_label.linkActivated.connect(lambda _href: self.go_to_problem())

        self.send_button = QPushButton("Send", self)
        self.send_button.setAccessibleName("Send pasted JSON")
        shortcut = QKeySequence("Ctrl+Return").toString(QKeySequence.NativeText)
        self.send_button.setToolTip(f"Send to the chosen dataset ({shortcut})")
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)
        self.result_label = QLabel(self)
        self.result_label.setAccessibleName("Send result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        # A large paste is held aside and only its head shown: laying out 20 MB of text in the
        # editor would freeze the window for a noticeable moment, and nobody reads it there.
        self._held: str | None = None
        self.large_label = QLabel(self)
        self.large_label.setAccessibleName("Large paste")
        self.large_label.setWordWrap(True)
        self.edit_all_button = QPushButton("Edit all", self)
        self.edit_all_button.setToolTip("Load the whole paste into the editor (may take a moment)")
        self.edit_all_button.clicked.connect(self.edit_all)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Forget the pasted text")
        self.clear_button.clicked.connect(lambda: self.set_text(""))
        self.large_bar = QWidget(self)
        lb = QHBoxLayout(self.large_bar)
        lb.setContentsMargins(0, 0, 0, 0)
        lb.addWidget(self.large_label, 1)
        lb.addWidget(self.edit_all_button)
        lb.addWidget(self.clear_button)
        self.large_bar.hide()

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.large_bar)
        lv.addWidget(self.editor, 1)
        row = QHBoxLayout()
        row.addWidget(self.validation_label, 1)
        row.addWidget(self.send_button)
        lv.addLayout(row)
        lv.addWidget(self.result_label)

        # History
        self.history_model = HistoryModel(self)
        self.history_proxy = QSortFilterProxyModel(self)
        self.history_proxy.setSourceModel(self.history_model)
        self.history_proxy.setFilterRole(HistoryModel.SearchRole)
        self.history_proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search history")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search history")
        self.search_edit.setToolTip("Filter past sends by dataset or content")
        self.search_edit.textChanged.connect(self.history_proxy.setFilterFixedString)
        self.history_view = QListView(self)
        self.history_view.setModel(self.history_proxy)
        self.history_view.setAccessibleName("Send history")
        self.history_view.setToolTip("Double-click to load a past paste into the editor")
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setWordWrap(True)
        self.history_view.setUniformItemSizes(False)
        self.history_view.doubleClicked.connect(lambda idx: self.load_entry(self._entry(idx)))
        self.load_button = QPushButton("Load", self)
        self.load_button.setAccessibleName("Load into editor")
        self.load_button.setToolTip("Put the selected paste back into the editor")
        self.again_button = QPushButton("Send again", self)
        self.again_button.setAccessibleName("Send again")
        self.again_button.setToolTip("Send the selected paste again, to the same dataset")
        self.load_button.clicked.connect(lambda: self.load_entry(self.selected_entry()))
        self.again_button.clicked.connect(self.send_again)
        self.history_empty = QLabel("Nothing sent yet. Each send is kept here to load or send again.", self)
        self.history_empty.setWordWrap(True)
        self.history_empty.setAccessibleName("History is empty")

        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Sent pastes</b>", self)  # the History tab lists every send
        rv.addWidget(title)
        rv.addWidget(self.search_edit)
        self.history_empty.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.history_empty.setForegroundRole(QPalette.PlaceholderText)
        rv.addWidget(self.history_empty, 1)
        rv.addWidget(self.history_view, 1)
        brow = QHBoxLayout()
        brow.addWidget(self.load_button)
        brow.addWidget(self.again_button)
        brow.addStretch(1)
        rv.addLayout(brow)

        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.validation: Validation | None = None
        self._hint_shown = False
        self._generation = 0
        self._validate_task: asyncio.Task | None = None
        self.send_task: asyncio.Task | None = None
        self.missing_box = None  # "Dataset X does not exist. Create it?" while it is open
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start_validation)
        self.editor.textChanged.connect(self._on_text_changed)
        self.history_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.history_model.modelReset.connect(self._update_buttons)
        self.history_model.rowsInserted.connect(self._update_buttons)
        ctx.datasetChanged.connect(lambda _n: self._update_buttons())
        ctx.connectionChanged.connect(self._update_buttons)
        self._show_validation(None)
        self._update_buttons()
        self.history_task = ctx.tasks.spawn(self._load_history(), "load paste history")

    # --- validation ------------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        self._generation += 1  # any answer for older text is stale from now on
        if self._validate_task is not None and not self._validate_task.done():
            self._validate_task.cancel()
        self.validation = None
        self.validation_label.setText("Checking…" if not self.editor.document().isEmpty() else "")
        self._update_buttons()
        self._debounce.start()

    def current_text(self) -> str:
        """The text to validate and send: the held large paste, or what the editor holds."""
        return self._held if self._held is not None else self.editor.toPlainText()

    def _start_validation(self) -> None:
        text = self.current_text()  # taken once, handed to the worker
        gen = self._generation
        self._validate_task = self.ctx.tasks.spawn(self._validate(gen, text), "validate paste")

    async def _validate(self, gen: int, text: str) -> None:
        result = await self.ctx.run_blocking(paste.validate_text, text)
        if gen != self._generation:
            return  # the text changed while we were checking
        self._show_validation(result)

    def _show_validation(self, v: Validation | None) -> None:
        self.validation = v
        if v is None:
            self.validation_label.setText("")
        elif v.ok:
            self.validation_label.setText(esc(v.text()))
        elif v.line is not None:
            pos = f"Line {v.line}, column {v.column or 1}"
            link = theme.css(theme.link_color())  # the palette's Link may be a light-theme blue
            self.validation_label.setText(f'<a href="#problem" style="color: {link}">{pos}</a>: {esc(v.message)}')
        else:
            self.validation_label.setText(esc(v.message))
        self.validation_label.setAccessibleDescription(v.text() if v else "")
        self._update_buttons()

    def validation_text(self) -> str:
        """What the validation line says, as plain text (tests, accessibility)."""
        return self.validation.text() if self.validation else self.validation_label.text()

    def go_to_problem(self) -> None:
        v = self.validation
        if not v or v.line is None:
            return
        if self._held is not None and v.line >= PREVIEW_LINES:
            self.edit_all()  # the problem is past the lines shown
        block = self.editor.document().findBlockByNumber(v.line - 1)
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + min(max(0, (v.column or 1) - 1), max(0, block.length() - 1)))
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()
        self.editor.setFocus()

    # --- sending -----------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        ctx = self.ctx
        ready = bool(self.validation and self.validation.ok)
        connected = ctx.client() is not None
        sending = self.send_task is not None and not self.send_task.done()
        self.send_button.setEnabled(ready and connected and bool(ctx.dataset()) and not sending)
        if not connected:
            why = "Not connected"
        elif not ctx.dataset():
            why = "Choose a dataset first"
        elif not ready:
            why = "Paste valid JSON first"
        else:
            why = f"Send to {ctx.dataset()}"
        self.send_button.setToolTip(f"{why} ({QKeySequence('Ctrl+Return').toString(QKeySequence.NativeText)})")
        # Say why Send is greyed out when the JSON itself is fine.
        hint = why if ready and not self.send_button.isEnabled() and not sending else ""
        if hint or self._hint_shown:
            if not self.result_label.text() or self._hint_shown:
                self.result_label.setText(hint)
                self._hint_shown = bool(hint)
        entry = self.selected_entry()
        self.load_button.setEnabled(bool(entry and entry.text is not None))
        self.again_button.setEnabled(bool(entry and entry.text is not None and connected and not sending))
        empty = self.history_model.rowCount() == 0
        self.history_empty.setVisible(empty)
        self.history_view.setVisible(not empty)

    def send(self) -> asyncio.Task | None:
        """Send the editor's text to the chosen dataset (validated first, off the GUI thread)."""
        if self.send_task is not None and not self.send_task.done():
            return None
        text = self.current_text()
        dataset = self.ctx.dataset()
        if not dataset:
            self._show_result("Choose a dataset first.", error=True)
            return None
        self.send_task = self.ctx.tasks.spawn(self._send(text, dataset), "send paste")
        self._update_buttons()
        return self.send_task

    def send_again(self) -> asyncio.Task | None:
        entry = self.selected_entry()
        if entry is None or entry.text is None or self.send_task is not None and not self.send_task.done():
            return None
        self.send_task = self.ctx.tasks.spawn(self._send(entry.text, entry.dataset), "send paste again")
        self._update_buttons()
        return self.send_task

    async def _send(self, text: str, dataset: str) -> None:
        ctx = self.ctx
        client = ctx.client()
        try:
            if client is None:
                self._show_result("Not connected: choose a profile and add a token first.", error=True)
                return
            v = await ctx.run_blocking(paste.validate_text, text)
            if not v.ok:
                self._show_result(f"Not sent: {v.text()}", error=True)
                return
            self._show_result(f"Sending {v.events} event{'s' if v.events != 1 else ''} to {dataset}…")
            data = text.encode("utf-8")
            outcome = await self._upload(client, data, dataset)
            ctx.note_limits(client)
            entry = HistoryEntry(
                time=time.time(), dataset=dataset, profile=ctx.profile().name,
                text=text if len(data) <= paste.HISTORY_MAX_TEXT else None,
                events=v.events, size=len(data), summary=paste.summary(text),
                ingested=outcome["ingested"], failed=outcome["failed"], error=outcome.get("error"),
            )
            missing = policy.dataset_is_missing(outcome.get("error_kind"))
            if missing:  # nothing was stored: say so as core does, and offer to create it
                entry.error = policy.missing_dataset_message(dataset, "create it, then “Send again”")
            self._show_outcome(dataset, entry, outcome.get("_reasons", []))
            if missing:
                self._offer_to_create(text, dataset)
            ctx.historyChanged.emit()
            if entry.ingested:
                ctx.dataset_used(dataset)
            await ctx.run_blocking(paste.append_history, entry, paste.history_path())
            self.history_model.prepend(entry)
            self.search_edit.clear()
            self.history_view.setCurrentIndex(self.history_proxy.index(0, 0))
        finally:
            self.send_task = None
            self._update_buttons()

    async def _upload(self, client, data: bytes, dataset: str) -> dict:
        """Send through the same engine as files (UploadJob); returns counts and failure reasons."""
        sn = await self.ctx.run_blocking(sniff.sniff_bytes, data, "pasted")
        plan = plan_for(sn)
        # Journaled like files (kind "pasted"), so the History tab lists it; the text itself is
        # kept only in this tab's own history, for "Send again".
        job = UploadJob(Source.from_bytes(data, "pasted"), plan, client, dataset,
                        on_progress=lambda _p: None, journal=True, **self.ctx.job_where())
        try:
            result = await job.run()
        except axiom.AxiomError as e:
            return {"ingested": 0, "failed": 0, "error": str(e), "_reasons": []}
        reasons = [f"line {f.line}: {f.error}" if f.line else f.error for f in result.failures[:5]]
        return {"ingested": result.ingested, "failed": result.failed, "error": result.error,
                "error_kind": result.error_kind, "_reasons": reasons + result.warnings[:3]}

    def _offer_to_create(self, text: str, dataset: str) -> None:
        """A 404 on ingest: "Dataset X does not exist. Create it?"; yes creates it and sends again."""
        client = self.ctx.client()
        region = region_label(client.endpoint.region) if client is not None else ""

        def answered(yes: bool) -> None:
            self.missing_box = None
            if yes:
                self.send_task = self.ctx.tasks.spawn(self._create_then_send(text, dataset), "create dataset, send")
                self._update_buttons()

        self.missing_box = ask_to_create(self, dataset, region, answered)

    async def _create_then_send(self, text: str, dataset: str) -> None:
        try:
            await self.ctx.create_dataset(dataset)
        except axiom.Conflict:
            pass  # made meanwhile, elsewhere
        except (axiom.AxiomError, RuntimeError) as e:
            self.send_task = None
            self._update_buttons()
            self._show_result(f"Not sent to {dataset}: could not create it: {getattr(e, 'message', None) or e}",
                              error=True)
            return
        await self._send(text, dataset)

    def _show_outcome(self, dataset: str, entry: HistoryEntry, reasons: list[str]) -> None:
        if entry.error and not entry.ingested:
            self._show_result(f"Not sent to {dataset}: {entry.error}", error=True)
            return
        text = f"{'✓' if not entry.failed and not entry.error else '⚠'} Sent to {dataset}: {entry.ingested} ingested, {entry.failed} failed"
        if entry.error:
            text += f" — {entry.error}"
        if reasons:
            text += "\n" + "\n".join(f"• {r}" for r in reasons)
        self._show_result(text, error=bool(entry.failed or entry.error))

    def _show_result(self, text: str, error: bool = False) -> None:
        self._hint_shown = False
        self.result_label.setText(text)
        self.result_label.setAccessibleDescription(text)
        self.ctx.status(text.split("\n")[0], 8000)

    # --- history -----------------------------------------------------------------------------
    async def _load_history(self) -> None:
        entries = await self.ctx.run_blocking(paste.load_history, paste.history_path())
        self.history_model.set_entries(entries)

    def _entry(self, proxy_index) -> HistoryEntry | None:
        if not proxy_index.isValid():
            return None
        return self.history_proxy.data(proxy_index, HistoryModel.EntryRole)

    def selected_entry(self) -> HistoryEntry | None:
        rows = self.history_view.selectionModel().selectedRows() if self.history_view.selectionModel() else []
        return self._entry(rows[0]) if rows else None

    def load_entry(self, entry: HistoryEntry | None) -> None:
        if entry is None or entry.text is None:
            return
        self.set_text(entry.text)
        if entry.dataset and entry.dataset != self.ctx.dataset() and entry.profile == self.ctx.profile().name:
            self.ctx.set_dataset(entry.dataset)
        self.editor.setFocus()

    def set_text(self, text: str) -> None:
        """Put pasted text in the editor (the window's Paste action). A large paste is held aside
        and the editor shows its first lines, read-only, until the user asks to edit all of it."""
        if len(text) > LARGE_PASTE:
            self._held = text
            head = text[: LARGE_PASTE // 4].split("\n", PREVIEW_LINES)[:PREVIEW_LINES]
            self.large_label.setText(
                f"Large paste ({len(text) / 1e6:.1f} MB, {text.count(chr(10)) + 1:,} lines): the editor shows its "
                f"first {len(head):,} lines. It is validated and sent whole.")
            self.large_bar.show()
            self.editor.setReadOnly(True)
            self.editor.setPlainText("\n".join(head))
        else:
            self._held = None
            self.large_bar.hide()
            self.editor.setReadOnly(False)
            self.editor.setPlainText(text)
        self.editor.setFocus()

    def edit_all(self) -> None:
        """Load the whole held paste into the editor to change it (the user accepts the wait)."""
        if self._held is None:
            return
        text, self._held = self._held, None
        self.large_bar.hide()
        self.editor.setReadOnly(False)
        self.editor.setPlainText(text)
