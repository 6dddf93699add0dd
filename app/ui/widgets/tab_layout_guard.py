"""A label changing its text inside a tab does not repaint the whole tab widget.

Why: every layout request that reaches a QTabWidget from inside it (any QLabel.setText in one of
its pages posts one, up through every layout) makes it lay out its tab bar and pages again and
then repaint all of itself (QTabWidget::setUpLayout ends in update()). While three files
uploaded, the queue's totals and the details' summary changing ~10 times a second repainted the
whole window 285 times in 9 s: half of the GUI thread's time, and ticks up to 85 ms late. The
guard lets a request through only when something the tab widget lays out changed size.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QTabWidget


class TabLayoutGuard(QObject):
    """An event filter on one QTabWidget: layout requests that change none of its sizes are dropped."""

    def __init__(self, tabs: QTabWidget):
        super().__init__(tabs)
        self._last: tuple | None = None
        tabs.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.LayoutRequest or not isinstance(obj, QTabWidget):
            return False
        now = _sizes(obj)
        if now == self._last:
            return True  # the same sizes: setUpLayout would lay out the same and repaint everything
        self._last = now
        return False


def _sizes(tabs: QTabWidget) -> tuple:
    """What QTabWidget's layout depends on: its size, the tab bar's, the pages' and the corners'."""
    bar = tabs.tabBar()
    page = tabs.currentWidget()
    stack = page.parentWidget() if page is not None else None  # the tab widget's QStackedWidget
    corners = (tabs.cornerWidget(Qt.Corner.TopLeftCorner), tabs.cornerWidget(Qt.Corner.TopRightCorner))
    return (tabs.size(), tabs.count(), tabs.currentIndex(), bar.isVisibleTo(tabs), bar.sizeHint(),
            bar.minimumSizeHint(), *((stack.sizeHint(), stack.minimumSizeHint()) if stack is not None else ()),
            *(((w.isVisibleTo(tabs), w.sizeHint()) if w is not None else None) for w in corners))


def guard_tab_layout(tabs: QTabWidget) -> QTabWidget:
    """Install the guard on `tabs` (kept alive by it); returns `tabs`."""
    TabLayoutGuard(tabs)
    return tabs
