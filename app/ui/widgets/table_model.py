"""A read-only table over a list of row objects, the shape of every table in the window.

Qt asks each model the same questions (row and column counts, header text, flags) and every
`data` call must guard against stale or foreign indexes; answering them once here leaves each
table to say only what a cell shows (`cell`), so a fix to the guards reaches every table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt


class RowsTableModel(QAbstractTableModel):
    """Rows are plain objects kept in order; columns are named by HEADERS."""

    HEADERS: Sequence[str] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list = []

    # -- the rows --------------------------------------------------------------------------------
    def rows(self) -> list:
        """A copy, so callers can iterate while the model changes."""
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, item: Any) -> int:
        """The row holding this very object (identity, not equality: two rows may compare equal), or -1."""
        for row, it in enumerate(self._rows):
            if it is item:
                return row
        return -1

    def set_rows(self, rows: Iterable | None) -> None:
        self.beginResetModel()
        self._rows = list(rows or [])
        self.endResetModel()

    def append(self, item: Any) -> None:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(item)
        self.endInsertRows()

    def remove(self, item: Any) -> bool:
        """Drop the row holding `item`; False when it is not (or no longer) shown."""
        row = self.row_of(item)
        if row < 0:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        return True

    def repaint_row(self, row: int) -> None:
        """Tell the views every cell of `row` changed (the row object was edited in place)."""
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def repaint(self, item: Any) -> None:
        row = self.row_of(item)
        if row >= 0:
            self.repaint_row(row)

    # -- what a subclass says --------------------------------------------------------------------
    def cell(self, item: Any, column: int, role: int) -> Any:
        """What the cell of `item` in `column` shows for `role`; None for nothing."""
        raise NotImplementedError

    # -- Qt model --------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.HEADERS):
                return self.HEADERS[section]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)
