"""The Help menu: keyboard shortcuts, where the data and the journal live (with the local
sandbox's storage), and About (the version and the licences of the libraries it bundles)."""

from __future__ import annotations

import html
import importlib.metadata as metadata
import platform

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import app
from app.ui.shell.storage_dialog import StorageDialog

# The libraries the app ships with (pyproject's dependencies and what they pull in).
BUNDLED = ("PySide6_Essentials", "shiboken6", "qasync", "httpx", "httpcore", "h11", "anyio", "sniffio", "idna",
           "certifi", "keyring", "zstandard", "orjson", "ijson", "charset-normalizer", "clevercsv", "platformdirs",
           "aiohttp")


def licences() -> list[tuple[str, str, str]]:
    """(name, version, licence) of each bundled library that is installed."""
    out = []
    for dist in BUNDLED:
        try:
            md = metadata.metadata(dist)
        except metadata.PackageNotFoundError:
            continue
        classifiers = [c.split("::")[-1].strip() for c in md.get_all("Classifier") or [] if c.startswith("License ::")]
        licence = (md.get("License-Expression") or ", ".join(classifiers)
                   or (md.get("License") or "").strip().split("\n")[0][:60])
        out.append((md["Name"], md["Version"], licence or "see its package"))
    return out


def about_html() -> str:
    rows = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(v)}</td><td>{html.escape(lic)}</td></tr>"
                   for n, v, lic in licences())
    return (f"<h2>{html.escape(app.APP_NAME)} {html.escape(app.__version__)}</h2>"
            "<p>Drop JSON, NDJSON, CSV and log files and send them to an Axiom dataset.</p>"
            f"<p>Python {html.escape(platform.python_version())} · {html.escape(platform.system())}</p>"
            "<h3>Bundled libraries and their licences</h3>"
            f"<table cellspacing='0' cellpadding='3'><tr><th align='left'>Library</th><th align='left'>Version</th>"
            f"<th align='left'>Licence</th></tr>{rows}</table>"
            "<p>Qt for Python (PySide6) is used under the LGPL 3.0; its source is at qt.io.</p>")


def shortcuts(window) -> list[tuple[str, str]]:
    """(what, keys) of every action with a shortcut in the window (menus and the History tab)."""
    seen, out = set(), []
    history_actions = window.history_tab.actions()
    for action in [*window.actions(), *history_actions]:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        what = action.text().replace("&", "").rstrip("…") + (" (History tab)" if action in history_actions else "")
        if keys and (what, keys) not in seen:
            seen.add((what, keys))
            out.append((what, keys))
    out.append(("Move between controls", "Tab / Shift+Tab"))
    out.append(("Move inside a table", "Arrow keys"))
    out.append(("A History entry's actions", "Menu key"))
    return out


def shortcuts_html(window) -> str:
    rows = "".join(f"<tr><td>{html.escape(w)}</td><td><b>{html.escape(k)}</b></td></tr>" for w, k in shortcuts(window))
    return f"<h3>Keyboard shortcuts</h3><table cellspacing='0' cellpadding='3'>{rows}</table>"


class TextDialog(QDialog):
    """A read-only page of text, sized for it, closed with Esc or Close."""

    def __init__(self, parent: QWidget, title: str, body: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QTextBrowser(self)
        self.text.setAccessibleName(title)
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 480)


def install_help_menu(window) -> dict[str, QAction]:
    """Adds the Help menu to `window`'s menu bar; returns its actions by name."""
    menu = window.menuBar().addMenu("&Help")
    actions = {}

    def add(key: str, text: str, shortcut, slot) -> None:
        action = QAction(text, window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        window.addAction(action)
        menu.addAction(action)
        actions[key] = action

    def show(dialog: QDialog) -> QDialog:
        window._help_dialog = dialog
        dialog.open()
        return dialog

    add("shortcuts", "&Keyboard shortcuts", QKeySequence.StandardKey.HelpContents,
        lambda: show(TextDialog(window, "Keyboard shortcuts", shortcuts_html(window))))
    add("data", "Where your &data is…", None, lambda: show(StorageDialog(window.ctx, window)))
    menu.addSeparator()
    add("about", f"&About {app.APP_NAME}", None, lambda: show(TextDialog(window, f"About {app.APP_NAME}",
                                                                           about_html())))
    actions["about"].setMenuRole(QAction.MenuRole.AboutRole)
    return actions
