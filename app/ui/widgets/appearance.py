"""The window's look as the user chose it: the light, dark or system palette, and a focus ring.

Why: a keyboard user must see where the focus is on every control (Fusion marks a focused
table, text area or flat tool button faintly or not at all), and a user on a light desktop may
want a dark window (or the reverse). Both are set on the QApplication, so every window and
dialog follows, and widgets that build colours from the palette (theme.py) follow a change.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.ui.widgets import theme

THEMES = {"system": "System", "light": "Light", "dark": "Dark"}

_system_palette: QPalette | None = None  # the desktop's palette, as found before the first change


def _dark_palette() -> QPalette:
    pal = QPalette()
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#1e1f22", roles.WindowText: "#e8eaed", roles.Base: "#2a2c30",
        roles.AlternateBase: "#313338", roles.Text: "#e8eaed", roles.Button: "#2c2e31",
        roles.ButtonText: "#e8eaed", roles.Highlight: "#3d6fd1", roles.HighlightedText: "#ffffff",
        roles.ToolTipBase: "#2c2e31", roles.ToolTipText: "#e8eaed", roles.PlaceholderText: "#9aa0a6",
        roles.Link: "#8ab4f8", roles.BrightText: "#ff8a80", roles.Light: "#3c4043", roles.Midlight: "#34363a",
        roles.Mid: "#2a2c2f", roles.Dark: "#111214", roles.Shadow: "#000000",
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f7378"))
    return pal


def _light_palette() -> QPalette:
    app = QApplication.instance()
    return app.style().standardPalette() if app is not None else QPalette()


def focus_style() -> str:
    """A 2 px ring in the highlight colour on whatever has the keyboard focus."""
    ring = theme.css(theme.status_color("accent"))
    return f"""
QAbstractItemView:focus, QPlainTextEdit:focus, QTextEdit:focus, QAbstractScrollArea:focus {{
    border: 2px solid {ring}; }}
QToolButton:focus, QCheckBox:focus, QRadioButton:focus {{ outline: none; border: 2px solid {ring};
    border-radius: 3px; }}
QPushButton:focus {{ outline: none; border: 2px solid {ring}; border-radius: 4px; padding: 1px 4px; }}
QComboBox:focus, QLineEdit:focus, QAbstractSpinBox:focus {{ border: 2px solid {ring}; border-radius: 3px;
    padding: 1px 4px; }}
QTabBar::tab:focus {{ border: 2px solid {ring}; }}
"""


def apply_theme(choice: str) -> str:
    """Set the palette for `choice` ("system", "light" or "dark"; anything else is "system") and the
    focus ring; returns the choice applied."""
    global _system_palette
    app = QApplication.instance()
    if app is None:
        return "system"
    if _system_palette is None:
        _system_palette = QPalette(app.palette())
    choice = choice if choice in THEMES else "system"
    pal = {"dark": _dark_palette, "light": _light_palette}.get(choice, lambda: QPalette(_system_palette))()
    app.setPalette(pal)
    app.setStyleSheet(focus_style())  # after the palette: the ring's colour follows it
    return choice
