"""Every visible control of the main window has an accessible name (#14): what a screen reader
says for it (Qt's accessibility interface, as AT-SPI reads it), never nothing."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit,
    QHeaderView, QTabBar, QTextEdit, QWidget,
)

from app.core.job import Source
from tests.ui.history.test_resume_history import DATASET, ndjson_file, plan_for

INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit,
               QTextEdit, QAbstractSlider, QTabBar)


def accessible_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return (iface.text(QAccessible.Text.Name) if iface is not None else "").strip()


def unnamed(window) -> list[str]:
    out = []
    for w in window.findChildren(QWidget):
        if not isinstance(w, INTERACTIVE) or not w.isVisible() or w.window() is not window:
            continue
        if isinstance(w, QLineEdit) and isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue  # the editor inside a combo or spin box: the box carries the name
        if isinstance(w, QHeaderView) or w.objectName() == "qt_tableview_cornerbutton":
            continue  # parts of a table: AT-SPI reads the headers as the table's column names
        if not accessible_name(w):
            out.append(f"{type(w).__name__} {w.objectName() or ''} in {type(w.parentWidget()).__name__}"
                       f" (tooltip {w.toolTip()!r})")
    return out


def test_every_visible_control_has_an_accessible_name(window, ctx, tmp_path, qtbot, run_until):
    ctx.set_dataset(DATASET)
    sent = ndjson_file(tmp_path / "sent.ndjson", 20, bad=(2,))
    [entry] = window.queue_panel.add_jobs([(Source.from_path(sent), plan_for(sent))])
    run_until(qtbot, lambda: entry.is_finished, 20000)
    window.queue_panel.select(entry)
    window.add_paths([str(ndjson_file(tmp_path / "new.ndjson", 5))])
    panel = window.drop_panel
    run_until(qtbot, lambda: panel.cards() and panel.cards()[0].sendable, 10000)
    panel.select(panel.cards()[0])
    run_until(qtbot, lambda: panel.preview.model.rowCount() == 5, 10000)

    problems = unnamed(window)  # the Files tab: cards, preview, queue, details
    window.tabs.setCurrentWidget(window.paste_tab)
    problems += unnamed(window)
    window.tabs.setCurrentWidget(window.history_tab)
    window.history_tab.reload()
    run_until(qtbot, lambda: window.history_tab.rows(), 10000)
    window.history_tab.select_row(0)
    problems += unnamed(window)
    assert sorted(set(problems)) == [], "\n".join(sorted(set(problems)))
