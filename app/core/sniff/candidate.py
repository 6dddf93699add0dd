"""One format's answer to "is the head this format?", for the sniffer to rank."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.sniff.models import CsvDialect


@dataclass
class Candidate:
    format: str
    confidence: float
    reasons: list[str]
    events_in_head: int = 0  # every event the job will count: sent, or failed by line
    failing: int = 0  # of those, the ones Axiom will refuse (a line that is not a JSON object, a ragged CSV row)
    first_failing_line: int | None = None  # the input line of the first of them, when known
    covered: float = 1.0  # fraction of the head text the counted events span
    sample: list[dict] = field(default_factory=list)
    dialect: CsvDialect | None = None
    error: str | None = None  # set when the best guess is "not data"
    log: Any = None  # format "text": the textlog.LogGuess


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
