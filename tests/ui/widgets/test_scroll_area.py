"""A screen reader's stale child index must not crash the window (Qt's accessible scroll area
reads past its list): the cards column answers "no such child" instead."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from PySide6.QtGui import QAccessible

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_the_cards_column_answers_a_child_index_past_its_end_with_none(window, qtbot):
    scroll = window.drop_panel.cards_scroll
    iface = QAccessible.queryAccessibleInterface(scroll)
    n = iface.childCount()
    assert n >= 1 and iface.child(0) is not None  # the viewport, as before
    assert iface.child(n) is None and iface.child(n + 100_000) is None  # Qt's own one reads past its list


def test_a_plain_qscrollarea_still_crashes_so_the_app_uses_none():
    """Why ScrollArea exists: if a Qt release fixes this, the test says so (and ScrollArea can go)."""
    code = ("import sys\nfrom PySide6.QtWidgets import QApplication, QScrollArea\nfrom PySide6.QtGui import QAccessible\n"
            "app = QApplication(sys.argv)\nw = QScrollArea(); w.show(); app.processEvents()\n"
            "i = QAccessible.queryAccessibleInterface(w)\ni.child(i.childCount() + 100000)\nprint('survived')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert proc.returncode != 0 and "survived" not in proc.stdout, "Qt fixed QAccessibleAbstractScrollArea::child"
    used = [str(p.relative_to(ROOT)) for p in (ROOT / "app" / "ui").rglob("*.py")
            if "QScrollArea(" in p.read_text() and p.name != "scroll_area.py"]
    assert used == [], f"use app.ui.widgets.scroll_area.ScrollArea, not QScrollArea: {used}"
