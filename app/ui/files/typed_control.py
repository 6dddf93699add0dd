"""The file card's control for typed CSV columns (#13): on or off (the sniff's suggestion first),
each column's type (a menu, over the inferred one) and what an empty cell becomes. The rule of
which column is which type is app.core.sniff.csv_types'; this only shows and collects choices."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QMenu, QPushButton, QVBoxLayout, QWidget

from app.core.sniff.csv_types import TEXT, TYPES, describe

EMPTY_LABELS = {"omit": "Empty cells: omit", "null": "Empty cells: null"}


class TypedColumnsControl(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.inferred: dict[str, str] = {}
        self.chosen: dict[str, str] = {}  # the user's per-column types
        self._default = False
        self.check = QCheckBox("Numbers and booleans as typed values")
        self.check.setAccessibleName("Typed columns")
        self.columns = QPushButton("Column types")  # a push button keeps room for its menu arrow
        self.columns.setAccessibleName("Column types")
        self.menu = QMenu(self)
        self.columns.setMenu(self.menu)
        self.empty = QComboBox()
        self.empty.setAccessibleName("Empty cells")
        for key, label in EMPTY_LABELS.items():
            self.empty.addItem(label, key)
        self.empty.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        box = QVBoxLayout(self)  # two short rows: a card must fit a narrow pane
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.check)
        row = QHBoxLayout()
        row.addWidget(self.columns)
        row.addWidget(self.empty)
        row.addStretch(1)
        box.addLayout(row)
        self.check.toggled.connect(self._toggled)
        self.empty.currentIndexChanged.connect(lambda *_: self.changed.emit())

    def set_types(self, inferred: dict[str, str], on: bool) -> None:
        """The sniff's column types and whether typed values are its suggestion."""
        self.inferred, self.chosen, self._default = dict(inferred), {}, on
        self.check.blockSignals(True)
        self.check.setChecked(on)
        self.check.blockSignals(False)
        self._rebuild()

    def types(self) -> dict[str, str]:
        """Each column's type as it will be sent (all text when off)."""
        if not self.check.isChecked():
            return {}
        return {f: t for f, t in {**self.inferred, **self.chosen}.items() if t != TEXT}

    def overrides(self) -> dict:
        """Overrides' fields: typed_columns only when it differs from the suggestion."""
        on = self.check.isChecked()
        return {"typed_columns": None if on == self._default else on, "column_types": dict(self.chosen),
                "empty_cells": self.empty.currentData()}

    def set_column_type(self, field: str, kind: str) -> None:
        self.chosen[field] = kind
        self._rebuild()
        self.changed.emit()

    def _toggled(self, _on: bool) -> None:
        self._rebuild()
        self.changed.emit()

    def _rebuild(self) -> None:
        self.menu.clear()
        for field, inferred in self.inferred.items():
            sub = self.menu.addMenu(field)
            group = QActionGroup(sub)
            current = self.chosen.get(field, inferred)
            for kind in TYPES:
                act = QAction(kind + (" (inferred)" if kind == inferred else ""), sub)
                act.setCheckable(True)
                act.setChecked(kind == current)
                act.triggered.connect(lambda _=False, f=field, k=kind: self.set_column_type(f, k))
                group.addAction(act)
                sub.addAction(act)
        on = self.check.isChecked()
        self.columns.setEnabled(on and bool(self.inferred))
        self.empty.setEnabled(on)
        shown = describe({**self.inferred, **self.chosen})
        self.check.setToolTip(f"Inferred from the sample: {shown}. Sent as NDJSON when on; as CSV "
                              "(every value a string) when off")
