"""How formats, sizes and durations read in the window's tables, cards and summaries."""

from __future__ import annotations

from typing import Any

FORMAT_LABELS = {"ndjson": "NDJSON", "json-array": "JSON array", "json-object": "JSON object", "csv": "CSV",
                 "text": "Text log"}
DELIMITER_NAMES = {",": ",", ";": ";", "\t": "Tab", "|": "|"}


def format_label(fmt: str | None, csv: Any = None) -> str:
    """'NDJSON', 'JSON array', 'CSV (;)' … as the user reads it."""
    if not fmt:
        return "—"
    label = FORMAT_LABELS.get(fmt, fmt)
    if fmt == "csv" and csv is not None and csv.delimiter != ",":
        label += f" ({DELIMITER_NAMES.get(csv.delimiter, csv.delimiter)})"
    return label


def human_bytes(n: int | float | None) -> str:
    if n is None:
        return "—"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def human_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s} s" if s else f"{minutes} min"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m} min"
