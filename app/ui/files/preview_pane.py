"""The preview column of the Files tab: the first events of the selected card, as they will be sent.

Reading the head runs in the context's thread pool; an answer for a card that was removed, or
for an older selection or override, is dropped.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QStackedWidget, QVBoxLayout, QWidget

from app.core import sniff as sniffing
from app.core.sniff.csv_types import typed_event
from app.ui.files.file_card import FileCard
from app.ui.files.preview import PreviewModel, PreviewView, field_names
from app.ui.widgets.elided_label import ElidedLabel

EMPTY_TEXT = "Select a file to preview its first events."


class PreviewPane(QWidget):
    """Title, the preview table (or why there is none), and a note on how to read it.
    `listed(card)` says whether a card is still in the drop panel."""

    def __init__(self, ctx, listed: Callable[[FileCard], bool], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._listed = listed
        self._generation = 0
        self.card: FileCard | None = None  # the card shown
        self.title = ElidedLabel("Preview")  # a long file name gives up width, whole in the tooltip
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.model = PreviewModel(self)
        self.view = PreviewView(self.model)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        rl = QVBoxLayout(self)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(self.stack, 1)
        # A text log's event in full (a traceback's every line): the selected row, else the first
        # event spanning several lines.
        self.event_text = QPlainTextEdit()
        self.event_text.setReadOnly(True)
        self.event_text.setAccessibleName("Whole event")
        self.event_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.event_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.event_text.hide()
        self.view.clicked.connect(lambda index: self._show_event(index.row()))
        rl.addWidget(self.event_text, 1)
        rl.addWidget(self.note)

    def clear(self) -> None:
        """No card selected."""
        self._generation += 1
        self.card = None
        self.model.clear()
        self._title(None)
        self.note.setText("")
        self.event_text.hide()
        self.empty.setText(EMPTY_TEXT)
        self.stack.setCurrentWidget(self.empty)

    def _title(self, name: str | None) -> None:
        self.title.setText(f"Preview — {name}" if name else "Preview")
        self.title.setToolTip(name or "")

    def refresh(self, card: FileCard, show: bool = True) -> None:
        """Re-read the head of `card` with its overrides; `show` False only updates its fields."""
        if show:
            self._generation += 1
            self.card = card
            self._title(card.name)
        generation = self._generation
        if card.sniff is None:
            if show:
                self.empty.setText("Looking at the file…")
                self.stack.setCurrentWidget(self.empty)
            return
        if card.sniff.error:
            if show:
                self.empty.setText(f"Nothing to preview: {card.sniff.error}")
                self.stack.setCurrentWidget(self.empty)
                self.note.setText("")
            return
        self.ctx.tasks.spawn(self._load(card, generation, show), f"preview {card.name}")

    async def _load(self, card: FileCard, generation: int, show: bool) -> None:
        if not self._listed(card):  # removed (or sent) before the task ran
            return
        eff = card.effective_sniff()
        try:
            rows = await self.ctx.run_blocking(sniffing.preview_rows, card.path, eff)
            error = None
        except asyncio.CancelledError:
            raise
        except Exception as e:
            rows, error = [], str(e)
        if not self._listed(card):
            return
        is_csv = eff.format == "csv"
        fields = _fields_of(rows) if is_csv else None
        if is_csv and fields is not None:
            card.set_fields(fields)
        elif not is_csv:
            card.set_fields(field_names(rows))
        if not show or generation != self._generation or card is not self.card:
            return
        if error:
            self.model.clear(error)
            self.empty.setText(f"Cannot preview: {error}")
            self.stack.setCurrentWidget(self.empty)
            return
        kind, layout = card.timestamp_kind()
        field = card.timestamp_field()
        types = card.plan().csv_types if is_csv else {}
        if types:  # the values as they will be sent: numbers and booleans, empty cells as chosen
            rows = [typed_event(r, types, card.typed.empty.currentData()) for r in rows]
        self._show_rows(rows, eff.format, fields, field, kind or ("auto" if field else None), layout, types)

    def show_folder_file(self, card, f) -> None:
        """A file of a folder card (`f`, a core FolderFile): its head read with the card's "apply
        to all" settings; sniffed first, off the GUI thread, when the card has not got to it yet."""
        self.clear()
        self._title(f.name)
        self.empty.setText("Looking at the file…")
        self.ctx.tasks.spawn(self._load_folder_file(card, f, self._generation), f"preview {f.name}")

    async def _load_folder_file(self, card, f, generation: int) -> None:
        try:
            sniff = f.sniff or await self.ctx.run_blocking(sniffing.sniff_path, f.path)
            plan = card.group.plan_of(sniff)
            eff = copy.copy(sniff)
            eff.format, eff.encoding, eff.csv = plan.format, plan.encoding, plan.csv
            rows = await self.ctx.run_blocking(sniffing.preview_rows, f.path, eff)
            error = None
        except asyncio.CancelledError:
            raise
        except Exception as e:  # an unreadable file (PlanError names it), or gone since it was listed
            rows, error, plan = [], str(e), None
        if generation != self._generation:  # another selection (or the card removed) meanwhile
            return
        if error:
            self.empty.setText(f"Nothing to preview: {error}")
            return
        is_csv = plan.format == "csv"
        types = plan.csv_types if is_csv else {}
        if types:
            rows = [typed_event(r, types, plan.empty_cells) for r in rows]
        guess = sniff.timestamp
        field = plan.timestamp_field
        kind = guess.kind if guess and guess.field == field else ("auto" if field else None)
        self._show_rows(rows, plan.format, _fields_of(rows) if is_csv else None, field, kind,
                        plan.timestamp_format if field else None, types)

    def _show_rows(self, rows, fmt, fields, field, kind, layout, types) -> None:
        """The table and its note for `rows` read as `fmt`, the time field `field` marked."""
        is_csv = fmt == "csv"
        self.model.set_rows(rows, fields=fields, csv=is_csv, timestamp_field=field,
                            timestamp_kind=kind, timestamp_layout=layout, types=types)
        if not rows:
            self.empty.setText("No events in the head of this file with these settings.")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.view)
        notes = [f"The first {len(rows)} event{'s' if len(rows) != 1 else ''} as they will be sent"
                 + (" (typed columns as numbers and booleans, the rest as strings)" if types else
                    " (CSV values arrive as strings)" if is_csv else "") + "."]
        ragged = self.model.ragged_rows()
        if ragged and is_csv:
            notes.append(f"⚠ {len(ragged)} row{'s' if len(ragged) != 1 else ''} do{'' if len(ragged) != 1 else 'es'}"
                         " not match the header (marked); check the delimiter.")
        elif ragged:
            notes.append(f"⚠ {len(ragged)} {'are not JSON objects' if len(ragged) != 1 else 'is not a JSON object'}"
                         " (marked): they will be reported as failed.")
        if field:
            notes.append("The clock marks the time field: hover a value to see how it will be read.")
        self._rows = rows if fmt == "text" else []
        multi = next((i for i, r in enumerate(self._rows) if "\n" in str(r.get("message", ""))), None)
        self._show_event(0 if multi is None else multi)
        self.event_text.setVisible(multi is not None)  # one-line events: the table shows them whole
        if multi is not None:
            notes.append("Below the table: a whole event (select a row to see another).")
        self.note.setText(" ".join(notes))

    def _show_event(self, row: int) -> None:
        """The text log event of `row` as it will be stored: its message in full, then its fields."""
        rows = getattr(self, "_rows", [])
        if not (0 <= row < len(rows)):
            return
        event = rows[row]
        self.event_text.show()
        others = "  ".join(f"{k}={v}" for k, v in event.items() if k != "message")
        self.event_text.setPlainText(f"event {row + 1}: {others}\n{event.get('message', '')}")


def _fields_of(rows: list[dict]) -> list[str] | None:
    """The CSV header as preview_rows applied it: the keys of the first row that lines up."""
    if not rows:
        return None
    for row in rows:
        if not row.get(sniffing.RAGGED_KEY):
            return [k for k in row]
    return [k for k in rows[0] if k != sniffing.RAGGED_KEY]
