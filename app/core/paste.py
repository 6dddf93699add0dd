"""Pasted JSON: what it is and where its first problem is (validation, which runs off the GUI
thread), and the history of pasted sends.

The history is JSON lines in data_dir()/paste_history.jsonl: text, dataset, profile, time,
counts — never the token. It keeps the text for "Send again"; the journal (History tab) lists
the send itself.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import orjson

from app.core import config

HISTORY_FILE = "paste_history.jsonl"
HISTORY_KEEP = 200  # entries
HISTORY_MAX_BYTES = 32 << 20  # the file; older entries go first
HISTORY_MAX_TEXT = 2 << 20  # a paste larger than this is listed but its text is not kept


# --- validation ---------------------------------------------------------------------------------
@dataclass
class Validation:
    """What validate_text found: the kind and number of events, or the first problem and where."""

    ok: bool
    kind: str | None = None  # "NDJSON" | "JSON array" | "JSON object"
    events: int = 0
    message: str = ""
    line: int | None = None  # 1-based, where the problem is
    column: int | None = None  # 1-based, in characters

    def text(self) -> str:
        if self.ok:
            return f"✓ {self.events} event{'s' if self.events != 1 else ''} ({self.kind})"
        if self.line is not None:
            return f"Line {self.line}, column {self.column or 1}: {self.message}"
        return self.message


def _error(e: orjson.JSONDecodeError, line_offset: int = 0) -> Validation:
    msg = e.msg.split(":")[0] if e.msg else "invalid JSON"
    return Validation(False, message=msg, line=e.lineno + line_offset, column=e.colno)


_JSON_NON_SPACE = re.compile(r"[^ \t\r\n]")
LINES_BLOCK = 1 << 20  # characters split at once (text.split of a 20 MB paste held the GIL for 45 ms)


def _is_object(line: str) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _lines(text: str) -> Iterator[str]:
    """text.split("\\n"), a block of about LINES_BLOCK characters at a time."""
    pos, size = 0, len(text)
    while pos + LINES_BLOCK < size and (cut := text.find("\n", pos + LINES_BLOCK)) >= 0:
        yield from text[pos:cut].split("\n")
        pos = cut + 1
    yield from text[pos:].split("\n")


def validate_text(text: str) -> Validation:
    """What the pasted text is and how many events it holds, or where the first problem is."""
    stripped = text.lstrip()
    if not stripped:
        return Validation(False, message="Paste a JSON object, an array of objects, or NDJSON (one object a line)")
    lead = len(text) - len(stripped)
    first_line = text.count("\n", 0, lead) + 1
    if stripped[0] == "[":
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as e:
            return _error(e)
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                return Validation(False, message=f"element {i + 1} of the array is not an object (each event must be an object)",
                                  line=None)
        return Validation(True, "JSON array", len(value))
    if stripped[0] != "{":
        col = len(text[:lead].rsplit("\n", 1)[-1]) + 1
        return Validation(False, message="expected “{” or “[” (a JSON object, an array or NDJSON)", line=first_line, column=col)
    # Several objects, one a line? Then the whole text is no JSON document, and parsing it as one
    # (51 ms for 20 MB, all of it holding the GIL the window's event loop needs) is skipped.
    start, end = text.rfind("\n", 0, lead) + 1, text.find("\n", lead)
    first_is_object = end >= 0 and _is_object(text[start:end])  # (one line: the whole text, parsed below)
    if not (first_is_object and _JSON_NON_SPACE.search(text, end)):
        try:
            orjson.loads(text)
            return Validation(True, "JSON object", 1)
        except orjson.JSONDecodeError as whole_error:
            if not first_is_object:  # not NDJSON either: the whole document's error
                return _error(whole_error)
    events = 0
    for n, line in enumerate(_lines(text), 1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            return _error(e, line_offset=n - 1)
        if not isinstance(value, dict):
            col = len(line) - len(line.lstrip()) + 1
            return Validation(False, message="not a JSON object (each line must be an object)", line=n, column=col)
        events += 1
    return Validation(True, "NDJSON", events)


# --- history ------------------------------------------------------------------------------------
@dataclass
class HistoryEntry:
    """One pasted send, as the history keeps it."""

    time: float
    dataset: str
    profile: str
    text: str | None  # None when the paste was too large to keep
    events: int = 0
    ingested: int = 0
    failed: int = 0
    error: str | None = None
    size: int = 0
    summary: str = field(default="")


def send_again_question(entry: HistoryEntry) -> str | None:
    """What to ask before "Send again" of a paste whose events were stored (None: nothing was
    stored, so nothing can be stored twice)."""
    if entry.ingested <= 0:
        return None
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.time))
    return (f"This paste was sent to {entry.dataset} on {when} ({entry.ingested:,} events ingested). "
            "Sending it again stores its events twice.")


def history_path() -> Path:
    return config.data_dir() / HISTORY_FILE


def summary(text: str, limit: int = 90) -> str:
    """The one line a history row shows of a paste."""
    one = " ".join(text[:400].split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def load_history(path: Path | None = None) -> list[HistoryEntry]:
    """Newest first; unreadable lines are skipped (a half-written last line after a crash)."""
    path = path or history_path()
    entries: list[HistoryEntry] = []
    try:
        with open(path, "rb") as f:
            for raw in f:
                try:
                    obj = orjson.loads(raw)
                    entries.append(HistoryEntry(**{k: v for k, v in obj.items() if k in HistoryEntry.__dataclass_fields__}))
                except (orjson.JSONDecodeError, TypeError):
                    continue
    except FileNotFoundError:
        pass
    entries.reverse()
    return entries


def append_history(entry: HistoryEntry, path: Path | None = None, keep: int = HISTORY_KEEP) -> None:
    path = path or history_path()
    line = orjson.dumps(asdict(entry)) + b"\n"
    with open(path, "ab") as f:
        f.write(line)
    entries = load_history(path)
    if len(entries) <= keep and path.stat().st_size <= HISTORY_MAX_BYTES:
        return
    kept, total = [], 0  # newest first, within both limits
    for e in entries[:keep]:
        raw = orjson.dumps(asdict(e)) + b"\n"
        if kept and total + len(raw) > HISTORY_MAX_BYTES:
            break
        kept.append(raw)
        total += len(raw)
    tmp = path.with_suffix(".tmp")  # trim atomically: a crash leaves the old file
    with open(tmp, "wb") as f:
        f.writelines(reversed(kept))
    os.replace(tmp, path)
