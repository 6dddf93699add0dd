"""Text put into rich-text labels: escaped, and the error colour of the current palette."""

from __future__ import annotations

from app.ui.widgets import theme


def esc(text: str | None) -> str:
    """The text shown as it is: &, < and > do not become markup."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def error_css() -> str:
    return theme.css(theme.status_color("error"))
