"""The reader side of a job (run in its reader thread): open the input, name ragged CSV rows, and
after a stop count the unsent rest; at the end, notice a file that changed while it was read.
Where reading stops early, the rest of the input is "not sent from line N", its count unknown
(Ledger.rest_unread): never silently absent from the counts."""

from __future__ import annotations

import os
import time
from typing import BinaryIO, Iterator

import zstandard

from app.core.io import decoded
from app.core.batching import Batch, InputError, long_values, ragged_rows
from app.core.batching.timefix import csv_fields_sent
from app.core.plan import Plan
from app.core.job.ledger import Ledger
from app.core.job.results import JobWarning, WarningKind
from app.core.job.source import Source

MAX_RAGGED_LISTED = 50  # ragged CSV rows named one by one; the rest are counted
REST_COUNT_SECONDS = 5.0  # after a cancel, how long to spend counting the unsent rest of the input


class InputReader:
    def __init__(self, source: Source, plan: Plan, ledger: Ledger):
        self.source, self.plan, self.ledger = source, plan, ledger
        self.raw: BinaryIO | None = None
        self.ragged = 0
        self.next_line = 1  # the first line after the batches read so far

    def open(self) -> BinaryIO:
        self.raw = self.source.open_raw()
        return decoded(self.raw, self.plan.compression, self.plan.encoding)

    def position(self, fallback: int) -> int:
        """How far into the raw (maybe compressed) input reading has come."""
        try:
            return self.raw.tell() if self.raw is not None else 0
        except (OSError, ValueError):
            return fallback

    def noting_ragged_rows(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        """Name CSV rows whose cells do not match the header before they are sent: Axiom's Go
        reader likely refuses them (docs/axiom-api.md, "CSV"); a lenient one would drop extra cells."""
        delimiter = self.plan.csv.delimiter if self.plan.csv else ","
        # a headerless CSV's rows carry the `_time` cell the app adds: count it as a field
        fields = csv_fields_sent(self.plan) or (self.plan.csv.fields if self.plan.csv else [])
        for batch in batches:
            for index, cells, expected in ragged_rows(batch, delimiter, fields):
                self.ragged += 1
                if self.ragged <= MAX_RAGGED_LISTED:
                    if self.plan.csv_types:  # sent as NDJSON: nothing for Axiom's CSV reader to refuse
                        what = ("the missing fields are left out" if cells <= expected else
                                f"the extra cells are sent as column{expected + 1}…")
                    else:
                        what = ("Axiom likely refuses the row (then it is listed as failed); else the missing "
                                "fields are left out" if cells <= expected else
                                "Axiom likely refuses the row (then it is listed as failed); else the extra "
                                "cells, having no field name, may be dropped")
                    line = batch.lines[index]
                    self.ledger.warn(JobWarning(
                        WarningKind.RAGGED_ROW, f"{cells} cell{'s' if cells != 1 else ''} where the header names "
                        f"{expected}; {what}", line, line))
            yield batch

    def noting_long_values(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        """Name events holding a string over Axiom's value limit: stored, but that value replaced.
        (The last stage every batch passes: it also keeps `next_line`, where reading has come.)"""
        delimiter = self.plan.csv.delimiter if self.plan.csv else ","
        for batch in batches:
            for index, message in long_values(batch, delimiter):
                line = batch.lines[index]
                self.ledger.warn(JobWarning(WarningKind.LONG_VALUE, f"line {line}: {message}", line, line), batch)
            self.next_line = max(self.next_line, _after(batch))
            yield batch

    def stopped_reading(self, line: int | None) -> str:
        """Reading stopped before the end of the input (a read or decompression error, data that
        cannot be read on): nothing from `line` (else the line after the last batch) on was sent,
        and how many events that is cannot be known. Returns where the job stopped."""
        line = line or self.next_line
        self.ledger.rest_unread(line)
        return f"line {line:,}"

    def note_more_ragged_rows(self) -> None:
        """The rows past MAX_RAGGED_LISTED, counted (said once, even if asked again)."""
        if self.ragged > MAX_RAGGED_LISTED:
            self.ledger.warn(JobWarning(
                WarningKind.MORE_RAGGED_ROWS,
                f"… and {self.ragged - MAX_RAGGED_LISTED:,} more rows whose cells do not match the header"))
            self.ragged = MAX_RAGGED_LISTED

    def count_rest(self, batches: Iterator[Batch]) -> None:
        """After a cancel or a fatal answer: read (not send) the rest of the input so its events
        are counted as not sent. Bounded in time: past REST_COUNT_SECONDS the rest is named by
        where it starts instead of counted."""
        deadline = time.monotonic() + REST_COUNT_SECONDS
        try:
            for batch in batches:
                if batch.seq not in self.ledger.acked_before:
                    self.ledger.unread_not_sent(batch.count + len(batch.skipped))
                if time.monotonic() > deadline:
                    rest = _after(batch)
                    self.ledger.rest_unread(rest)
                    self.ledger.warn(JobWarning(
                        WarningKind.REST_NOT_COUNTED,
                        f"the input from line {rest:,} on was not read, so its events are not "
                        f"counted as not sent; nothing from there on was sent"))
                    return
        except InputError as e:
            self.ledger.rest_unread(e.line or self.next_line)
            self.ledger.warn(JobWarning(WarningKind.COUNTING_STOPPED,
                                        f"counting the events that were not sent stopped: {e}"))
        except (OSError, EOFError, ValueError, zstandard.ZstdError) as e:
            self.ledger.rest_unread(self.next_line)
            self.ledger.warn(JobWarning(WarningKind.COUNTING_STOPPED,
                                        f"counting the events that were not sent stopped: {e}"))

    def check_unchanged(self, next_line: int) -> str | None:
        """At the end of the input: a file that shrank while it was read lost events we cannot
        count — say so (the returned error) instead of reporting a complete upload."""
        path, before = self.source.path, self.source.size
        if path is None or before is None or self.raw is None:
            return None
        try:
            now = os.fstat(self.raw.fileno()).st_size
        except (OSError, ValueError, AttributeError):
            return None
        if now < before:
            self.ledger.rest_unread(next_line)
            return (f"{self.source.name} changed while it was being read (size {before:,} → {now:,} "
                    f"bytes): what was read up to line {next_line - 1} was sent; the rest was not")
        if now > before:
            self.ledger.warn(JobWarning(
                WarningKind.SOURCE_GREW, f"{self.source.name} grew while it was being read (size {before:,} → "
                f"{now:,} bytes); what was there when reading ended was sent"))
        return None


def _after(batch: Batch) -> int:
    """The first input line after a batch."""
    return max(batch.end_line, (batch.last_line or 0) + 1)
