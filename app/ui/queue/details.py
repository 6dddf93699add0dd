"""The details pane of the selected upload: what failed and why (by input line, with the row
itself), the server's warnings, trace ids for Axiom support, the request log, and an export of
the failed rows that can be fixed and dropped again."""

from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton, QTabWidget, QVBoxLayout,
    QWidget,
)

from app.core.job import more_failures_text
from app.core.axiom.console import dataset_page
from app.core.progress import not_sent_text
from app.core.queue import QueueEntry
from app.ui.widgets import desktop
from app.ui.widgets.rich_text import error_css, esc
from app.ui.widgets.export_dialog import RAW, ask_export_path, write_export
from app.ui.widgets.failures_model import FailuresModel
from app.ui.widgets.formatting import format_label
from app.ui.widgets.table_model import RowsTableModel
from app.ui.widgets.tab_layout_guard import guard_tab_layout
from app.ui.widgets.table_view import rows_table_view


def _set_plain_text(edit: QPlainTextEdit, text: str) -> None:
    """The pane is refreshed at every progress repaint of its row: setting the same text again
    would lay the document out and repaint it each time (and lose the user's selection)."""
    if getattr(edit, "_shown_text", None) != text:
        edit._shown_text = text  # type: ignore[attr-defined]
        edit.setPlainText(text)


# -- models ---------------------------------------------------------------------------------
class RequestsModel(RowsTableModel):
    """The request log of a job: one row per HTTP request."""

    COLUMNS = [("seq", "#"), ("lines", "Lines"), ("status", "Status"), ("ingested", "Ingested"),
               ("failed", "Failed"), ("ms", "Time"), ("trace_id", "Trace id")]
    HEADERS = [title for _, title in COLUMNS]

    set_requests = RowsTableModel.set_rows

    def cell(self, request: dict, col: int, role: int):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        key = self.COLUMNS[col][0]
        value = request.get(key)
        if value is None:
            return ""
        if key == "lines":
            if isinstance(value, (list, tuple)) and len(value) == 2:
                return f"{value[0]}–{value[1]}"
            if isinstance(value, range) and len(value):
                return f"{value[0]}–{value[-1]}"
        if key == "ms":
            return f"{float(value):.0f} ms"
        return str(value)


