"""Where the app keeps things: settings, the journal (history and resume), the paste history,
logs, and the local sandbox's storage — its size, a way to open its folder, and a way to clear
it (after a confirmation: what the sandbox stored is deleted, nothing else)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from app.core import config, journal, paste
from app.ui.widgets import desktop
from app.ui.widgets.formatting import human_bytes


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under `folder` (0, 0 when it does not exist)."""
    total = count = 0
    if folder.is_dir():
        for p in folder.rglob("*"):
            try:
                if p.is_file():
                    total += p.stat().st_size
                    count += 1
            except OSError:
                continue
    return total, count


def clear_sandbox_storage(ctx) -> None:
    """Delete every dataset the local sandbox stored (the running one, if any, forgets them too)."""
    sandbox = ctx.local_sandbox()
    if sandbox is not None:
        sandbox.reset()
        return
    from app.sandbox.store import DatasetStore

    DatasetStore(config.sandbox_dir()).clear()


class StorageDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Where your data is")
        self.confirm_clear = self._confirm_clear  # tests replace it: () -> bool
        form = QFormLayout()
        rows = [("Settings", config.settings_path()), ("Journal (history, resume)", journal.db_path()),
                ("Pasted sends", paste.history_path()), ("Logs", config.log_dir())]
        for label, path in rows:
            form.addRow(label, self._path_row(Path(path)))
        self.sandbox_dir = Path(ctx.local_sandbox().data_dir) if ctx.local_sandbox() is not None \
            else config.sandbox_dir()
        self.size_label = QLabel(self)
        self.size_label.setAccessibleName("Local sandbox storage size")
        self.clear_button = QPushButton("Clear sandbox storage…", self)
        self.clear_button.setToolTip("Delete every dataset and event the local sandbox stored")
        self.clear_button.clicked.connect(self.clear)
        sandbox_row = QHBoxLayout()
        sandbox_row.addWidget(self._path_row(self.sandbox_dir), 1)
        form.addRow("Local sandbox", sandbox_row)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_label, 1)
        size_row.addWidget(self.clear_button)
        form.addRow("", size_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.refresh()
        self.resize(720, self.sizeHint().height())

    def _path_row(self, path: Path) -> QWidget:
        row = QWidget(self)
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        label = QLabel(str(path), row)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(str(path))
        button = QPushButton("Open folder", row)
        button.setAccessibleName(f"Open the folder of {path.name}")
        button.clicked.connect(lambda: desktop.open_folder(path if path.is_dir() else path.parent))
        h.addWidget(label, 1)
        h.addWidget(button)
        return row

    def refresh(self) -> None:
        size, files = folder_size(self.sandbox_dir)
        datasets = len(list(self.sandbox_dir.glob("*.ndjson"))) if self.sandbox_dir.is_dir() else 0
        self.size_label.setText(f"{human_bytes(size)} in {datasets} dataset{'s' if datasets != 1 else ''}"
                                f" ({files} file{'s' if files != 1 else ''})")
        self.clear_button.setEnabled(files > 0)

    def _confirm_clear(self) -> bool:
        answer = QMessageBox.warning(
            self, "Clear the local sandbox",
            f"Delete everything the local sandbox stored ({self.size_label.text()})? "
            "Its datasets and events are gone for good; nothing sent to Axiom is touched.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def clear(self) -> bool:
        if not self.confirm_clear():
            return False
        clear_sandbox_storage(self.ctx)
        self.refresh()
        self.ctx.status("Cleared the local sandbox's storage", 5000)
        if self.ctx.profile().kind == "sandbox":
            self.ctx.reconnect()  # the dataset list, again
        return True
