"""The Paste JSON tab's list of past sends (app.core.paste.HistoryEntry), newest first."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from app.core.paste import HistoryEntry


def entry_label(e: HistoryEntry) -> str:
    """Two lines: when, where and how it went; then the start of the text."""
    when = datetime.fromtimestamp(e.time).strftime("%Y-%m-%d %H:%M")
    outcome = f"error: {e.error}" if e.error else f"{e.ingested} ingested, {e.failed} failed"
    return f"{when} → {e.dataset}  ({outcome})\n{e.summary}"


class HistoryModel(QAbstractListModel):
    """One row a past send, newest first. UserRole gives the HistoryEntry."""

    EntryRole = Qt.UserRole + 1
    SearchRole = Qt.UserRole + 2

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: list[HistoryEntry] = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.entries)):
            return None
        e = self.entries[index.row()]
        if role == Qt.DisplayRole:
            return entry_label(e)
        if role == Qt.ToolTipRole:
            return f"{e.events} events, {e.size:,} bytes sent to {e.dataset} on {e.profile}" + (
                "" if e.text is not None else "\n(too large to keep: cannot be sent again)")
        if role == Qt.AccessibleTextRole:
            return entry_label(e).replace("\n", " ")
        if role == self.EntryRole:
            return e
        if role == self.SearchRole:
            return f"{e.dataset} {e.profile} {e.summary} {(e.text or '')[:20000]}"
        return None

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def prepend(self, entry: HistoryEntry) -> None:
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.entries.insert(0, entry)
        self.endInsertRows()
