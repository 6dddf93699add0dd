"""The drop zone's empty state, the overlay shown while files are dragged over the panel, and the
style of the "some files were skipped" note."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from app.ui.widgets import theme


def notice_style() -> str:
    """The "some files were skipped" note: a warning tint of the window colour, the window's text."""
    return (f"QLabel {{ background: {theme.css(theme.tint('warning', 0.25, role=QPalette.ColorRole.Window))};"
            f" border: 1px solid {theme.css(theme.status_color('warning'))}; border-radius: 4px;"
            " padding: 4px 6px; color: palette(window-text); }")


class DropZone(QWidget):
    """The inviting empty state: a big dashed area with an icon, a sentence and two buttons."""

    browseRequested = Signal()
    samplesRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.highlight = False
        self.setMinimumHeight(180)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel("Drop JSON, NDJSON, CSV or log files here")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.text.setFont(font)
        hint = QLabel("Folders work too (their JSON, NDJSON, CSV and log files), gzip and zstd are read as they are, "
                      "and Ctrl+V pastes file paths.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browseRequested)
        self.samples_button = QPushButton("Try sample data")
        self.samples_button.setToolTip("Load three small sample files: web logs (NDJSON), sensor readings "
                                       "(CSV) and orders (a JSON array)")
        self.samples_button.clicked.connect(self.samplesRequested)
        or_label = QLabel("— or —")
        or_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.browse_button)
        buttons.addWidget(or_label)
        buttons.addWidget(self.samples_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.addStretch(1)
        layout.addWidget(icon)
        layout.addWidget(self.text)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        layout.addSpacing(6)
        layout.addWidget(hint)
        layout.addStretch(1)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        pal = self.palette()
        if self.highlight:
            color = pal.color(QPalette.ColorRole.Highlight)
            fill = QColor(color)
            fill.setAlpha(28)
            p.setBrush(fill)
        else:
            # Between the background and the text: visible on light and dark palettes alike (Mid
            # is often left at a light-theme value by dark palettes, or too close to Window).
            color = theme.mix(pal.color(QPalette.ColorRole.Window), pal.color(QPalette.ColorRole.WindowText), 0.4)
            p.setBrush(Qt.BrushStyle.NoBrush)
        pen = QPen(color, 2.5 if self.highlight else 2, Qt.PenStyle.DashLine)
        pen.setDashPattern([6, 4])
        p.setPen(pen)
        p.drawRoundedRect(rect, 14, 14)


class DropOverlay(QWidget):
    """Drawn over the cards while something is dragged over the panel."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        pal = self.palette()
        accent = pal.color(QPalette.ColorRole.Highlight)
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Window))  # nothing peeks out at the corners
        # Opaque enough that the cards under it do not compete with the sentence.
        p.setBrush(theme.mix(pal.color(QPalette.ColorRole.Window), accent, 0.12))
        pen = QPen(accent, 2.5, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawRoundedRect(rect, 12, 12)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        font = p.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        p.setFont(font)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Drop to add these files")
