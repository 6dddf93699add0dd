"""The one "Export failed rows…" dialog (the queue's details and the History tab): it starts next
to the source file, offers the rows as they were in the input (plus a file of line → reason)
first, and writes with app.core.failures."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.failures import export_failures, export_raw, raw_suffix, reasons_path

RAW = "raw"


def default_export_path(name: str, source_path: str | Path | None, plan) -> Path:
    """`<stem>-failed.<ext>` in the source's own folder (else the home folder)."""
    stem = Path(name).name.split(".")[0] or "failed"
    folder = Path(source_path).parent if source_path else Path.home()
    if not folder.is_dir():
        folder = Path.home()
    return folder / f"{stem}-failed{raw_suffix(plan)}"


def filters_for(plan) -> list[tuple[str, str]]:
    """(filter text, export kind), the raw rows first."""
    ext = raw_suffix(plan)
    out = [(f"As in the input, with a separate file of line → reason (*{ext})", RAW)]
    if plan.sends_csv:  # typed CSV goes as NDJSON: its failed rows are JSON
        out.append(("CSV, the original columns plus an error column (*.csv)", "csv"))
    out.append(("NDJSON, one event with its error per line (*.ndjson)", "ndjson"))
    return out


def write_export(path: str, kind: str, failures: list, plan) -> str:
    """Write the export; returns what to tell the user."""
    if kind == RAW:
        n, reasons = export_raw(path, failures, plan)
        return f"Wrote {n:,} failed row{'s' if n != 1 else ''} to {path} and the reasons to {reasons.name}"
    n = export_failures(path, failures, plan, fmt=kind)
    return f"Wrote {n:,} failed row{'s' if n != 1 else ''} to {path}"


def ask_export_path(parent: QWidget, name: str, source_path, plan) -> tuple[str, str] | None:
    """(path, kind) chosen by the user, or None."""
    filters = filters_for(plan)
    path, chosen = QFileDialog.getSaveFileName(parent, "Export failed rows",
                                               str(default_export_path(name, source_path, plan)),
                                               ";;".join(text for text, _kind in filters))
    if not path:
        return None
    kind = next((k for text, k in filters if text == chosen), RAW)
    return path, kind


__all__ = ["RAW", "ask_export_path", "default_export_path", "filters_for", "reasons_path", "write_export"]
