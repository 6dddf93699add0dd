"""Sizing a panel inside the Files tab's vertical splitter (the drop zone above, the queue below)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget


def share_parent_splitter(widget: QWidget, share: float | None, small: int = 110) -> None:
    """Size `widget` inside the vertical splitter that holds it (the window's Files tab): a share
    of the height, or `small` pixels when share is None. Does nothing elsewhere."""
    outer = widget.parentWidget()
    if not isinstance(outer, QSplitter) or outer.orientation() != Qt.Orientation.Vertical or outer.count() != 2:
        return
    i = outer.indexOf(widget)
    sizes = outer.sizes()
    total = sum(sizes)
    if i < 0 or total <= 0:
        return
    mine = int(total * share) if share is not None else min(small, total // 4)
    sizes[i], sizes[1 - i] = mine, total - mine
    outer.setSizes(sizes)
