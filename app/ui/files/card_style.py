"""The file card's style sheet, rebuilt from the palette (light and dark alike)."""

from __future__ import annotations

from PySide6.QtGui import QPalette

from app.ui.widgets import theme


def card_style() -> str:
    """The card's style sheet for the current palette: palette roles, plus status colours that
    theme.py keeps readable on dark palettes (a broken card is a faint red tint of Base)."""
    error = theme.css(theme.status_color("error"))
    edge = theme.css(theme.mix(theme.palette().color(QPalette.ColorRole.Base),
                               theme.palette().color(QPalette.ColorRole.Text), 0.3))
    return f"""
QFrame#fileCard {{ border: 1px solid {edge}; border-radius: 6px; background: palette(base); }}
QFrame#fileCard[selected="true"] {{ border: 2px solid palette(highlight); }}
QFrame#fileCard[broken="true"] {{ border: 1px solid {error}; background: {theme.css(theme.tint("error", 0.1))}; }}
QLabel#cardTitle {{ font-weight: 600; }}
QLabel#cardError {{ color: {error}; }}
QLabel#cardMuted {{ color: palette(placeholder-text); }}
"""
