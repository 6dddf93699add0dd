"""The mouse wheel scrolls the list, not the setting under the pointer.

Why: scrolling a list of file cards with the wheel passed over a card's combo box and changed
it ("created" became "(none)", and 120 events were stored with the upload time). A guarded
control takes wheel events only once it has focus (clicked or tabbed to); otherwise the event
goes on to the scroll area around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSlider, QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


class WheelGuard(QObject):
    """An event filter: a wheel event over an unfocused control goes to the scroll area around it."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.Wheel or not isinstance(obj, QWidget) or obj.hasFocus():
            return False
        area = _scroll_area_of(obj)
        if area is None:
            event.ignore()  # not accepted: Qt offers it to the parent
            return True
        # Handed over explicitly (Qt does not pass a synthetic wheel event on to parents).
        viewport = area.viewport()
        pos = viewport.mapFromGlobal(event.globalPosition().toPoint())
        QApplication.sendEvent(viewport, QWheelEvent(
            pos.toPointF(), event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
            event.modifiers(), event.phase(), event.inverted(), event.source()))
        event.accept()
        return True  # the control itself never sees it


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


_GUARD: WheelGuard | None = None


def _guard() -> WheelGuard:
    global _GUARD
    if _GUARD is None:
        _GUARD = WheelGuard()
    return _GUARD


def guard_wheel(widget: QWidget) -> None:
    """Make `widget` take the wheel only with focus; it still takes focus on a click or Tab."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_guard())


def guard_wheel_in(root: QWidget) -> None:
    """Guard every combo box, spin box and slider under `root` (and `root` itself if it is one)."""
    if isinstance(root, GUARDED):
        guard_wheel(root)
    for cls in GUARDED:
        for child in root.findChildren(cls):
            guard_wheel(child)
