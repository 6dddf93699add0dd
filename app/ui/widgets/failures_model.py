"""The table of failed events (input line, reason, the event), in the queue's details and the
History tab alike."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.widgets.table_model import RowsTableModel


class FailuresModel(RowsTableModel):
    """Failed events: input line, reason, the event itself."""

    LINE, REASON, EVENT = range(3)
    HEADERS = ["Line", "Reason", "Event"]

    set_failures = RowsTableModel.set_rows

    def cell(self, f, col: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.LINE:
                return "—" if f.line is None else str(f.line)
            if col == self.REASON:
                return f.error or ""
            if col == self.EVENT:
                return (f.record or "").strip().replace("\n", " ⏎ ")[:300]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.LINE and f.line is None:
                return "The server did not say which event this was"
            if col == self.REASON:
                return f.error
            if col == self.EVENT:
                return (f.record or "")[:2000] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
