"""What a sniff answers with: the input's settings as guessed, each with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from app.core.sniff.records import Records
from app.core.time import TimestampGuess
from app.core.time.detect import LikelyTime

if TYPE_CHECKING:
    from app.core.textlog import LogGuess

SAMPLE_EVENTS = 50
RAGGED_KEY = "__ragged__"  # marks a CSV row whose field count differs from the header's


@dataclass
class CsvDialect:
    delimiter: str = ","
    quotechar: str = '"'
    has_header: bool = True
    fields: list[str] = field(default_factory=list)  # header names, or col1..colN without a header


@dataclass
class LogSettings:
    """How a text log is read (format "text"): a textlog format id ("plain": one event per line),
    the line-start pattern (None: the format's own) and the zone of zone-less times (a NaiveZone
    name; None: UTC)."""

    format: str = "plain"
    line_start: str | None = None
    zone: str | None = None


@dataclass
class Sniff:
    path: str | None
    format: str | None = None
    compression: str | None = None
    encoding: str = "utf-8"
    csv: CsvDialect | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    runner_up: tuple[str, float] | None = None
    timestamp: TimestampGuess | None = None
    likely_time: LikelyTime | None = None  # no time field chosen, but this one looks like it (time.check warns)
    estimated_events: int = 0  # every event the job will count (sent, or failed by line)
    failing_events: int = 0  # of those, the ones Axiom will refuse (estimated like them); counts.py says it
    first_failing_line: int | None = None
    sample: list = field(default_factory=list)  # events as sent; a non-object value stays as it is
    size: int | None = None
    error: str | None = None
    # Extras (not in the contract's required set): bytes read from the source (compressed bytes
    # for compressed input), and whether the head was the whole input (estimate is then exact).
    bytes_read: int = 0
    head_is_whole: bool = False
    log: "LogGuess | None" = None  # format "text": what the text log was detected as (textlog.LogGuess)
    log_settings: LogSettings | None = None  # format "text": how it is read (the guess, or the user's choice)
    column_types: dict[str, str] = field(default_factory=dict)  # CSV: each field's type (csv_types)
    typed_by_default: bool = False  # CSV: clearly typed, so numbers and booleans go as typed values
    records: Records | None = None  # json-object: the array inside whose elements are the events

    def to_json(self) -> dict:
        """The object `axiom-drop inspect --json` prints."""
        ts = self.timestamp
        return {
            "path": self.path,
            "format": self.format,
            "compression": self.compression,
            "encoding": self.encoding,
            "delimiter": self.csv.delimiter if self.csv else None,
            "quotechar": self.csv.quotechar if self.csv else None,
            "has_header": self.csv.has_header if self.csv else None,
            "fields": list(self.csv.fields) if self.csv else None,
            "confidence": round(self.confidence, 2),
            "reasons": list(self.reasons),
            "runner_up": (
                {"format": self.runner_up[0], "confidence": round(self.runner_up[1], 2)}
                if self.runner_up
                else None
            ),
            "timestamp": (
                {"field": ts.field, "kind": ts.kind, "layout": ts.layout, "example": ts.example,
                 "confidence": round(ts.confidence, 2), "orders": ts.orders}
                if ts
                else None
            ),
            "estimated_events": self.estimated_events,
            "estimate_exact": self.head_is_whole,
            "size": self.size,
            "bytes_read": self.bytes_read,
            "error": self.error,
            "log": (
                {"format": self.log.format, "label": self.log.label, "line_start": self.log.start,
                 "starts_with": self.log.starts_with, "lines_per_event": self.log.lines_per_event,
                 "summary": self.log.summary()}
                if self.log
                else None
            ),
            "column_types": dict(self.column_types) if self.csv else None,
            "typed_by_default": self.typed_by_default if self.csv else None,
            "records": ({"path": self.records.path, "share": self.records.share, "reason": self.records.reason,
                         "fields": sorted(self.records.fields)} if self.records else None),
        }
