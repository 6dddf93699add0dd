"""Dialogs sized for their text: a line edit at least as wide as its placeholder (or the longest
text it is meant to hold), and a dialog that grows when a message appears in it, so nothing is
cut off — Qt sizes a QLineEdit for about 17 characters whatever its placeholder says."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLineEdit, QStyle, QStyleOptionFrame

TEXT_MARGIN = 12  # the frame's inner margins and the cursor, beyond the text itself


def text_width(edit: QLineEdit, *texts: str) -> int:
    """Pixels a line edit needs to show the longest of `texts` (and its placeholder) whole."""
    fm = edit.fontMetrics()
    widest = max(fm.horizontalAdvance(t) for t in (*texts, edit.placeholderText(), "x"))
    opt = QStyleOptionFrame()
    edit.initStyleOption(opt)
    frame = edit.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, opt, edit)
    return widest + 2 * frame + TEXT_MARGIN


def fit_line_edit(edit: QLineEdit, *texts: str) -> None:
    """Never narrower than its placeholder, or than `texts` (examples of what it holds)."""
    edit.setMinimumWidth(text_width(edit, *texts))


def grow_to_fit(dialog: QDialog) -> None:
    """As large as its contents need at its width, after a message was shown or changed, or when
    it opens: Qt first sizes wrapped labels for a narrower width, which leaves gaps between the
    rows (or clips a message shown later)."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = max(dialog.width(), dialog.sizeHint().width())
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else dialog.sizeHint().height()
    dialog.resize(width, max(height, layout.totalMinimumSize().height()))
