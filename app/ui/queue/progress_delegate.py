"""The queue's progress column, drawn as a progress bar."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionProgressBar

from app.ui.queue.queue_model import QueueModel


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a progress bar (busy style when the size is unknown)."""

    def paint(self, painter, option, index) -> None:
        fraction = index.data(QueueModel.ProgressRole)
        if fraction is None:
            return super().paint(painter, option, index)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect).adjusted(3, 3, -3, -3)
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        bar.palette = QPalette(option.palette)
        if option.state & QStyle.StateFlag.State_Selected:
            # The chunk is drawn in Highlight, like the selected row behind it: a darker chunk keeps
            # the bar visible there, and the highlighted (light) text stays readable on it.
            hl = option.palette.color(QPalette.ColorRole.Highlight)
            bar.palette.setColor(QPalette.ColorRole.Highlight, hl.darker(170))
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = int(max(0.0, fraction) * 1000)
        bar.textVisible = True
        bar.text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)
