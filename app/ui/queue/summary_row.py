"""The queue's summary row, under the table: every row totalled (files done of all, events
ingested, failed and not sent, the files not read to the end, bytes of the finished files of
all), from app.core.queue.totals; the not-sent words are app.core.progress.not_sent_parts."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

from app.core.progress import not_sent_parts
from app.ui.widgets.formatting import human_bytes


class SummaryRow(QFrame):
    """One line like the table's rows, bold, that says what the whole queue adds up to."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("queueSummaryRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.label = QLabel("")
        f = self.label.font()
        f.setBold(True)
        self.label.setFont(f)
        self.label.setAccessibleName("Queue totals")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 8, 3)
        layout.addWidget(self.label, 1)

    def set_totals(self, t: dict) -> None:
        parts = [f"Total: {t['done']:,} / {t['files']:,} file{'s' if t['files'] != 1 else ''} done"]
        uploading = t["active"] - t["queued"]
        if uploading:
            parts.append(f"{uploading:,} uploading")
        if t["queued"]:
            parts.append(f"{t['queued']:,} queued")
        parts += [f"{t['ingested']:,} events ingested", f"{t['failed']:,} failed"]
        parts += not_sent_parts(t)  # with the files not read to the end (core's words)
        parts.append(f"{human_bytes(t['bytes_done'])} / {human_bytes(t['bytes'])}")
        self.label.setText(" · ".join(parts))
        # Over AT-SPI a label with an accessible name shows no text: a screen reader reads this.
        self.label.setAccessibleDescription(self.label.text())

    def text(self) -> str:
        return self.label.text()
