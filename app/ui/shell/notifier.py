"""A desktop notification when the uploads finish while the window is not in front.

Why: a long upload is left to run in the background; the user should hear when it is done (and
how it went) without watching the window. Notifications go through a small interface
(`Notifier.notify(title, text, problem)`): the tray's balloon (QSystemTrayIcon.showMessage, which
on Linux desktops is the freedesktop notification service) when there is a tray, else the
taskbar's attention mark (QApplication.alert). Tests pass a notifier of their own. What it says
(the counts, whether it went wrong) is app.core.progress.finished_summary.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from app.core.progress import finished_summary
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


class FinishWatcher:
    """Collects the uploads that finish; once none is left running, and the window is not the
    active one, says how they went (one notification for the lot)."""

    def __init__(self, window, queue_panel, notifier: Notifier | None = None) -> None:
        self.window = window
        self.queue_panel = queue_panel
        self.notifier: Notifier = notifier or DesktopNotifier(window)
        self._done: dict = {}  # the entries finished since the last notification, in order (a set's speed)
        queue_panel.model.jobFinished.connect(self._finished)

    def _finished(self, entry) -> None:
        self._done.setdefault(entry, None)
        # From the end: the rows still to run are the last ones, so a queue of 2,000 files costs a
        # row or two per finish here, not every row (that made the folder's send quadratic).
        if any(not e.is_finished for e in reversed(self.queue_panel.entries())):
            return  # more to come: one notification when all are done
        done, self._done = list(self._done), {}
        if self.window.isActiveWindow():
            return  # the user is looking: the queue shows it
        title, text, problem = finished_summary(done)  # the words are core's
        self.notifier.notify(title, text, problem)