# -- the pane -------------------------------------------------------------------------------
class DetailsPane(QWidget):
    """Shows one queue entry; `show_entry(None)` shows the hint to select a row."""

    exported = Signal(str, int)  # path, rows

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.entry: QueueEntry | None = None
        self._shown_result = None
        self.summary = QLabel("Select a file in the queue to see what was sent, what failed and why.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setObjectName("detailsSummary")
        self.export_button = QPushButton("Export failed rows…")
        self.export_button.setToolTip("Write the failed rows with the reason, ready to fix and drop again")
        self.export_button.clicked.connect(self._export_clicked)
        self.export_button.setEnabled(False)
        self.axiom_button = QPushButton("Open in Axiom")  # Axiom profiles only: the dataset's query page
        self.axiom_button.setToolTip("Open the dataset's query page on app.axiom.co")
        self.axiom_button.clicked.connect(self.open_in_axiom)
        self.axiom_button.hide()

        self.failures = FailuresModel(self)
        self.failures_view = rows_table_view(self.failures, alternating=True, row_padding=8)
        self.failures_view.setAccessibleName("Failed events")
        hh = self.failures_view.horizontalHeader()
        hh.setSectionResizeMode(FailuresModel.LINE, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(FailuresModel.REASON, QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(FailuresModel.REASON, 320)
        hh.setStretchLastSection(True)

        self.warnings = QPlainTextEdit(readOnly=True)
        self.warnings.setPlaceholderText("The server sent no warnings.")
        self.warnings.setAccessibleName("Warnings from the server")
        self.warnings.setTabChangesFocus(True)
        self.trace_ids = QPlainTextEdit(readOnly=True)
        self.trace_ids.setPlaceholderText("Trace ids appear here once requests are answered.")
        self.trace_ids.setAccessibleName("Trace ids")
        self.trace_ids.setTabChangesFocus(True)
        copy = QPushButton("Copy trace ids")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.trace_ids.toPlainText()))
        trace_box = QWidget()
        tl = QVBoxLayout(trace_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QLabel("Give these to Axiom support to find the requests:"))
        tl.addWidget(self.trace_ids)
        tl.addWidget(copy, 0, Qt.AlignmentFlag.AlignLeft)
        self.requests = RequestsModel(self)
        self.requests_view = rows_table_view(self.requests, alternating=True, row_padding=8)
        self.requests_view.setAccessibleName("Requests sent")
        self.requests_view.horizontalHeader().setStretchLastSection(True)

        self.tabs = guard_tab_layout(QTabWidget())
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.failures_view, "Failures")
        self.tabs.addTab(self.warnings, "Warnings")
        self.tabs.addTab(trace_box, "Trace ids")
        self.tabs.addTab(self.requests_view, "Requests")

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.axiom_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.show_entry(None)

    def show_entry(self, entry: QueueEntry | None) -> None:
        self.entry = entry
        self.refresh()

    def refresh(self) -> None:
        """Re-read the entry (called when its row changes)."""
        e = self.entry
        if e is None:
            self.summary.setText("Select a file in the queue to see what was sent, what failed and why.")
            self._shown_result = None
            self.failures.set_failures([])
            self.requests.set_requests([])
            _set_plain_text(self.warnings, "")
            _set_plain_text(self.trace_ids, "")
            self.export_button.setEnabled(False)
            self.axiom_button.hide()
            self._retitle(0, 0, 0)
            return
        self.summary.setText(self._summary(e))
        r = e.result
        failures = r.failures if r else []
        if r is not self._shown_result or self.failures.rowCount() != len(failures):
            self._shown_result = r  # reset the tables only when the result changes (keeps selection)
            self.failures.set_failures(failures)
            self.requests.set_requests(r.requests if r else [])
        _set_plain_text(self.warnings, "\n".join(str(w) for w in (r.warnings if r else [])))
        _set_plain_text(self.trace_ids, "\n".join(r.trace_ids if r else []))
        self.export_button.setEnabled(bool(failures) and any(f.record for f in failures))
        self.axiom_button.setVisible(e.is_finished and e.ingested > 0 and self.console_url(e) is not None)
        self._retitle(len(failures), len(r.warnings) if r else 0, len(r.requests) if r else 0)

    def console_url(self, e: QueueEntry) -> str | None:
        """The dataset's page on app.axiom.co when the entry was sent with an Axiom profile."""
        name = getattr(e.job, "profile", None) if e.job is not None else None
        try:
            profile = self.ctx.settings.profile(name) if name else None
        except KeyError:
            return None
        return dataset_page(profile.kind, profile.org_id, e.dataset) if profile is not None else None

    def open_in_axiom(self) -> None:
        url = self.console_url(self.entry) if self.entry is not None else None
        if url is not None and not desktop.open_url(url):
            self.ctx.status(f"Could not open {url}", 8000)

    def _retitle(self, failures: int, warnings: int, requests: int) -> None:
        for index, title in ((0, f"Failures ({failures:,})"), (1, f"Warnings ({warnings:,})"),
                             (3, f"Requests ({requests:,})")):
            if self.tabs.tabText(index) != title:  # setTabText lays out and repaints the tabs, even for the same text
                self.tabs.setTabText(index, title)

    @staticmethod
    def _summary(e: QueueEntry) -> str:
        head = f"<b>{esc(e.name)}</b> → {esc(e.dataset) or '(no dataset)'} · " \
               f"{format_label(e.plan.format, e.plan.csv)} · {esc(e.status_text())}"
        parts = [f"{e.ingested:,} ingested", f"{e.failed:,} failed"]
        if not_sent := not_sent_text(e):  # the unread rest of a file too, "count unknown"
            parts.append(not_sent)
        if e.possible_duplicates:
            parts.append(f"{e.possible_duplicates:,} possibly stored twice (see Warnings for which lines)")
        lines = [head, " · ".join(parts)]
        problem = e.error or (e.result.error if e.result else None)
        if problem:
            lines.append(f"<span style='color:{error_css()}'>{esc(problem)}</span>")
        more = more_failures_text(e.result.more_failures) if e.result else None
        if more:  # failures past the first ones kept in full: counted by reason, not listed
            lines.append(esc(more))
        if e.result and e.result.stopped_at:
            lines.append(f"Stopped at {esc(e.result.stopped_at)}; retry sends the rest.")
        elif e.message():  # with the countdown as of now: the same number as the row's
            lines.append(esc(e.message()))
        return "<br>".join(lines)

    # -- export -----------------------------------------------------------------------------
    def _export_clicked(self) -> None:
        e = self.entry
        if e is None or not e.result or not e.result.failures:
            return
        chosen = ask_export_path(self, e.name, e.source.path, e.plan)
        if chosen is not None:
            self.export_to(*chosen)

    def export_to(self, path: str, fmt: str = "ndjson") -> int:
        """Write the failed rows of the shown entry (the dialog calls this; tests too). `fmt`: "raw"
        (the rows as in the input, plus a file of line → reason), "ndjson" or "csv"."""
        assert self.entry is not None
        e = self.entry
        failures = e.result.failures if e.result else []
        self.ctx.status(write_export(path, fmt, failures, e.plan))
        n = sum(1 for f in failures if f.complete) if fmt == RAW else len(failures)
        self.exported.emit(path, n)
        return n
