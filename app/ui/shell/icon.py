"""The app's icon, for the window and the application (its own module: main and main_window both need it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

ICON_PATH = Path(__file__).resolve().parents[2] / "resources" / "icon.svg"


def app_icon() -> QIcon:
    return QIcon(str(ICON_PATH))
