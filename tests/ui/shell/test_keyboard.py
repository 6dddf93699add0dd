"""The window with the keyboard alone (#14): Tab moves between controls (it no longer walks the
preview table cell by cell), the arrow keys move inside a table, and every control shows a focus ring."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox

NDJSON = b'{"_time":"2024-01-02T03:04:05Z","a":1,"b":2,"c":3}\n' * 5


def _focus(qtbot, widget):
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=3000)


def _window_with_a_preview(window, tmp_path, qtbot, run_until):
    p = tmp_path / "five.ndjson"
    p.write_bytes(NDJSON)
    window.add_paths([str(p)])
    panel = window.drop_panel
    run_until(qtbot, lambda: len(panel.cards()) == 1 and panel.cards()[0].sendable, 10000)
    panel.select(panel.cards()[0])
    run_until(qtbot, lambda: panel.preview.model.rowCount() == 5, 10000)
    return panel


def test_tab_leaves_the_preview_table_and_arrows_move_inside_it(window, tmp_path, qtbot, run_until):
    panel = _window_with_a_preview(window, tmp_path, qtbot, run_until)
    view = panel.preview.view
    _focus(qtbot, view)
    view.setCurrentIndex(view.model().index(0, 0))

    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, 1)

    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert not view.hasFocus()
    assert QApplication.focusWidget() is not None
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert view.hasFocus()


def test_tab_leaves_the_json_editor(window, qtbot):
    window.tabs.setCurrentWidget(window.paste_tab)
    editor = window.paste_tab.editor
    _focus(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert not editor.hasFocus()
    assert "\t" not in editor.toPlainText()


def test_every_kind_of_control_shows_a_focus_ring(window, tmp_path, qtbot, run_until):
    panel = _window_with_a_preview(window, tmp_path, qtbot, run_until)
    card = panel.cards()[0]
    controls = [panel.preview.view, card.format_combo, card.why_button, card.remove_button, panel.send_button,
                panel.clear_button, window.connection_bar.findChild(QComboBox)]
    for control in controls:
        assert control.isVisible(), control
        _focus(qtbot, control)
        focused = control.grab().toImage()
        panel.setFocus(Qt.FocusReason.OtherFocusReason)
        control.clearFocus()
        qtbot.waitUntil(lambda: not control.hasFocus(), timeout=3000)
        unfocused = control.grab().toImage()
        assert focused != unfocused, f"{control.accessibleName() or control.objectName() or control} has no focus ring"
