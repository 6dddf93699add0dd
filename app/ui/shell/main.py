"""Start the window: one QApplication, one asyncio loop on Qt's (qasync), run until it closes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")  # qasync must pick PySide6, not a PyQt that happens to be installed

from PySide6.QtGui import QGuiApplication  # noqa: E402  (PySide6 before qasync)
from PySide6.QtWidgets import QApplication  # noqa: E402

import asyncio  # noqa: E402

import qasync  # noqa: E402

import app  # noqa: E402
from app.ui.shell.icon import app_icon  # noqa: E402


def run_app(argv: list[str]) -> int:
    """Open the window; file paths among the arguments are added to the drop zone."""
    from app.ui.shell.display import missing_display

    if (why := missing_display()) is not None:
        print(f"axiom-drop: {why}", file=sys.stderr)
        return 2
    qt_app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "axiom-drop"])
    qt_app.setApplicationName(app.APP_NAME)
    qt_app.setApplicationDisplayName(app.APP_NAME)
    qt_app.setOrganizationName("Axiom")
    qt_app.setOrganizationDomain("axiom.co")
    qt_app.setApplicationVersion(app.__version__)
    QGuiApplication.setDesktopFileName(app.APP_ID)  # Wayland: the right icon and name, not "python3"
    qt_app.setWindowIcon(app_icon())
    # The window decides when to quit (after the async side has shut down), not Qt.
    qt_app.setQuitOnLastWindowClosed(False)

    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)

    from app.ui.context import AppContext
    from app.ui.shell.main_window import MainWindow

    ctx = AppContext()
    window = MainWindow(ctx)
    window.setWindowIcon(app_icon())
    window.show()
    paths = [a for a in argv if not a.startswith("-") and Path(a).exists()]
    if paths:
        window.add_paths(paths)

    with loop:
        loop.run_until_complete(window.closed)
    return 0
