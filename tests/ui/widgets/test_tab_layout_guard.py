"""A label changing its text inside a tab repaints the label, not the whole window; a page that
changes size is still laid out."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.ui.widgets.tab_layout_guard import guard_tab_layout


class Paints(QObject):
    def __init__(self, widget: QWidget):
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _tabs(qtbot, guarded: bool):
    tabs = QTabWidget()
    if guarded:
        guard_tab_layout(tabs)
    splitter = QSplitter()
    page = QWidget()
    label = QLabel("0 ingested")
    QVBoxLayout(page).addWidget(label)
    sibling = QPushButton("a button beside it")
    splitter.addWidget(page)
    splitter.addWidget(sibling)
    tabs.addTab(splitter, "Files")
    tabs.addTab(QWidget(), "History")
    qtbot.addWidget(tabs)
    tabs.resize(600, 400)
    tabs.show()
    qtbot.waitExposed(tabs)
    return tabs, label, sibling


def _paints_of_sibling_while_text_changes(qtbot, guarded: bool) -> int:
    tabs, label, sibling = _tabs(qtbot, guarded)
    qtbot.wait(50)
    paints = Paints(sibling)
    for i in range(10):
        label.setText(f"{i + 1:,} ingested")
        qtbot.wait(10)
    return paints.count


def test_a_changing_label_does_not_repaint_the_rest_of_the_tab(qtbot):
    # at most once: the guard lets the first request through, to learn the sizes
    assert _paints_of_sibling_while_text_changes(qtbot, guarded=True) <= 1


def test_without_the_guard_qt_repaints_the_whole_tab_widget_each_time(qtbot):
    """Why the guard exists: if a Qt release stops repainting, the test says so (the guard can go)."""
    assert _paints_of_sibling_while_text_changes(qtbot, guarded=False) >= 5


def test_a_page_that_grows_is_still_laid_out(qtbot):
    tabs, label, _ = _tabs(qtbot, guarded=True)
    before = tabs.minimumSizeHint().height()
    label.setMinimumHeight(700)
    qtbot.waitUntil(lambda: tabs.minimumSizeHint().height() >= 700, timeout=2000)
    assert tabs.minimumSizeHint().height() > before
    tabs.resize(600, 900)
    qtbot.waitUntil(lambda: tabs.currentWidget().height() >= 700, timeout=2000)
