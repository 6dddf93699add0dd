""""Set up continuous shipping…" for a finished upload: the Vector configuration core writes
(core/vector_config.py), saved where the user says, with how to run it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.queue import QueueEntry
from app.core.vector_config import (Destination, VectorExportError, default_secrets_dir, secret_instructions,
                                    vector_config)

TITLE = "Set up continuous shipping"


def can_export(entry: QueueEntry) -> bool:
    """A file (not a paste) whose upload finished: its settings are known to work."""
    return entry.source.path is not None and entry.result is not None


def vector_text(entry: QueueEntry, client) -> str:
    return vector_config([entry.source.path], entry.plan, Destination.for_client(client, entry.dataset))


def export_vector(parent: QWidget, entry: QueueEntry, client, save_as=None) -> Path | None:
    """Ask where to save (next to the source file), write it, and say how to run it. `save_as`
    replaces the file dialog (tests)."""
    try:
        text = vector_text(entry, client)
    except VectorExportError as e:
        QMessageBox.information(parent, TITLE, f"Vector cannot ship {entry.source.name} continuously: {e}.")
        return None
    default = str(Path(entry.source.path).with_name(f"vector-{entry.dataset}.toml"))
    if save_as is None:
        chosen, _ = QFileDialog.getSaveFileName(parent, TITLE, default, "Vector configuration (*.toml)")
        save_as = chosen or None
    if not save_as:
        return None
    path = Path(save_as)
    path.write_text(text, "utf-8")
    box = QMessageBox(QMessageBox.Icon.Information, TITLE,
                      f"Saved {path.name}. It ships new {Path(entry.source.path).suffix or 'log'} files of this "
                      f"folder to {entry.dataset} as they grow.", parent=parent)
    steps = secret_instructions(default_secrets_dir(), str(path))
    box.setInformativeText("The token is not in the file: Vector reads it from a folder only you can read.\n"
                           "To run it:\n" + "\n".join(steps))
    box.open()
    return path
