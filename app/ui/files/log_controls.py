"""A file card's text-log controls: the log format (including plain lines) and the pattern a line
starting an event matches (the zone is the card's time controls'). Only a pattern the engine
accepts is handed on (an invalid one is marked and ignored until it is fixed)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from app.core.sniff import LogSettings
from app.core.textlog import BY_ID, FORMAT_IDS, LogGuess, settings_problem
from app.ui.widgets import theme

class LogControls(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.guess: LogGuess | None = None
        self.format_combo = QComboBox()
        for fid in FORMAT_IDS:
            self.format_combo.addItem(BY_ID[fid].label, fid)
        self.format_combo.setAccessibleName("Log format")
        self.start_edit = QLineEdit()
        self.start_edit.setAccessibleName("Line-start pattern")
        self.start_edit.setToolTip("A regular expression: a line it matches (at its start) begins a new event; "
                                   "the lines after it belong to that event. Empty: the format's own.")
        self.format_combo.setMinimumContentsLength(8)
        self.format_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        for row, (text, control) in enumerate((("Log format", self.format_combo), ("Events start", self.start_edit))):
            caption = QLabel(text)
            caption.setBuddy(control)  # on Linux, what a screen reader reads as a combo box's label
            grid.addWidget(caption, row, 0)
            grid.addWidget(control, row, 1)
        grid.setColumnStretch(1, 1)
        self.format_combo.currentIndexChanged.connect(self._edited)
        self.start_edit.editingFinished.connect(self._edited)
        self._quiet = False

    def set_guess(self, guess: LogGuess | None) -> None:
        """Show what the sniff detected (no override)."""
        self.guess = guess
        self._quiet = True
        try:
            fid = guess.format if guess else "plain"
            self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(fid)))
            self.start_edit.clear()
            self.start_edit.setPlaceholderText(guess.start or "(one event per line)" if guess else "(one event per line)")
        finally:
            self._quiet = False

    def log_format(self) -> str:
        return self.format_combo.currentData()

    def line_start(self) -> str | None:
        text = self.start_edit.text()  # not stripped: a space in a pattern means a space
        return text if text.strip() and settings_problem("plain", text) is None else None

    def settings(self, zone: str | None) -> LogSettings:
        """How the preview reads the log; `zone`: the card's choice for times without one."""
        return LogSettings(self.log_format(), self.line_start(), zone)

    def overridden(self) -> bool:
        return bool(self.guess is None or self.log_format() != self.guess.format or self.line_start())

    def _edited(self, *_) -> None:
        text = self.start_edit.text()
        problem = settings_problem("plain", text) if text.strip() else None
        self.start_edit.setStyleSheet("" if problem is None else
                                      f"border: 1px solid {theme.css(theme.status_color('error'))};")
        self.start_edit.setToolTip(problem or "A regular expression: a line it matches (at its start) begins a new "
                                   "event; the lines after it belong to that event. Empty: the format's own.")
        if not self._quiet:
            self.changed.emit()

    def summary(self) -> str:
        """The card's line for a text log: the detection, or what the user chose instead."""
        if self.guess is not None and not self.overridden():
            return self.guess.summary()
        parts = [BY_ID[self.log_format()].label]
        start = self.line_start()
        parts.append(f"events start at /{start}/" if start else
                     "one event per line" if BY_ID[self.log_format()].one_line else "events start as the format's lines do")
        return " · ".join(parts)

    def overrides(self) -> dict:
        return {"log_format": self.log_format(), "log_line_start": self.line_start()}
