"""The mouse wheel over a card's combo box scrolls the card list and leaves the setting alone (#14)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.ui.files.test_drop_panel import panel, settle  # noqa: F401 (fixture)

CREATED = b'{"created":"2024-01-02T03:04:05Z","msg":"a"}\n{"created":"2024-01-02T03:04:06Z","msg":"b"}\n'


def wheel_down(widget):
    centre = QPoint(widget.width() // 2, widget.height() // 2)
    event = QWheelEvent(QPointF(centre), QPointF(widget.mapToGlobal(centre)), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_wheel_over_an_unfocused_combo_scrolls_the_list_and_keeps_the_time_field(panel, tmp_path, qtbot, run_until):
    paths = []
    for i in range(8):
        p = tmp_path / f"events-{i}.ndjson"
        p.write_bytes(CREATED)
        paths.append(str(p))
    panel.resize(900, 400)
    panel.add_paths(paths)
    settle(panel, qtbot, run_until, 8)
    run_until(qtbot, lambda: all(c.timestamp_field() == "created" for c in panel.cards()))
    bar = panel.cards_scroll.verticalScrollBar()
    run_until(qtbot, lambda: bar.maximum() > 0)
    bar.setValue(0)
    combo = panel.cards()[1].timestamp_combo
    assert not combo.hasFocus()

    wheel_down(combo)
    wheel_down(panel.cards()[1].format_combo)

    assert combo.currentText() == "created" and panel.cards()[1].timestamp_field() == "created"
    assert panel.cards()[1].format() == "ndjson"
    assert bar.value() > 0  # the list scrolled instead


def test_wheel_changes_a_combo_the_user_has_focused(panel, tmp_path, qtbot, run_until):
    p = tmp_path / "one.ndjson"
    p.write_bytes(CREATED)
    panel.add_paths([str(p)])
    settle(panel, qtbot, run_until, 1)
    card = panel.cards()[0]
    run_until(qtbot, lambda: card.timestamp_field() == "created")
    combo = card.format_combo
    panel.window().activateWindow()
    combo.setFocus(Qt.FocusReason.MouseFocusReason)
    run_until(qtbot, combo.hasFocus)
    before = combo.currentIndex()
    wheel_down(combo)
    assert combo.currentIndex() != before
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_the_window_s_own_settings_ignore_a_passing_wheel(window):
    """The History tab's "Keep history for" (a change prunes history) and the profile box."""
    keep = window.history_tab.keep_spin
    window.tabs.setCurrentWidget(window.history_tab)
    before = keep.value()
    wheel_down(keep)
    assert keep.value() == before and keep.focusPolicy() == Qt.FocusPolicy.StrongFocus
    from PySide6.QtWidgets import QComboBox

    combos = window.connection_bar.findChildren(QComboBox) + window.dataset_picker.findChildren(QComboBox)
    assert combos
    window.tabs.tabBar().setFocus()  # the focus is elsewhere (a focused box does take the wheel)
    for combo in combos:
        assert not combo.hasFocus()
        before = combo.currentIndex()
        wheel_down(combo)
        assert combo.currentIndex() == before and combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
