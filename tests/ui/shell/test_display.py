"""Without a display Qt aborts the process; the window and --self-test ask first (issue #11 §5)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.ui.shell.display import missing_display


@pytest.mark.parametrize("env, ok", [
    ({}, False),
    ({"DISPLAY": ":0"}, True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, True),
    ({"QT_QPA_PLATFORM": "offscreen"}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, False),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":1"}, True),
    ({"QT_QPA_PLATFORM": "wayland-egl", "WAYLAND_DISPLAY": "w"}, True),
])
def test_which_environments_can_open_a_window(env, ok):
    why = missing_display(env, platform="linux")
    assert (why is None) == ok, why
    if not ok:
        assert "DISPLAY" in why and "QT_QPA_PLATFORM=offscreen" in why


def test_other_platforms_always_have_a_screen():
    assert missing_display({}, platform="win32") is None and missing_display({}, platform="darwin") is None


def no_display_env():
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def test_self_test_without_a_display_prints_a_failed_line_instead_of_aborting():
    proc = subprocess.run([sys.executable, "-m", "app", "--self-test"], capture_output=True, text=True,
                          env=no_display_env(), timeout=120)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-500:])
    assert any(line.startswith("FAILED   qt") and "no display" in line for line in proc.stdout.splitlines())
    assert "self-test FAILED (1 check)" in proc.stdout


def test_the_window_without_a_display_says_why_and_exits_2():
    proc = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True,
                          env=no_display_env(), timeout=120)
    assert proc.returncode == 2 and "no display to open a window on" in proc.stderr
