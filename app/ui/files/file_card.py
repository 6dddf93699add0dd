"""A file card: what sniffing found about one input, and a control to override each guess.

The card holds no I/O: the drop panel sniffs off the GUI thread and hands the result to
`set_sniff`. The card turns the sniff plus the user's overrides into the Plan that is sent.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QProgressBar, QSizePolicy,
    QStyle, QToolButton, QVBoxLayout, QWidget,
)

from app.core.io import shown
from app.core import sniff as sniffing
from app.core.batching import FORMATS
from app.core.sniff import DELIMITERS
from app.core.sniff.counts import events_text
from app.ui.files.card_style import card_style
from app.ui.files.encodings import ENCODINGS, encoding_label, valid_encoding
from app.ui.files.log_controls import LogControls
from app.ui.files.preview import field_names
from app.ui.files.time_controls import TimeControls, name_guess, time_field_text
from app.ui.files.typed_control import TypedColumnsControl
from app.ui.widgets import theme
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.formatting import FORMAT_LABELS, human_bytes
from app.ui.widgets.reflow import ReflowGrid
from app.ui.widgets.wheel_guard import guard_wheel_in

DELIMITER_WORDS = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated", "|": "pipe-separated"}
NO_TIMESTAMP = ""  # the combo's data for "no field: Axiom's default (_time, else the ingest time)"


class FileCard(QFrame):
    """One input. `sendable` once sniffed without error; `plan()` is what will be sent."""

    removeRequested = Signal(object)  # self
    changed = Signal(object)  # self: an override changed (the preview re-renders)
    clicked = Signal(object)  # self

    def __init__(self, path: str | os.PathLike, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = str(path)
        self.sniff: sniffing.Sniff | None = None
        self.fields: list[str] = []  # as the preview last found them (CSV header or JSON keys)
        self._selected = False
        self._updating = False
        self.format_chosen = False  # picked in the combo, even the sniffed one: Send trusts it
        self.setObjectName("fileCard")
        self.setStyleSheet(card_style())
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Not Maximum: that caps the card at its size hint, shorter than its wrapped text needs in a
        # narrow column (the list's stretch keeps cards from growing).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

        name = shown(Path(self.path).name or self.path)  # Qt would drop bytes that are not UTF-8
        self.title = ElidedLabel(name)
        self.title.setObjectName("cardTitle")
        self.title.setToolTip(shown(self.path))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.size_label = QLabel("")
        self.size_label.setObjectName("cardMuted")
        self.remove_button = QToolButton()
        self.remove_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip("Remove this file")
        self.remove_button.setAccessibleName(f"Remove {name}")
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))
        head = QHBoxLayout()
        head.setSpacing(6)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon).pixmap(16, 16))
        head.addWidget(icon)
        head.addWidget(self.title, 1)
        head.addWidget(self.size_label)
        head.addWidget(self.remove_button)

        self.summary = QLabel("Looking at the file…")
        self.summary.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.time_label = QLabel("")
        self.time_label.setWordWrap(True)
        self.time_label.setObjectName("cardMuted")
        self.error_label = QLabel("")
        self.error_label.setObjectName("cardError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.why_button = QToolButton()
        self.why_button.setText("Why?")
        self.why_button.setCheckable(True)
        self.why_button.setAutoRaise(True)
        self.why_button.toggled.connect(self._toggle_reasons)
        self.reasons_label = QLabel("")
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setObjectName("cardMuted")
        self.reasons_label.hide()
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.why_button, 0, Qt.AlignmentFlag.AlignTop)

        # Overrides.
        self.format_combo = QComboBox()
        for fmt in FORMATS:
            self.format_combo.addItem(FORMAT_LABELS[fmt], fmt)
        self.delimiter_combo = QComboBox()
        for d in DELIMITERS:
            self.delimiter_combo.addItem({",": "Comma ,", ";": "Semicolon ;", "\t": "Tab", "|": "Pipe |"}[d], d)
        self.header_check = QCheckBox("First row is the header")
        self.records_check = QCheckBox()  # "Each element of 'Records' is an event" (wrapped records)
        self.timestamp_combo = QComboBox()
        self.encoding_combo = QComboBox()
        for combo, chars in ((self.format_combo, 8), (self.delimiter_combo, 6), (self.timestamp_combo, 8),
                             (self.encoding_combo, 6)):
            # Sized by a few characters, not by their longest item: a card must fit a narrow pane.
            combo.setMinimumContentsLength(chars)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.encoding_combo.setEditable(True)
        self.encoding_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for enc in ENCODINGS:
            self.encoding_combo.addItem(enc, enc)
        self.encoding_combo.setToolTip("The text encoding of the file (any Python codec name)")
        self.format_combo.setAccessibleName("Format")
        self.delimiter_combo.setAccessibleName("Delimiter")
        self.timestamp_combo.setAccessibleName("Timestamp field")
        self.encoding_combo.setAccessibleName("Encoding")
        self.encoding_combo.lineEdit().setAccessibleName("Encoding")  # the editable part is a control of its own

        # Two settings a row when the card is wide enough, one a row when not (ReflowGrid).
        self.controls = ReflowGrid()
        self.controls.set_margins(0, 2, 0, 0)
        self.delimiter_caption = QLabel("Delimiter")
        for caption, control in (("Format", self.format_combo), (self.delimiter_caption, self.delimiter_combo),
                                 ("Time field", self.timestamp_combo), ("Encoding", self.encoding_combo)):
            self.controls.add_pair(QLabel(caption) if isinstance(caption, str) else caption, control)
        self.time_box = TimeControls()  # time format, date order, zone, the first values read
        self.typed = TypedColumnsControl()  # CSV numbers and booleans as typed values
        self.log_controls = LogControls()  # format "text": log format, line-start pattern
        self.log_controls.changed.connect(self._override_changed)
        for row in (self.header_check, self.time_box, self.typed, self.records_check, self.log_controls):
            self.controls.add_row(row)
        self.controls.hide()

        self.format_combo.currentIndexChanged.connect(self._override_changed)
        self.format_combo.activated.connect(lambda *_: setattr(self, "format_chosen", True) or self._override_changed())
        self.delimiter_combo.currentIndexChanged.connect(self._override_changed)
        self.header_check.toggled.connect(self._override_changed)
        self.typed.changed.connect(self._override_changed)
        self.records_check.toggled.connect(self._override_changed)
        self.timestamp_combo.currentIndexChanged.connect(self._timestamp_changed)
        self.encoding_combo.currentTextChanged.connect(self._encoding_changed)
        self.time_box.changed.connect(self._override_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addLayout(summary_row)
        layout.addWidget(self.busy)
        layout.addWidget(self.error_label)
        layout.addWidget(self.time_label)
        layout.addWidget(self.reasons_label)
        layout.addWidget(self.controls)
        self.why_button.hide()
        guard_wheel_in(self)  # the wheel scrolls the card list unless a control has focus

    # -- state --------------------------------------------------------------------------------
    @property
    def sniffing(self) -> bool:
        return self.sniff is None

    @property
    def sendable(self) -> bool:
        return self.sniff is not None and not self.sniff.error and self.format() is not None and not self.unsure()

    def unsure(self) -> str | None:
        """Why Send skips this card: a low-confidence format guess the user has not chosen (core's rule)."""
        from app.core.plan import unsure_format
        return unsure_format(self.sniff, self.format_chosen or self.format() != self.sniff.format, "pick a format")

    @property
    def name(self) -> str:
        return shown(Path(self.path).name)

    def set_selected(self, selected: bool) -> None:
        self._selected = selected
        self.setProperty("selected", "true" if selected else "false")
        self.style().unpolish(self)
        self.style().polish(self)

    def changeEvent(self, event) -> None:
        # A desktop switching to a dark palette while the app runs: rebuild the colours
        # (compared first, since applying a style sheet can itself report a palette change).
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            style = card_style()
            if style != self.styleSheet():
                self.setStyleSheet(style)
        super().changeEvent(event)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self)
        super().mousePressEvent(event)

    def set_sniff(self, s: sniffing.Sniff) -> None:
        """Show what sniffing found and set the overrides to it."""
        self.sniff = s
        self.busy.hide()
        if s.size is not None:
            self.size_label.setText(human_bytes(s.size))
        if s.error:
            self.setProperty("broken", "true")
            self.style().unpolish(self)
            self.style().polish(self)
            self.summary.setText("Can't be sent")
            self.error_label.setText(s.error)
            self.error_label.show()
            self.controls.hide()
            self.time_label.hide()
            self._fill_reasons()
            return
        self._updating = True
        try:
            self.format_combo.setCurrentIndex(max(0, FORMATS.index(s.format)) if s.format in FORMATS else 0)
            dialect = s.csv or sniffing.CsvDialect()
            if dialect.delimiter in DELIMITERS:
                self.delimiter_combo.setCurrentIndex(DELIMITERS.index(dialect.delimiter))
            self.header_check.setChecked(dialect.has_header)
            if s.records:
                self.records_check.setText(f"Each element of {s.records.path!r} is an event")
                self.records_check.setToolTip(s.records.reason)
            self.records_check.setChecked(s.records is not None)
            enc = s.encoding or "utf-8"
            if self.encoding_combo.findData(enc) < 0:
                self.encoding_combo.addItem(enc, enc)
            self.encoding_combo.setCurrentIndex(self.encoding_combo.findData(enc))
            self.fields = list(dialect.fields) if s.format == "csv" else field_names(s.sample)
            self._fill_timestamp_combo(s.timestamp.field if s.timestamp else NO_TIMESTAMP)
            self.time_box.follow(self.sniff, self.timestamp_field())
            self.typed.set_types(s.column_types, s.typed_by_default)
            self.log_controls.set_guess(s.log)
        finally:
            self._updating = False
        self.controls.show()
        self._fill_reasons()
        self._refresh_labels()

    def _fill_reasons(self) -> None:
        s = self.sniff
        if s is None:
            return
        lines = [f"• {r}" for r in s.reasons]
        if s.runner_up:
            fmt, conf = s.runner_up
            lines.append(f"• it could also be {FORMAT_LABELS.get(fmt, fmt)} ({conf:.0%} sure)")
        if s.timestamp:
            lines.append(f"• time field {s.timestamp.field}: e.g. {s.timestamp.example!r} "
                         f"({s.timestamp.confidence:.0%} sure)")
        self.reasons_label.setText("\n".join(lines))
        self.summary.setToolTip("\n".join(lines))
        self.why_button.setVisible(bool(lines))

    def _toggle_reasons(self, on: bool) -> None:
        self.reasons_label.setVisible(on)

    def _fill_timestamp_combo(self, chosen: str) -> None:
        was = self._updating
        self._updating = True
        try:
            self.timestamp_combo.clear()
            # Short: a card is narrow, and the longer "(none: _time or the ingest time)" was clipped;
            # the card's time line and this item's tooltip say what "none" means.
            self.timestamp_combo.addItem("(none)", NO_TIMESTAMP)
            self.timestamp_combo.setItemData(0, "No field: events use their _time field if they have one, "
                                                "else the ingest time", Qt.ItemDataRole.ToolTipRole)
            for f in self.fields:
                self.timestamp_combo.addItem(f, f)
            if chosen and self.timestamp_combo.findData(chosen) < 0:
                self.timestamp_combo.addItem(chosen, chosen)
            self.timestamp_combo.setCurrentIndex(max(0, self.timestamp_combo.findData(chosen)))
        finally:
            self._updating = was

    def set_fields(self, fields: list[str]) -> None:
        """The preview found these fields (after an override): offer them as time fields."""
        if fields == self.fields:
            return
        chosen = self.timestamp_field()
        self.fields = list(fields)
        if chosen and chosen not in self.fields:
            guess = self.sniff.timestamp if self.sniff else None
            chosen = guess.field if guess and guess.field in self.fields else name_guess(self.fields)
        self._fill_timestamp_combo(chosen or NO_TIMESTAMP)
        self._refresh_labels()

    # -- overrides ----------------------------------------------------------------------------
    def format(self) -> str | None:
        if self.sniff is None or self.sniff.error:
            return None
        return self.format_combo.currentData()

    def delimiter(self) -> str:
        return self.delimiter_combo.currentData()

    def has_header(self) -> bool:
        return self.header_check.isChecked()

    def encoding(self) -> str:
        text = self.encoding_combo.currentText().strip()
        data = self.encoding_combo.currentData()
        if data and self.encoding_combo.itemText(self.encoding_combo.currentIndex()) == text:
            return data
        return text if valid_encoding(text) else (self.sniff.encoding if self.sniff else "utf-8")

    def timestamp_field(self) -> str | None:
        return self.timestamp_combo.currentData() or None

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(FORMATS.index(fmt))

    def set_delimiter(self, delimiter: str) -> None:
        self.delimiter_combo.setCurrentIndex(DELIMITERS.index(delimiter))

    def set_timestamp_field(self, field: str | None) -> None:
        idx = self.timestamp_combo.findData(field or NO_TIMESTAMP)
        if idx >= 0:
            self.timestamp_combo.setCurrentIndex(idx)

    def _override_changed(self, *_):
        if self._updating or self.sniff is None:
            return
        self._refresh_labels()
        self.changed.emit(self)

    def _timestamp_changed(self, *_):
        if self._updating or self.sniff is None:
            return
        self.time_box.follow(self.sniff, self.timestamp_field())
        self._refresh_labels()
        self.changed.emit(self)

    def _encoding_changed(self, text: str) -> None:
        ok = valid_encoding(text.strip())
        self.encoding_combo.setStyleSheet(
            "" if ok else f"QComboBox {{ border: 1px solid {theme.css(theme.status_color('error'))}; }}")
        self.encoding_combo.setToolTip("The text encoding of the file (any Python codec name)" if ok
                                       else f"{text!r} is not an encoding this app knows")
        if ok:
            self._override_changed()

    def timestamp_kind(self) -> tuple[str | None, str | None]:
        """(kind, layout) of the chosen time field: the sniff's kind when it is the sniffed field,
        the plan's layout (a typed time format, a chosen date order)."""
        field = self.timestamp_field()
        guess = self.sniff.timestamp if self.sniff else None
        layout = self.plan().timestamp_format if self.sendable and field else None
        if field and guess and guess.field == field:
            return guess.kind, layout
        return ("layout", layout) if layout else (None, None)

    def effective_sniff(self) -> sniffing.Sniff:
        """The sniff with the user's overrides applied (what preview_rows re-reads with)."""
        assert self.sniff is not None
        s = copy.copy(self.sniff)
        s.format = self.format()
        s.encoding = self.encoding()
        s.records = self.sniff.records if self.records_check.isChecked() else None
        if s.format == "csv":
            base = copy.copy(self.sniff.csv) if self.sniff.csv else sniffing.CsvDialect()
            delimiter_changed = base.delimiter != self.delimiter()
            base.delimiter = self.delimiter()
            header_changed = base.has_header != self.has_header()
            base.has_header = self.has_header()
            if delimiter_changed or header_changed:
                base.fields = []  # re-read from the header row, or col1..colN
            else:
                base.fields = list(base.fields)
            s.csv = base
        else:
            s.csv = None
        s.log_settings = (self.log_controls.settings(self.time_box.overrides().get("time_zone"))
                          if s.format == "text" else None)
        return s

    def plan(self):
        """The Plan for this card: from the sniff, then the user's overrides."""
        from app.core.plan import Overrides, plan_for

        return plan_for(self.sniff, Overrides(
            format=self.format(), encoding=self.encoding(), csv_delimiter=self.delimiter(),
            csv_has_header=self.has_header(), csv_fields=list(self.fields),
            timestamp_field=self.timestamp_field() or NO_TIMESTAMP, **self.time_box.overrides(),
            **self.typed.overrides(), records_path=None if self.records_check.isChecked() else "",
            **(self.log_controls.overrides() if self.format() == "text" else {})))

    # -- labels -------------------------------------------------------------------------------
    def _refresh_labels(self) -> None:
        s = self.sniff
        if s is None or s.error:
            return
        fmt = self.format()
        is_csv = fmt == "csv"
        self.delimiter_combo.setVisible(is_csv)
        self.delimiter_caption.setVisible(is_csv)
        self.header_check.setVisible(is_csv)
        self.typed.setVisible(is_csv and bool(s.column_types))
        self.records_check.setVisible(fmt == "json-object" and s.records is not None)
        self.log_controls.setVisible(fmt == "text")
        parts = [self.log_controls.summary() if fmt == "text" else FORMAT_LABELS.get(fmt, fmt or "?")]
        if is_csv:
            d = self.delimiter()
            parts.append(DELIMITER_WORDS.get(d, f"{d!r}-separated"))
            parts.append("with a header" if self.has_header() else "no header")
        parts.append(encoding_label(self.encoding()))
        if s.compression:
            parts.append(f"{s.compression}-compressed")
        dialect_changed = fmt != s.format or (is_csv and s.csv and (self.delimiter() != s.csv.delimiter
                                                                    or self.has_header() != s.csv.has_header))
        whole_object = bool(s.records) and not (fmt == "json-object" and self.records_check.isChecked())
        parts.append(events_text(s, as_sniffed=not dialect_changed, whole_object=whole_object))  # core's words
        overridden = dialect_changed or (fmt == "text" and self.log_controls.overridden()) or (
            s.records is not None and not self.records_check.isChecked())
        sure = "your choice" if overridden else f"{s.confidence:.0%} sure"
        self.summary.setText(" · ".join(parts) + f"  ({sure})")
        self.error_label.setText(self.unsure() or "")
        self.error_label.setVisible(bool(self.error_label.text()))
        self.time_label.setText(time_field_text(self.timestamp_field(), *self.timestamp_kind(),
                                               self.sniff.timestamp if self.sniff else None))
        self.time_label.show()
        self.time_box.show_plan(self.sniff, self.plan())
