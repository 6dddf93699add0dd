"""Captioned controls that take two to a row when there is room, and one to a row when not.

Why: a file card's settings in a fixed 4-column grid set the card's minimum width, so in a narrow
card column (a window 820 px wide, the splitter dragged left) the ×, Encoding and Zone ran off
the right edge, where the card list does not scroll. This grid gives its narrowest arrangement as
its minimum and re-arranges itself on resize.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

HSPACE = 8


class ReflowGrid(QWidget):
    """`add_pair(caption, control)` pairs, two a row when they fit; `add_pair(..., whole_row=True)`
    and `add_row(widget)` always take a row of their own (after the pairs before them)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(HSPACE)
        self.grid.setVerticalSpacing(4)
        self._items: list[tuple[QWidget | None, QWidget, bool]] = []  # caption, control, whole row
        self._columns = 0  # pairs a row as last arranged
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_margins(self, left: int, top: int, right: int, bottom: int) -> None:
        self.grid.setContentsMargins(left, top, right, bottom)

    def add_pair(self, caption: QWidget, control: QWidget, whole_row: bool = False) -> None:
        """A caption and its control; a QLabel caption is the control's buddy, which is what a
        screen reader on Linux reads as a combo box's label (tests/ui/test_atspi.py)."""
        if isinstance(caption, QLabel):
            caption.setBuddy(control)
        self._items.append((caption, control, whole_row))
        self._arrange(self._columns or 2)

    def add_row(self, widget: QWidget) -> None:
        self._items.append((None, widget, True))
        self._arrange(self._columns or 2)

    # -- sizes --------------------------------------------------------------------------------
    def _rows(self, columns: int) -> list[list[tuple[QWidget | None, QWidget, bool]]]:
        """The items row by row, `columns` pairs a row (a hidden control keeps its slot)."""
        rows: list[list] = []
        current: list = []
        for item in self._items:
            if item[2]:
                if current:
                    rows.append(current)
                rows.append([item])
                current = []
                continue
            current.append(item)
            if len(current) == columns:
                rows.append(current)
                current = []
        if current:
            rows.append(current)
        return rows

    def _width_of(self, columns: int) -> int:
        """The narrowest width that holds the items `columns` pairs a row."""
        m = self.grid.contentsMargins()
        need = 0
        for row in self._rows(columns):
            shown = [(cap, ctl) for cap, ctl, _ in row if ctl.isVisibleTo(self)]
            width = sum(_min_width(cap) + _min_width(ctl) for cap, ctl in shown)
            gaps = sum(1 for cap, _ in shown if cap is not None) + len(shown) - 1
            need = max(need, width + HSPACE * max(0, gaps))
        return need + m.left() + m.right()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 — the narrowest arrangement: one pair a row
        return QSize(self._width_of(1), self.grid.minimumSize().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.reflow()

    def event(self, event) -> bool:
        done = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a control shown or hidden: room for two?
            self.reflow()
        return done

    def reflow(self) -> None:
        """Two pairs a row when this width holds them, else one."""
        self._arrange(2 if self.width() >= self._width_of(2) else 1)

    # -- layout -------------------------------------------------------------------------------
    def _arrange(self, columns: int) -> None:
        if columns == self._columns and all(self.grid.indexOf(c) >= 0 for _, c, _ in self._items):
            return
        self._columns = columns
        for caption, control, _ in self._items:
            for w in (caption, control):
                if w is not None and self.grid.indexOf(w) >= 0:
                    self.grid.removeWidget(w)
        last = 2 * columns  # columns of the grid: caption, control (, caption, control)
        for r, row in enumerate(self._rows(columns)):
            for slot, (caption, control, whole) in enumerate(row):
                if whole and caption is None:
                    self.grid.addWidget(control, r, 0, 1, last)
                    continue
                self.grid.addWidget(caption, r, 2 * slot)
                self.grid.addWidget(control, r, 2 * slot + 1, 1, last - 1 if whole else 1)
        for col in range(4):
            self.grid.setColumnStretch(col, 1 if col % 2 and col < last else 0)
        self.updateGeometry()


def _min_width(w: QWidget | None) -> int:
    if w is None:
        return 0
    return max(w.minimumSizeHint().width(), w.minimumWidth())
