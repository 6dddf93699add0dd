"""Colours that stay readable on light and dark palettes.

Why: hard-coded light-theme colours (a pale yellow row, dark-red text) become illegible on a
dark desktop palette. Everything here is derived from the current application palette at the
moment it is asked, so the window follows a palette change without a restart.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette

# (light palette, dark palette): the dark ones are lighter and less saturated, so they keep
# roughly the same contrast against a dark Base as the light ones have against white.
_STATUS = {
    "error": ("#b41e1e", "#ff8a80"),
    "warning": ("#9a5a00", "#f0b050"),
    "success": ("#147828", "#6fcf7f"),
    "accent": ("#2f6fde", "#6ea2ff"),
}


def palette() -> QPalette:
    app = QGuiApplication.instance()
    return app.palette() if app is not None else QPalette()


def is_dark(pal: QPalette | None = None) -> bool:
    """A dark palette: its window colour is darker than its text colour."""
    pal = pal or palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < pal.color(QPalette.ColorRole.WindowText).lightness()


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """`a` moved a fraction `t` toward `b` (alpha kept from `a`)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
        a.alpha(),
    )


def status_color(kind: str, pal: QPalette | None = None) -> QColor:
    """Text colour for a status ("error", "warning", "success", "accent") on this palette's Base."""
    light, dark = _STATUS[kind]
    return QColor(dark if is_dark(pal) else light)


def status_brush(kind: str, pal: QPalette | None = None) -> QBrush:
    return QBrush(status_color(kind, pal))


def tint(kind: str, strength: float = 0.22, pal: QPalette | None = None,
         role: QPalette.ColorRole = QPalette.ColorRole.Base) -> QColor:
    """A background for marked cells/panels: the palette's `role` tinted with the status hue, so the
    palette's own Text colour stays readable on top of it in both light and dark themes."""
    pal = pal or palette()
    return mix(pal.color(role), QColor(_STATUS[kind][0 if not is_dark(pal) else 1]), strength)


def tint_brush(kind: str, strength: float = 0.22, pal: QPalette | None = None) -> QBrush:
    return QBrush(tint(kind, strength, pal))


def link_color(pal: QPalette | None = None) -> QColor:
    """The palette's Link colour when it stands out from the window, else the accent: a dark
    palette that leaves Link at the default blue would make links all but invisible."""
    pal = pal or palette()
    link = pal.color(QPalette.ColorRole.Link)
    window = pal.color(QPalette.ColorRole.Window)
    if abs(link.lightness() - window.lightness()) >= 90:
        return link
    return status_color("accent", pal)


def muted_color(pal: QPalette | None = None) -> QColor:
    """Secondary text (e.g. JSON null): the placeholder colour, which themes keep readable."""
    return (pal or palette()).color(QPalette.ColorRole.PlaceholderText)


def css(color: QColor) -> str:
    """A colour for style sheets and rich text (#rrggbb, or rgba() when translucent)."""
    if color.alpha() == 255:
        return color.name()
    return f"rgba({color.red()}, {color.green()}, {color.blue()}, {color.alpha()})"
