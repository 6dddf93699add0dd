"""The paste editor: a plain text editor that hands a large paste to its tab."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPlainTextEdit

LARGE_PASTE = 1 << 20  # characters: above this the tab shows the head, the text is held aside


class PasteEditor(QPlainTextEdit):
    """A plain editor that hands a large paste to its tab instead of laying it all out."""

    largePaste = Signal(str)

    def insertFromMimeData(self, source) -> None:  # noqa: N802 — Qt's name
        if source.hasText() and not source.hasUrls():
            text = source.text()
            if len(text) > LARGE_PASTE:
                self.largePaste.emit(text)
                return
        super().insertFromMimeData(source)
