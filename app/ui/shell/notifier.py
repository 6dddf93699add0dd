"""A desktop notification when the uploads finish while the window is not in front.

Why: a long upload is left to run in the background; the user should hear when it is done (and
how it went) without watching the window. Notifications go through a small interface
(`Notifier.notify(title, text, problem)`): the tray's balloon (QSystemTrayIcon.showMessage, which
on Linux desktops is the freedesktop notification service) when there is a tray, else the
taskbar's attention mark (QApplication.alert). Tests pass a notifier of their own.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from app.core.queue import totals
from app.ui.shell.icon import app_icon


class Notifier(Protocol):
    def notify(self, title: str, text: str, problem: bool = False) -> None: ...


class DesktopNotifier:
    """The tray balloon where the desktop has a tray, else the taskbar's attention mark."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        self.tray: QSystemTrayIcon | None = None

    def notify(self, title: str, text: str, problem: bool = False) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self.tray is None:
                self.tray = QSystemTrayIcon(app_icon(), self.window)
                self.tray.setToolTip(title)
                self.tray.messageClicked.connect(self._raise_window)
            self.tray.show()
            icon = QSystemTrayIcon.MessageIcon.Warning if problem else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, text, icon, 10000)
        else:
            QApplication.alert(self.window, 0)

    def _raise_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()


def finished_text(entries: list) -> tuple[str, str, bool]:
    """(title, text, problem) for the uploads that just finished, with the counts."""
    t = totals(entries)
    n = len(entries)
    names = entries[0].name if n == 1 else f"{n} uploads"
    datasets = sorted({e.dataset for e in entries if e.dataset})
    problem = bool(t["failed"] or t["not_sent"])
    title = f"{names} finished" + (" with problems" if problem else "")
    parts = [f"{t['ingested']:,} events ingested"]
    if t["failed"]:
        parts.append(f"{t['failed']:,} failed")
    if t["not_sent"]:
        parts.append(f"{t['not_sent']:,} not sent")
    if t["possible_duplicates"]:
        parts.append(f"{t['possible_duplicates']:,} possibly stored twice")
    to = f" into {', '.join(datasets)}" if datasets and len(datasets) <= 3 else ""
    return title, ", ".join(parts) + to, problem


class FinishWatcher:
    """Collects the uploads that finish; once none is left running, and the window is not the
    active one, says how they went (one notification for the lot)."""

    def __init__(self, window, queue_panel, notifier: Notifier | None = None) -> None:
        self.window = window
        self.queue_panel = queue_panel
        self.notifier: Notifier = notifier or DesktopNotifier(window)
        self._done: list = []
        queue_panel.model.jobFinished.connect(self._finished)

    def _finished(self, entry) -> None:
        if all(e is not entry for e in self._done):
            self._done.append(entry)
        if any(not e.is_finished for e in self.queue_panel.entries()):
            return  # more to come: one notification when all are done
        done, self._done = self._done, []
        if self.window.isActiveWindow():
            return  # the user is looking: the queue shows it
        title, text, problem = finished_text(done)
        self.notifier.notify(title, text, problem)
