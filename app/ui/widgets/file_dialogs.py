"""The one "open files to send" dialog: Ctrl+O and Browse… offer the same filters and start in
the folder files were last added from (kept in the settings, so it survives a restart)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.io import COMPRESSED_SUFFIXES, SUPPORTED_SUFFIXES


def open_filter() -> str:
    """Every format the app reads, plain or compressed (*.log, *.gz, *.zst …), then all files."""
    patterns = " ".join(f"*{s}" for s in (*SUPPORTED_SUFFIXES, *COMPRESSED_SUFFIXES))
    return f"Data files ({patterns});;All files (*)"


def start_folder(settings) -> str:
    folder = Path(settings.last_folder) if getattr(settings, "last_folder", "") else None
    return str(folder if folder is not None and folder.is_dir() else Path.home())


def remember_folder(ctx, paths: list[str]) -> None:
    """Files were chosen: their folder is where the next dialog starts."""
    if not paths:
        return
    folder = str(Path(paths[0]).parent)
    if ctx.settings.last_folder != folder:
        ctx.settings.last_folder = folder
        ctx.save_settings()


def open_files_dialog(parent: QWidget, ctx, title: str, on_chosen: Callable[[list[str]], object]) -> QFileDialog:
    """Open (non-modal) the dialog; `on_chosen(paths)` once files are chosen. Returns the dialog."""
    dlg = QFileDialog(parent, title, start_folder(ctx.settings))
    dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dlg.setNameFilter(open_filter())

    def chosen(paths: list[str]) -> None:
        remember_folder(ctx, list(paths))
        on_chosen(list(paths))

    dlg.filesSelected.connect(chosen)
    dlg.open()
    return dlg
