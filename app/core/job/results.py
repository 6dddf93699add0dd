"""What a job reports: its result, the events that failed, its warnings, and a progress snapshot.

Warnings are data (a kind, the lines they concern, a count); their text is made in one place,
JobWarning.__str__, so the CLI, the window and the journal all show the same words.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from app.core.io import shown
from app.core.journal import JobState, StopKind

__all__ = ["Failure", "FailureTally", "JobResult", "JobState", "JobWarning", "Progress", "StopKind", "WarningKind",
           "not_sent_cell", "not_sent_text", "rest_from_stop", "stop_text"]


CUT_SHORT = "…"  # ends a Failure.record cut at attribution.RECORD_PREVIEW_BYTES


@dataclass
class Failure:
    """One event that was not stored: its input line (when known), why, and the event itself
    (its text, cut short past attribution.RECORD_PREVIEW_BYTES)."""

    line: int | None
    error: str
    record: str | None = None

    @property
    def complete(self) -> bool:
        """The whole event is known, so it can be sent again."""
        return self.record is not None and not self.record.endswith(CUT_SHORT)


MAX_SPANS = 20    # line spans kept per reason of the failures counted, not kept
MAX_REASONS = 20  # reasons told apart; past them, "other reasons"
OTHER = "other reasons"


@dataclass
class FailureTally:
    """The failures past those kept in full: per reason, how many and on which lines. Reasons
    that differ only in numbers (a column, an element) are one; past MAX_SPANS spans the two
    closest are joined, so a span may hold lines that did not fail. Bounded whatever the input."""

    groups: dict[str, list] = field(default_factory=dict)  # key → [reason as shown, count, [[first, last]…]]

    def add(self, line: int | None, reason: str, count: int = 1, last: int | None = None) -> None:
        key = re.sub(r"\d+", "#", reason)
        group = self.groups.get(key)
        if group is None and key != OTHER and len(self.groups) - (OTHER in self.groups) >= MAX_REASONS - 1:
            key = reason = OTHER
            group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = [reason, 0, []]
        elif group[0] != reason:
            group[0] = key  # various texts of one shape: shown with # for the numbers
        group[1] += count
        if line is not None:
            _add_span(group[2], line, last if last is not None else line)

    def merge(self, other: "FailureTally") -> None:
        for reason, count, spans in other.groups.values():
            if not spans:
                self.add(None, reason, count)
            for k, (first, last) in enumerate(spans):
                self.add(first, reason, count if k == 0 else 0, last)

    @property
    def count(self) -> int:
        return sum(g[1] for g in self.groups.values())

    def to_json(self) -> list[dict]:
        return [{"reason": r, "count": c, "lines": [list(s) for s in spans]}
                for r, c, spans in sorted(self.groups.values(), key=lambda g: -g[1])]

    @classmethod
    def from_json(cls, items: list[dict]) -> "FailureTally":
        t = cls()
        t.merge(cls({str(k): [i["reason"], i["count"], [list(s) for s in i["lines"]]] for k, i in enumerate(items)}))
        return t


def _add_span(spans: list[list[int]], first: int, last: int) -> None:
    """Add [first, last] to sorted, disjoint spans, joining what touches; at most MAX_SPANS."""
    if spans and spans[-1][0] <= first <= spans[-1][1] + 1:  # the common case: the next line
        spans[-1][1] = max(spans[-1][1], last)
        return
    spans.append([first, last])
    spans.sort()
    merged = [spans[0]]
    for a, b in spans[1:]:
        if merged[-1][1] + 1 >= a:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    while len(merged) > MAX_SPANS:
        gaps = [merged[i + 1][0] - merged[i][1] for i in range(len(merged) - 1)]
        i = gaps.index(min(gaps))
        merged[i][1] = merged.pop(i + 1)[1]
    spans[:] = merged


def more_failures_text(more: list[dict]) -> str | None:
    """The summary's line for the failures counted, not listed (the same words everywhere)."""
    if not more:
        return None
    total = sum(m["count"] for m in more)

    def where(spans: list) -> str:
        if not spans:
            return "lines unknown"
        shown = ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in spans[:5])
        return ("line " if len(spans) == 1 and spans[0][0] == spans[0][1] else "lines ") + shown + (
            ", …" if len(spans) > 5 else "")

    parts = [f"'{m['reason']}' on {where(m['lines'])}" for m in more[:3]]
    if len(more) > 3:
        parts.append(f"{sum(m['count'] for m in more[3:]):,} for {len(more) - 3} other reasons")
    return f"… and {total:,} more failures: " + "; ".join(parts)


