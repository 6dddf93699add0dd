"""What to send and how, as the batch readers need it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sniff imports heavier detectors; batching only needs its data classes
    from app.core.sniff import CsvDialect, Sniff


@dataclass
class Plan:
    """What to send and how: the sniff's guesses, possibly overridden by the user."""

    format: str                          # "ndjson" | "json-array" | "json-object" | "csv"
    compression: str | None = None
    encoding: str = "utf-8"
    csv: CsvDialect | None = None
    timestamp_field: str | None = None
    timestamp_format: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_sniff(cls, sniff: Sniff) -> Plan:
        """A plan that follows the sniff; the dialect is copied so overriding it leaves the sniff alone."""
        if sniff.format is None:
            raise ValueError(sniff.error or "the input's format could not be recognised")
        dialect = None
        if sniff.csv is not None:
            dialect = dataclasses.replace(sniff.csv, fields=list(sniff.csv.fields))
        ts = sniff.timestamp
        return cls(format=sniff.format, compression=sniff.compression, encoding=sniff.encoding or "utf-8",
                   csv=dialect, timestamp_field=ts.field if ts else None,
                   timestamp_format=ts.layout if ts else None)
