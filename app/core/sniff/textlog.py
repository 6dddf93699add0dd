"""Is the head a text log, and of which format? The sniff's side of app.core.textlog: the guess
as a Candidate ranked against CSV and JSON, and the first events as they will be sent (the same
parser the upload uses, so the preview cannot drift from what is stored)."""

from __future__ import annotations

from app.core.sniff.candidate import Candidate
from app.core.sniff.models import SAMPLE_EVENTS, LogSettings
from app.core.textlog import BY_ID, LogGuess, group, guess_log

SAMPLE_LINES = 2000


def _head_lines(text: str, whole: bool) -> tuple[list[str], int]:
    """The head's complete lines (no line ends, CR dropped) and the characters they span."""
    lines = text.split("\n")
    covered = len(text)
    if not whole and len(lines) > 1:
        covered -= len(lines.pop())  # the head ends inside this line
    elif lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines], covered


def head_events(text: str, whole: bool, log: LogSettings, limit: int | None = SAMPLE_EVENTS) -> tuple[list[dict], int, int]:
    """(the first `limit` events, events in the head, lines in them) read with `log`'s settings."""
    from app.core.textlog.parse import Parser  # a log's head only: a CSV's never loads the parsers

    lines, _ = _head_lines(text, whole)
    parser = Parser(BY_ID[log.format], log.line_start, log.zone)
    events: list[dict] = []
    count = used = 0
    for g in group(((ln, 1) for ln in lines), parser.start, 1, 0, parser.partial, parser.drop_blank):
        count += 1
        used += len(g.lines)
        if limit is None or len(events) < limit:
            events.append(parser.event(g))
    return events, count, used


def textlog_candidate(text: str, whole: bool) -> Candidate | None:
    """The text-log reading of the head, or None when no line starts like a log event."""
    lines, covered = _head_lines(text, whole)
    guess: LogGuess | None = guess_log(lines[:SAMPLE_LINES])
    if guess is None:
        return None
    settings = LogSettings(guess.format)
    sample, count, used = head_events(text, whole, settings)
    if count:
        guess.lines_per_event = round(used / count, 2)
    reasons = list(guess.reasons)
    reasons.append(guess.summary())
    if "\r\n" in text[:65536]:
        reasons.append("lines end in CRLF")
    return Candidate("text", guess.confidence, reasons, events_in_head=count,
                     covered=covered / len(text) if text else 1.0, sample=sample, log=guess)


def log_beats_csv(log: Candidate, csv: Candidate) -> bool:
    """A file whose lines start like log events is a log, not a CSV with its first line as the
    header: always for a known format (syslog, access logs, Python's "2026-… 14:03:01,123" would
    read as two columns), for "timestamp message" lines unless they are a clear table."""
    if log.log is not None and log.log.format not in ("timestamped", "level-lines"):
        return log.confidence >= 0.8
    columns = len(csv.dialect.fields) if csv.dialect else 0
    return columns < 2 or csv.confidence < 0.85