def not_sent_text(not_sent: int, rest_from: int | None) -> str | None:
    """The words for the events not sent, the same in the CLI, the window and History; None when
    every event was sent. `rest_from`: the line from which the input was not read, so the count
    of what follows is unknown — said as such, never as "0 not sent"."""
    if rest_from is None:
        return f"{not_sent:,} not sent" if not_sent else None
    rest = f"from line {rest_from:,} (count unknown)"
    return f"{not_sent:,} not sent, and the rest {rest}" if not_sent else f"not sent: the rest, {rest}"


def not_sent_cell(not_sent: int, rest_from: int | None) -> str:
    """The short form for a "Not sent" column: "1,204", or "the rest from line 1,204" (its count
    unknown: never "0"), or "5 + the rest from line 1,204"."""
    if rest_from is None:
        return f"{not_sent:,}"
    return (f"{not_sent:,} + " if not_sent else "") + f"the rest from line {rest_from:,}"


_REST_SAME = ", not read from there on"
_REST_LATER = re.compile(r", not read from line ([\d,]+) on$")
_LINE = re.compile(r"^line ([\d,]+)")


def stop_text(stopped_at: str | None, rest_from: int | None) -> str | None:
    """Where the job stopped, with the line from which the input was not read when there is one:
    "line 1,204, not read from there on". It is what the journal keeps (its `stopped_at`), so
    History reads the unread rest back from it (`rest_from_stop`)."""
    if rest_from is None:
        return stopped_at
    m = _LINE.match(stopped_at or "")
    if m is None or int(m.group(1).replace(",", "")) == rest_from:
        return f"line {rest_from:,}{_REST_SAME}"
    return f"{stopped_at}, not read from line {rest_from:,} on"


def rest_from_stop(stopped_at: str | None) -> int | None:
    """The unread rest's first line in a stop_text (a journaled job's `stopped_at`), else None."""
    if not stopped_at:
        return None
    if stopped_at.endswith(_REST_SAME) and (m := _LINE.match(stopped_at)):
        return int(m.group(1).replace(",", ""))
    m = _REST_LATER.search(stopped_at)
    return int(m.group(1).replace(",", "")) if m else None


class WarningKind(enum.Enum):
    SERVER = "server"                    # a warning the server sent about a batch
    UNACKNOWLEDGED = "unacknowledged"    # the server answered for fewer events than were sent
    MAYBE_STORED_TWICE = "maybe stored twice"  # the connection failed after the body was sent
    RESENT_AFTER_INTERRUPTION = "resent after interruption"  # in flight when an earlier run died
    RAGGED_ROW = "ragged row"            # a CSV row whose cells do not match the header
    MORE_RAGGED_ROWS = "more ragged rows"
    REST_NOT_COUNTED = "rest not counted"  # after a stop: the unsent rest was not read in time
    COUNTING_STOPPED = "counting stopped"
    SOURCE_GREW = "source grew"
    NOT_RESUMABLE = "not resumable"      # pasted text or standard input that was not all sent
    JOURNAL = "journal"                  # the journal cannot be written
    EARLIER_RUN = "earlier run"          # said by an earlier run of a resumed job (journaled text)
    NUL_REGION = "nul region"            # lines of nothing but NUL bytes (a crash): no events to count
    LONG_VALUE = "long value"            # a string over Axiom's 1 MB value limit: stored as "too long"
    UNREAD_TIME = "unread time"          # a text log's timestamp that is no date: the event gets the ingest time


