"""The preview column of the Files tab: the first events of the selected card, as they will be sent.

Reading the head runs in the context's thread pool; an answer for a card that was removed, or
for an older selection or override, is dropped.
"""

from __future__ import annotations

import asyncio
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.core import sniff as sniffing
from app.core.sniff.csv_types import typed_event
from app.ui.files.file_card import FileCard
from app.ui.files.preview import PreviewModel, PreviewView, field_names

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
        self.title = QLabel("Preview")
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
        rl.addWidget(self.note)

    def clear(self) -> None:
        """No card selected."""
        self._generation += 1
        self.card = None
        self.model.clear()
        self.title.setText("Preview")
        self.note.setText("")
        self.empty.setText(EMPTY_TEXT)
        self.stack.setCurrentWidget(self.empty)

    def refresh(self, card: FileCard, show: bool = True) -> None:
        """Re-read the head of `card` with its overrides; `show` False only updates its fields."""
        if show:
            self._generation += 1
            self.card = card
            self.title.setText(f"Preview — {card.name}")
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
        self.model.set_rows(rows, fields=fields, csv=is_csv, timestamp_field=field,
                            timestamp_kind=kind or ("auto" if field else None), timestamp_layout=layout, types=types)
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
        self.note.setText(" ".join(notes))


def _fields_of(rows: list[dict]) -> list[str] | None:
    """The CSV header as preview_rows applied it: the keys of the first row that lines up."""
    if not rows:
        return None
    for row in rows:
        if not row.get(sniffing.RAGGED_KEY):
            return [k for k in row]
    return [k for k in rows[0] if k != sniffing.RAGGED_KEY]
