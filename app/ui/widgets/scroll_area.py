"""A QScrollArea a screen reader cannot crash.

Qt's accessible scroll area (QAccessibleAbstractScrollArea, every Qt 6 up to 6.12) answers
child(i) with `accessibleChildren().at(i)` and no bounds check, and its children come and go
with the scroll bars. A screen reader that counted them before the bar hid asks for an index
that is gone and the app dies with SIGSEGV (seen in tests/ui/test_atspi.py when Send removed
the cards). ScrollArea is given Qt's plain QAccessibleWidget instead, which checks the index."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAccessibleWidget, QScrollArea, QWidget

_installed = False


def _accessible(key: str, obj) -> QAccessibleWidget | None:
    if key == "ScrollArea" and isinstance(obj, QWidget):
        return QAccessibleWidget(obj, QAccessible.Role.Client)  # Qt's cache owns and deletes it
    return None


def install_accessible() -> None:
    """Once per process, before any ScrollArea is asked for its accessible interface."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_accessible)
        _installed = True


class ScrollArea(QScrollArea):
    """Use this instead of QScrollArea in the app."""

    def __init__(self, parent: QWidget | None = None) -> None:
        install_accessible()
        super().__init__(parent)
