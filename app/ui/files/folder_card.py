"""A dropped folder as one card: its totals, "apply to all" settings, and its files listed lazily.

The card shows what app.core.folder decides (totals, odd files, the plans); it holds no I/O.
Its file list is a model over the group's records in a QListView with uniform rows, so only
the rows on screen are ever asked for: a folder of 2,000 files costs one card, not 2,000.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListView, QProgressBar,
    QSizePolicy, QStyle, QToolButton, QVBoxLayout, QWidget,
)

from app.core.batching import FORMATS
from app.core.folder import FolderGroup, Oddity
from app.core.io import shown
from app.core.sniff.counts import events_text
from app.ui.files.card_style import card_style
from app.ui.widgets import theme
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.formatting import FORMAT_LABELS, human_bytes

EACH_OWN = "@own"  # combo data: keep each file's own guess (None in the settings)
NO_FIELD = ""  # combo data: no time field (the events' _time, else the ingest time)
ODD_KINDS = {Oddity.UNREADABLE: "error", Oddity.NOT_DATA: "error", Oddity.OTHER_FORMAT: "warning"}


class FolderFilesModel(QAbstractListModel):
    """The group's files, one row each, text made when a row is painted; `odd_only` lists only
    the flagged ones."""

    def __init__(self, group: FolderGroup, parent=None):
        super().__init__(parent)
        self.group = group
        self._majority = None
        self._rows: list[int] | None = None  # indexes into group.files: the flagged ones first
        self._odd_only = False

    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self._rows) if self._rows is not None else len(self.group.files)

    def file_at(self, row: int):
        return self.group.files[self._rows[row] if self._rows is not None else row]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        f = self.file_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            what = FORMAT_LABELS.get(f.format, f.format) if f.format else ("…" if f.sniff is None else "—")
            if f.sniff is not None and f.format:
                what += " · " + events_text(f.sniff)  # with the events that will fail, as on a file's card
            odd = self.group.oddity(f, self._majority)
            flag = f"  ⚠ {odd.value}" if odd is not None else ""
            return f"{f.name} · {human_bytes(f.size)} · {what}{flag}"
        if role == Qt.ItemDataRole.ToolTipRole:
            why = self.group.why_odd(f, self._majority)
            return shown(f.path) + (f"\n{why}" if why else "")
        if role == Qt.ItemDataRole.ForegroundRole:
            odd = self.group.oddity(f, self._majority)
            return theme.status_brush(ODD_KINDS[odd]) if odd is not None else None
        return None

    def sniffed(self, before: int, now: int) -> None:
        """Rows before..now got their sniff: repaint them (and all, if the majority changed)."""
        majority = self.group.majority_format()
        if majority != self._majority or self._odd_only:
            self._majority = majority
            self.set_odd_only(self._odd_only)
            return
        if now > before:
            self.dataChanged.emit(self.index(before), self.index(now - 1))

    def set_odd_only(self, on: bool) -> None:
        """List only the flagged files (`on`), else all of them with the flagged ones first."""
        self._odd_only = on
        self.beginResetModel()
        self._majority = self.group.majority_format()
        odd = [i for i, f in enumerate(self.group.files) if self.group.oddity(f, self._majority)]
        if on:
            self._rows = odd
        elif odd:
            flagged = set(odd)
            self._rows = odd + [i for i in range(len(self.group.files)) if i not in flagged]
        else:
            self._rows = None
        self.endResetModel()


class FolderCard(QFrame):
    """One dropped folder. `sendable` once every file is sniffed and one can be sent."""

    removeRequested = Signal(object)  # self
    changed = Signal(object)  # self: an "apply to all" setting changed
    clicked = Signal(object)  # self
    fileChosen = Signal(object, object)  # self, the core FolderFile picked in the list (to preview)

    def __init__(self, group: FolderGroup, parent: QWidget | None = None):
        super().__init__(parent)
        self.group = group
        self.path = group.root
        self._shown = group.sniffed  # files sniffed as far as this card has shown (the pool runs ahead)
        self.setObjectName("fileCard")
        self.setStyleSheet(card_style())
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setAccessibleName(f"Folder {group.name}")

        self.title = ElidedLabel(f"{group.name}/")
        self.title.setObjectName("cardTitle")
        self.title.setToolTip(shown(group.root))
        self.size_label = QLabel("")
        self.size_label.setObjectName("cardMuted")
        self.remove_button = QToolButton()
        self.remove_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip("Remove this folder (nothing is sent)")
        self.remove_button.setAccessibleName(f"Remove folder {group.name}")
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))
        head = QHBoxLayout()
        head.setSpacing(6)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon).pixmap(16, 16))
        head.addWidget(icon)
        head.addWidget(self.title, 1)
        head.addWidget(self.size_label)
        head.addWidget(self.remove_button)

        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("cardMuted")
        self.bar = QProgressBar()
        self.bar.setMaximumHeight(6)
        self.bar.setTextVisible(False)
        self.odd_label = QLabel("")
        self.odd_label.setWordWrap(True)
        self.odd_label.setObjectName("cardError")
        self.odd_label.hide()
        self.odd_only = QCheckBox("Only the flagged files")
        self.odd_only.setToolTip("List only the files that are odd (not sent, or a different format)")
        self.odd_only.hide()

        self.format_combo = QComboBox()
        self.format_combo.addItem("each file's own", EACH_OWN)
        for fmt in FORMATS:
            self.format_combo.addItem(FORMAT_LABELS[fmt], fmt)
        self.format_combo.setAccessibleName("Format for all files")
        self.timestamp_combo = QComboBox()
        self.timestamp_combo.setAccessibleName("Time field for all files")
        self.dataset_edit = QLineEdit()
        self.dataset_edit.setPlaceholderText("the dataset chosen above")
        self.dataset_edit.setAccessibleName("Dataset for all files")
        self.dataset_edit.setToolTip("Send this folder to another dataset than the one chosen above")
        for combo in (self.format_combo, self.timestamp_combo):
            combo.setMinimumContentsLength(10)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.controls = QWidget()
        grid = QGridLayout(self.controls)
        grid.setContentsMargins(0, 2, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        caption = QLabel("Apply to all")
        caption.setObjectName("cardMuted")
        grid.addWidget(caption, 0, 0, 1, 2)
        for row, (text, control) in enumerate((("Format", self.format_combo), ("Time field", self.timestamp_combo),
                                                ("Dataset", self.dataset_edit)), start=1):
            label = QLabel(text)
            label.setBuddy(control)  # on Linux, what a screen reader reads as a combo box's label
            grid.addWidget(label, row, 0)
            grid.addWidget(control, row, 1)
        grid.setColumnStretch(1, 1)
        self.controls.setEnabled(False)

        self.model = FolderFilesModel(group, self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)  # rows are measured once: only the visible ones are asked for
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setAccessibleName(f"Files in {group.name}")
        self.list.setFixedHeight(150)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.format_combo.currentIndexChanged.connect(self._settings_changed)
        self.timestamp_combo.currentIndexChanged.connect(self._settings_changed)
        self.dataset_edit.textChanged.connect(self._settings_changed)
        self.odd_only.toggled.connect(self.model.set_odd_only)
        self.list.clicked.connect(self._file_chosen)  # a click, or the keys moving the current row
        self.list.selectionModel().currentChanged.connect(self._file_chosen)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.odd_label)
        layout.addWidget(self.controls)
        layout.addWidget(self.list)
        layout.addWidget(self.odd_only)
        self._fill_time_fields()
        self.refresh()

    # -- state --------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.group.name

    @property
    def sniffing(self) -> bool:
        return self._shown < len(self.group.files)

    @property
    def sendable(self) -> bool:
        return not self.sniffing and self.group.totals().sendable > 0

    def jobs(self) -> list[tuple]:
        """(Source, Plan, dataset) of every file to send (dataset None: the one chosen above)."""
        dataset = self.group.settings.dataset
        return [(source, plan, dataset) for source, plan in self.group.jobs()]

    def preview_hint(self) -> str:
        """What the preview pane says while the folder is selected."""
        return (f"{self.group.name}/ is listed on its card, the flagged files first. "
                "Select a file in the list to preview its events.")

    def current_file(self):
        """The FolderFile chosen in the list, or None."""
        index = self.list.currentIndex()
        return self.model.file_at(index.row()) if index.isValid() else None

    def _file_chosen(self, index, *_) -> None:
        if index.isValid():
            self.fileChosen.emit(self, self.model.file_at(index.row()))

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", "true" if selected else "false")
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(self)
        super().mousePressEvent(event)

    # -- updates ------------------------------------------------------------------------------
    def sniffed(self, before: int) -> None:
        """The drop panel sniffed another chunk: repaint those rows and the totals."""
        self._shown = self.group.sniffed
        self.model.sniffed(before, self._shown)
        if not self.sniffing:
            self.model.set_odd_only(self.odd_only.isChecked())  # the flagged files move to the top
            self._fill_time_fields()
            self.controls.setEnabled(True)
        self.refresh()

    def refresh(self) -> None:
        t = self.group.totals()
        self.size_label.setText(human_bytes(t.bytes))
        parts = [f"{t.files:,} file{'s' if t.files != 1 else ''}", human_bytes(t.bytes)]
        if t.formats:
            parts.append(", ".join(f"{FORMAT_LABELS.get(k, k)} {n:,}" for k, n in t.formats.items()))
            parts.append(f"{t.events:,} events" if t.events_exact else f"~{t.events:,} events")
        self.summary.setText(" · ".join(parts))
        busy = t.sniffed < t.files
        self.progress_label.setVisible(busy)
        self.bar.setVisible(busy)
        if busy:
            self.progress_label.setText(f"Sniffing {t.sniffed:,} / {t.files:,}…")
            self.bar.setRange(0, max(1, t.files))
            self.bar.setValue(t.sniffed)
        odd = sum(t.odd.values())
        self.odd_label.setVisible(bool(odd))
        self.odd_only.setVisible(bool(odd))
        if odd:
            kinds = ", ".join(f"{t.odd[kind]:,} {kind.value}" for kind in Oddity if kind in t.odd)
            skipped = t.odd.get(Oddity.UNREADABLE, 0) + t.odd.get(Oddity.NOT_DATA, 0)
            tail = f"; {skipped:,} not sent" if skipped else ""
            self.odd_label.setText(f"⚠ {odd:,} flagged: {kinds}{tail}")
        self.odd_label.setToolTip("\n".join(self.group.problems[:10]))

    def _fill_time_fields(self) -> None:
        chosen = self.timestamp_combo.currentData() if self.timestamp_combo.count() else EACH_OWN
        self.timestamp_combo.blockSignals(True)
        self.timestamp_combo.clear()
        self.timestamp_combo.addItem("each file's own guess", EACH_OWN)
        self.timestamp_combo.addItem("(none)", NO_FIELD)
        self.timestamp_combo.setItemData(1, "No field: events use their _time field if they have one, "
                                            "else the ingest time", Qt.ItemDataRole.ToolTipRole)
        for name in self.group.time_fields():
            self.timestamp_combo.addItem(name, name)
        index = self.timestamp_combo.findData(chosen)
        self.timestamp_combo.setCurrentIndex(max(0, index))
        self.timestamp_combo.blockSignals(False)

    def _settings_changed(self, *_) -> None:
        s = self.group.settings
        s.format = _setting(self.format_combo.currentData())
        s.timestamp_field = _setting(self.timestamp_combo.currentData())
        s.dataset = self.dataset_edit.text().strip() or None
        self.changed.emit(self)
        if self.current_file() is not None:  # the file previewed, read with the new settings
            self.fileChosen.emit(self, self.current_file())

    def set_format(self, fmt: str | None) -> None:
        """Apply a format to all files (None: each file's own)."""
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(EACH_OWN if fmt is None else fmt)))

    def set_timestamp_field(self, name: str | None) -> None:
        """Apply a time field to all files (None: each file's own guess, "": no field)."""
        self.timestamp_combo.setCurrentIndex(max(0, self.timestamp_combo.findData(EACH_OWN if name is None else name)))


def _setting(data):
    return None if data == EACH_OWN else data
