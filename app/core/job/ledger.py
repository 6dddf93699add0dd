"""The job's accounting: one record per batch, where each count is written once.

Every event of the input ends in exactly one of ingested, failed or not sent; events that were
sent again after a request may have been stored are also counted as possible duplicates. The
job's totals are a fold over the records (Ledger.totals), so the progress the window shows and
the counts the journal acks cannot drift apart. A settled record no longer changes, so its counts
are folded once into a running sum and only the open records (at most the batches in flight) are
folded again each time.

Failures, warnings and trace ids keep the order they happened in (a counter shared by all
records), so the result lists them as they came. The failures kept in full are the
lowest-numbered MAX_FAILURES_KEPT by input line, whatever order batches in flight answer in (a
lower line arriving late takes the place of the highest kept, which joins its record's tally):
the same input always lists the same failures.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import itertools
import threading
from dataclasses import dataclass, field

from app.core.batching import Batch
from app.core.journal import ACKED, BatchMark
from app.core.job.results import Failure, FailureTally, JobWarning, WarningKind

_DUP_KINDS = (WarningKind.MAYBE_STORED_TWICE, WarningKind.RESENT_AFTER_INTERRUPTION)

MAX_FAILURES_KEPT = 1000  # failures kept in full (line, reason, the event); the rest are counted


@dataclass(frozen=True)
class Totals:
    ingested: int = 0
    failed: int = 0
    not_sent: int = 0
    possible_duplicates: int = 0

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(self.ingested + other.ingested, self.failed + other.failed,
                      self.not_sent + other.not_sent, self.possible_duplicates + other.possible_duplicates)


@dataclass
class BatchRecord:
    """What happened to one batch (and its splits); journaled when it is settled."""

    seq: int
    start: int
    end: int
    first_line: int | None
    last_line: int | None
    count: int
    ingested: int = 0
    not_sent: int = 0
    possible_duplicates: int = 0
    earlier_failed: int = 0       # failed in an earlier run (their Failures are the ledger's `earlier`)
    failures: list[tuple[int, Failure]] = field(default_factory=list)      # (order, failure)
    warnings: list[tuple[int, JobWarning]] = field(default_factory=list)
    trace_ids: list[tuple[int, str]] = field(default_factory=list)
    dup_spans: list[tuple[int, list]] = field(default_factory=list)        # (order, [first, last])
    failed_lines: set[int] | None = field(default_factory=set)  # while open: lines failed here (never sent)
    more: FailureTally | None = None  # failures past MAX_FAILURES_KEPT: counted by reason and lines
    marked: bool = False          # journaled as in flight
    maybe_stored: bool = False    # some request of it may have been stored
    prior_inflight: bool = False  # in flight when an earlier run died
    dup_all: bool = False         # the whole batch is already counted as possible duplicates
    settled: bool = False

    @property
    def failed(self) -> int:
        return self.earlier_failed + len(self.failures) + (self.more.count if self.more is not None else 0)

    @property
    def totals(self) -> Totals:
        return Totals(self.ingested, self.failed, self.not_sent, self.possible_duplicates)


class Ledger:
    def __init__(self) -> None:
        self.records: dict[int, BatchRecord] = {}
        self.acked_before: dict[int, BatchMark] = {}  # acked by an earlier run: not resent
        self._prior_inflight: set[int] = set()
        self._maybe_sent: set[int] = set()            # id() of batch pieces counted as possible duplicates
        self._order = itertools.count()
        self._lock = threading.Lock()                 # job warnings come from the reader thread too
        self._settled = Totals()
        self._open: dict[int, BatchRecord] = {}
        self._unread_not_sent = 0                     # the unsent rest of the input, counted but not cut
        self.rest_from: int | None = None             # from this line on the input was not read: not sent, uncounted
        self._earlier_failures: list[tuple[int, Failure]] = []
        self._earlier_more = FailureTally()
        self._kept = 0                                # failures kept in full so far (earlier runs too)
        self._highest: list[tuple] = []               # the kept failures, highest line on top (a max-heap)
        self._job_warnings: list[tuple[int, JobWarning]] = []

    # -- records -------------------------------------------------------------------------------
    def record(self, batch: Batch) -> BatchRecord:
        rec = self.records.get(batch.seq)
        if rec is None:
            rec = self.records[batch.seq] = self._open[batch.seq] = BatchRecord(
                batch.seq, batch.start, batch.end, batch.first_line, batch.last_line, batch.count,
                prior_inflight=batch.seq in self._prior_inflight)
        return rec

    def settle(self, batch: Batch) -> BatchRecord | None:
        """The batch is done in this run: its counts join the settled sum. None if never opened."""
        rec = self._open.pop(batch.seq, None)
        if rec is not None:
            rec.settled = True
            rec.failed_lines = None  # only a batch still open can be sent again
            self._settled = self._settled + rec.totals
        return rec

    def load_earlier(self, marks: list[BatchMark], failures: list) -> None:
        """The batches an earlier run acknowledged (counted, not resent) or left in flight."""
        failed_in: dict[int, set[int]] = {}
        for seq, line, _error, _record in failures:
            if line is not None:
                failed_in.setdefault(seq, set()).add(line)
        for m in marks:
            if m.status == ACKED:
                self.acked_before[m.seq] = m
                rec = self.records[m.seq] = BatchRecord(
                    m.seq, m.start, m.end, m.first_line, m.last_line, m.events, ingested=m.ingested,
                    possible_duplicates=m.possible_duplicates, earlier_failed=m.failed, settled=True,
                    failed_lines=None)
                if m.possible_duplicates and m.first_line is not None:  # its event lines are not journaled
                    failed = failed_in.get(m.seq, set())
                    lines = [n for n in range(m.first_line, (m.last_line or m.first_line) + 1) if n not in failed]
                    rec.dup_spans.extend((next(self._order), span) for span in sent_spans(lines, failed, m.last_line))
                rec.warnings.extend((next(self._order), JobWarning(WarningKind.EARLIER_RUN, w)) for w in m.warnings)
                rec.trace_ids.extend((next(self._order), t) for t in m.trace_ids)
                self._settled = self._settled + rec.totals
                self._earlier_more.merge(FailureTally.from_json(m.more_failures))
            else:
                self._prior_inflight.add(m.seq)
        for _seq, line, error, record in failures:
            self._keep(None, Failure(line, error, record))

    # -- what happens to events ------------------------------------------------------------------
    def ingested(self, batch: Batch, n: int) -> None:
        rec = self.record(batch)
        rec.maybe_stored = True
        rec.ingested += n

    def fail(self, batch: Batch, failure: Failure) -> None:
        """The lowest-numbered MAX_FAILURES_KEPT in full; the rest counted (memory stays bounded;
        the journal holds at most those plus the ones a batch in flight displaced)."""
        rec = self.record(batch)
        if failure.line is not None and rec.failed_lines is not None:
            rec.failed_lines.add(failure.line)
        self._keep(rec, failure)

    def _keep(self, rec: BatchRecord | None, failure: Failure) -> None:
        """Keep `failure` (of `rec`, or of an earlier run when None) in full if it is among the
        lowest-numbered MAX_FAILURES_KEPT so far, else tally it."""
        order = next(self._order)
        rank = (-(failure.line is None), -(failure.line or 0), -order)  # larger line → smaller rank
        if self._kept >= MAX_FAILURES_KEPT:
            if not self._highest or rank <= self._highest[0][0]:  # not below the highest kept: counted
                self._tally(rec).add(failure.line, failure.error)
                return
            _rank, old_rec, old_item = heapq.heappop(self._highest)  # displaced: counted instead
            (old_rec.failures if old_rec is not None else self._earlier_failures).remove(old_item)
            self._tally(old_rec).add(old_item[1].line, old_item[1].error)
        else:
            self._kept += 1
        item = (order, failure)
        (rec.failures if rec is not None else self._earlier_failures).append(item)
        heapq.heappush(self._highest, (rank, rec, item))

    def _tally(self, rec: BatchRecord | None) -> FailureTally:
        if rec is None:
            return self._earlier_more
        if rec.more is None:
            rec.more = FailureTally()
        return rec.more

    def not_sent(self, batch: Batch, count: int | None = None) -> None:
        self.record(batch).not_sent += batch.count if count is None else count

    def unread_not_sent(self, count: int) -> None:
        self._unread_not_sent += count

    def rest_unread(self, line: int) -> None:
        """Reading stopped (a read or decompression error, binary data, a file that shrank, no time
        left to count): nothing from `line` on was sent, and how many events that is is unknown."""
        self.rest_from = line if self.rest_from is None else min(self.rest_from, line)

    def trace(self, batch: Batch, trace_id: str) -> None:
        self.record(batch).trace_ids.append((next(self._order), trace_id))

    def warn(self, warning: JobWarning, batch: Batch | None = None) -> None:
        """A warning of the batch (journaled with it), or of the job when `batch` is None."""
        with self._lock:
            if batch is not None and warning.kind in _DUP_KINDS and not warning.spans:
                # the lines that may be stored twice are those sent: not the ones failed here
                spans = self._sent_spans(self.record(batch), batch)
                if spans != [[warning.first_line, warning.last_line]]:
                    warning = dataclasses.replace(warning, spans=tuple(tuple(s) for s in spans))
            item = (next(self._order), warning)
            if batch is None:
                self._job_warnings.append(item)
            else:
                self.record(batch).warnings.append(item)

    def resent_after_interruption(self, batch: Batch) -> bool:
        """Before a batch's first request: a batch in flight when an earlier run died is resent,
        so all of it counts as possible duplicates (once). True when that was counted now."""
        rec = self.record(batch)
        if not rec.prior_inflight or rec.dup_all:
            return False
        rec.dup_all = True
        rec.possible_duplicates += rec.count
        rec.dup_spans.extend((next(self._order), span) for span in self._sent_spans(rec, batch))
        return True

    def sent_maybe_stored(self, batch: Batch) -> bool:
        """The body of this piece went out and the answer was lost: the server may have stored it.
        Its events count as possible duplicates once (unless its whole batch already does).
        True when that was counted now."""
        rec = self.record(batch)
        rec.maybe_stored = True
        if id(batch) in self._maybe_sent or rec.dup_all:
            return False
        self._maybe_sent.add(id(batch))
        rec.possible_duplicates += batch.count
        rec.dup_spans.extend((next(self._order), span) for span in self._sent_spans(rec, batch))
        return True

    @staticmethod
    def _sent_spans(rec: BatchRecord, piece: Batch) -> list[list[int]]:
        return sent_spans(piece.lines, rec.failed_lines or (), piece.last_line)

    # -- the fold --------------------------------------------------------------------------------
    def totals(self) -> Totals:
        total = self._settled + Totals(not_sent=self._unread_not_sent)
        for rec in list(self._open.values()):
            total = total + rec.totals
        return total

    def _in_order(self, items: list[tuple[int, object]]) -> list:
        return [value for _order, value in sorted(items, key=lambda item: item[0])]

    def failures(self) -> list[Failure]:
        """In input-line order (those without a line last), in the order they happened otherwise."""
        items = self._earlier_failures + [i for rec in list(self.records.values()) for i in rec.failures]
        return sorted(self._in_order(items), key=lambda f: (f.line is None, f.line or 0))

    def more_failures(self) -> list[dict]:
        """The failures counted, not kept: by reason, with their line spans (FailureTally.to_json)."""
        tally = FailureTally()
        tally.merge(self._earlier_more)
        for rec in list(self.records.values()):
            if rec.more is not None:
                tally.merge(rec.more)
        return tally.to_json()

    def warnings(self) -> list[JobWarning]:
        with self._lock:
            items = self._job_warnings + [i for rec in list(self.records.values()) for i in rec.warnings]
        return self._in_order(items)

    def trace_ids(self) -> list[str]:
        return self._in_order([i for rec in list(self.records.values()) for i in rec.trace_ids])

    def duplicate_lines(self) -> list[list[int]]:
        spans = self._in_order([i for rec in list(self.records.values()) for i in rec.dup_spans])
        return sorted(spans, key=lambda s: (s[0] or 0))


def sent_spans(lines, failed, last_line: int | None) -> list[list[int]]:
    """[first, last] spans of the events sent (`lines`: where each starts, ascending), cut where
    an event failed before it was sent: possible duplicates never name a line that was not sent.
    A failed line that also starts a sent event (a one-line JSON array) cuts nothing; a span
    ends at the line before the failure, so multi-line events stay whole."""
    if not len(lines):
        return []
    last = last_line if last_line is not None else lines[-1]
    spans, i, n = [], 0, len(lines)
    for f in sorted(f for f in failed if lines[0] < f < last):
        j = bisect.bisect_left(lines, f, i)
        if j < n and lines[j] == f:
            continue
        if j > i:
            spans.append([lines[i], f - 1])
        i = j
    if i < n:
        spans.append([lines[i], last])
    return spans
