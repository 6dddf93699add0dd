"""The one way the window's tables look: read-only, whole rows selected, no row numbers, one line a row."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableView

Selection = QAbstractItemView.SelectionMode


def rows_table_view(model, parent=None, *, selection: Selection = Selection.ExtendedSelection,
                    alternating: bool = False, row_padding: int | None = None) -> QTableView:
    """A QTableView over `model`; `row_padding`: rows this many pixels taller than the text."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(alternating)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move inside it
    if row_padding is not None:
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + row_padding)
    return view