_SPAN_KINDS = (WarningKind.SERVER, WarningKind.UNACKNOWLEDGED, WarningKind.MAYBE_STORED_TWICE,
               WarningKind.RESENT_AFTER_INTERRUPTION)


@dataclass(frozen=True)
class JobWarning:
    """Something the user should know that is not a failed event. `count`: how many times the
    server saw it (server warnings only)."""

    kind: WarningKind
    message: str
    first_line: int | None = None
    last_line: int | None = None
    count: int | None = None
    spans: tuple[tuple[int, int], ...] = ()  # the lines concerned, when not one span (Ledger.warn)

    def __str__(self) -> str:
        if self.kind in _SPAN_KINDS and self.spans:
            where = "lines " + ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in self.spans) + ": "
        elif self.kind in _SPAN_KINDS:
            where = f"lines {self.first_line}–{self.last_line}: "
        elif self.kind is WarningKind.RAGGED_ROW:
            where = f"line {self.first_line}: "
        else:
            where = ""
        return where + self.message + (f" ({self.count}×)" if self.count else "")


@dataclass
class Progress:
    """A snapshot of a running job (UploadJob.progress, and what on_progress is given)."""

    state: JobState = JobState.QUEUED
    bytes_read: int = 0
    total_bytes: int | None = None
    events_read: int = 0
    ingested: int = 0
    failed: int = 0
    not_sent: int = 0
    possible_duplicates: int = 0
    bytes_per_s: float = 0.0
    events_per_s: float = 0.0
    wait_until: float | None = None
    message: str = ""
    # This run only (a resume skips what was stored before; read-ahead is not sent): what the
    # server answered for, and since when. Speed and ETA are made of these (app.core.progress).
    bytes_sent: int = 0
    events_acked: int = 0
    elapsed: float = 0.0
    reason: str = ""  # why it waits or retries, without the countdown (that comes from wait_until)

    @property
    def fraction(self) -> float | None:
        if not self.total_bytes:
            return None
        return min(1.0, self.bytes_read / self.total_bytes)


@dataclass
class JobResult:
    name: str
    dataset: str
    state: JobState
    ingested: int = 0
    failed: int = 0
    not_sent: int = 0
    possible_duplicates: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[JobWarning] = field(default_factory=list)
    trace_ids: list[str] = field(default_factory=list)
    stopped_at: str | None = None
    error: str | None = None
    error_kind: StopKind | None = None
    requests: list[dict] = field(default_factory=list)
    elapsed: float = 0.0
    job_id: str | None = None           # the journal's id (resume it with `axiom-drop resume ID`)
    possible_duplicate_lines: list[list[int]] = field(default_factory=list)  # [first, last] spans
    more_failures: list[dict] = field(default_factory=list)  # past the ones listed: FailureTally.to_json()
    rest_from: int | None = None        # from this line on the input was not read: not sent, count unknown

    @property
    def not_sent_text(self) -> str | None:
        return not_sent_text(self.not_sent, self.rest_from)

    def to_json(self, path: str | None = None) -> dict:
        return {
            "path": shown(path) if path is not None else self.name,
            "dataset": self.dataset,
            "state": self.state.value,
            "ingested": self.ingested,
            "failed": self.failed,
            "not_sent": self.not_sent,  # counted; with `not_sent_from_line`, the rest is not counted
            "not_sent_count_known": self.rest_from is None,
            "not_sent_from_line": self.rest_from,
            "possible_duplicates": self.possible_duplicates,
            "failures": [{"line": f.line, "error": f.error} for f in self.failures],
            "warnings": [str(w) for w in self.warnings],
            "trace_ids": self.trace_ids,
            "stopped_at": self.stopped_at,
            "error": self.error,
            "error_kind": self.error_kind.value if self.error_kind is not None else None,
            "elapsed_s": round(self.elapsed, 3),
            "job_id": self.job_id,
            "possible_duplicate_lines": self.possible_duplicate_lines,
            "more_failures": self.more_failures,
        }
