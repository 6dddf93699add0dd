"""Is there a screen Qt can open a window on? Asked before Qt is: without one, Qt aborts the
whole process ("could not connect to display"), so the window and `--self-test` could only
crash (rc 134). Linux and the BSDs only; elsewhere the platform always has one."""

from __future__ import annotations

import os
import sys

# Qt platforms that need no display server (QT_QPA_PLATFORM may list several, "wayland;xcb").
_NO_SERVER = {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}


def missing_display(environ: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why no window can open here, in words a person can act on; None when one can."""
    if platform.startswith(("win", "darwin")):
        return None
    env = os.environ if environ is None else environ
    wanted = [p.split(":")[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";") if p.strip()]
    has = {"xcb": bool(env.get("DISPLAY")), "wayland": bool(env.get("WAYLAND_DISPLAY"))}
    if not wanted:  # Qt's own choice: Wayland when there is one, else X11
        wanted = ["wayland", "xcb"]
    for name in wanted:
        if name in _NO_SERVER or has.get(name.split("-")[0], False):
            return None
    return ("no display to open a window on: neither DISPLAY (X11) nor WAYLAND_DISPLAY is set"
            + (f" for QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}" if env.get("QT_QPA_PLATFORM") else "")
            + ". Run it in a desktop session, or set QT_QPA_PLATFORM=offscreen to check it without one.")
