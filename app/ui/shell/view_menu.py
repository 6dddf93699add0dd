"""The View menu: the window's theme (the system's, light or dark), kept in the settings."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup

from app.ui.widgets.appearance import THEMES, apply_theme


def set_theme(window, choice: str) -> None:
    ctx = window.ctx
    choice = apply_theme(choice)
    if ctx.settings.theme != choice:
        ctx.settings.theme = choice
        ctx.save_settings()
    for key, action in window.theme_actions.items():
        action.setChecked(key == choice)


def install_view_menu(window) -> dict[str, QAction]:
    menu = window.menuBar().addMenu("&View")
    themes = menu.addMenu("&Theme")
    group = QActionGroup(window)
    group.setExclusive(True)
    window.theme_actions = {}
    current = window.ctx.settings.theme if window.ctx.settings.theme in THEMES else "system"
    for key, label in THEMES.items():
        action = QAction(f"&{label}", window)
        action.setCheckable(True)
        action.setChecked(key == current)
        action.setStatusTip({"system": "Follow the desktop's colours", "light": "Light colours",
                             "dark": "Dark colours"}[key])
        action.triggered.connect(lambda _checked=False, k=key: set_theme(window, k))
        group.addAction(action)
        themes.addAction(action)
        window.theme_actions[key] = action
    return window.theme_actions
