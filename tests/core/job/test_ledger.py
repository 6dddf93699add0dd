"""The ledger's folds, as pure logic (no server): which failures are kept in full, and which
lines the possible duplicates are on."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from app.core.batching import Batch
from app.core.job.ledger import MAX_FAILURES_KEPT, Ledger
from app.core.job.results import Failure


def batch(seq: int, first: int, count: int, skipped=()) -> Batch:
    body = b"".join(b'{"n": %d}\n' % i for i in range(count))
    return Batch(seq=seq, kind="ndjson", header=None, body=body, count=count,
                 lines=range(first, first + count), start=0, end=len(body), skipped=list(skipped))


def fail_all(ledger: Ledger, b: Batch) -> None:
    for line in b.lines:
        ledger.fail(b, Failure(line, f"invalid JSON at line {line}"))


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_lowest_numbered_failures_are_kept_whatever_order_batches_answer_in(order):
    """Three batches of 1,000 failures each answer in any order: the result always lists lines
    1–1,000 in full, and counts the other 2,000 by reason with their lines."""
    batches = [batch(k, 1 + 1_000 * k, 1_000) for k in range(3)]
    ledger = Ledger()
    for k in order:
        fail_all(ledger, batches[k])
    assert [f.line for f in ledger.failures()] == list(range(1, MAX_FAILURES_KEPT + 1))
    assert ledger.more_failures() == [{"reason": "invalid JSON at line #", "count": 2_000, "lines": [[1_001, 3_000]]}]
    assert ledger.totals().failed == 3_000
    assert [ledger.records[k].failed for k in range(3)] == [1_000] * 3  # each batch's count unchanged


def test_interleaved_failures_keep_the_lowest_lines_and_count_one_per_event():
    ledger, b = Ledger(), batch(0, 1, 3_000)
    for line in list(range(3_000, 1_500, -1)) + list(range(1, 1_501)):  # highest first
        ledger.fail(b, Failure(line, "bad"))
    assert [f.line for f in ledger.failures()] == list(range(1, 1_001))
    [more] = ledger.more_failures()
    assert more["count"] == 2_000 and more["lines"] == [[1_001, 3_000]]


def test_a_failure_without_a_line_gives_way_first():
    ledger, b = Ledger(), batch(0, 1, MAX_FAILURES_KEPT + 1)
    ledger.fail(b, Failure(None, "failed without a reason from the server"))
    fail_all(ledger, b)
    kept = ledger.failures()
    assert len(kept) == MAX_FAILURES_KEPT and all(f.line is not None for f in kept)
    assert ledger.totals().failed == MAX_FAILURES_KEPT + 2


def test_an_earlier_runs_failures_take_part():
    ledger = Ledger()
    ledger.load_earlier([], [(5, line, "bad", None) for line in range(2_001, 3_001)])
    fail_all(ledger, batch(0, 1, 500))
    kept = [f.line for f in ledger.failures()]
    assert kept == list(range(1, 501)) + list(range(2_001, 2_501))
    assert ledger.more_failures() == [{"reason": "bad", "count": 500, "lines": [[2_501, 3_000]]}]


# -- possible duplicates ---------------------------------------------------------------------

def test_a_resent_piece_names_only_its_sent_lines():
    """Lines 5 and 6 failed here (not sent); the rest of the batch was sent and its answer lost."""
    from app.core.job.results import JobWarning, WarningKind

    ledger = Ledger()
    full = batch(0, 1, 10)
    for line in (5, 6):
        ledger.fail(full, Failure(line, "not a JSON object (a list)"))
    piece = full.subset([i for i in range(10) if full.lines[i] not in (5, 6)])
    assert ledger.sent_maybe_stored(piece) is True
    assert ledger.sent_maybe_stored(piece) is False  # once per piece
    assert ledger.duplicate_lines() == [[1, 4], [7, 10]]
    assert ledger.totals().possible_duplicates == 8
    ledger.warn(JobWarning(WarningKind.MAYBE_STORED_TWICE, "sent again", piece.first_line, piece.last_line), piece)
    assert str(ledger.warnings()[0]) == "lines 1–4, 7–10: sent again"


def test_a_batch_resent_after_an_interruption_leaves_out_its_skipped_lines():
    from app.core.journal import BatchMark

    ledger = Ledger()
    ledger.load_earlier([BatchMark(0, 0, 100, 1, 12, 10, "inflight")], [])
    b = batch(0, 1, 10, skipped=[(11, "invalid JSON")])
    b = dataclasses.replace(b, lines=[1, 2, 3, 4, 5, 6, 7, 8, 9, 12])  # line 11 was not an event
    ledger.fail(b, Failure(11, "invalid JSON"))
    assert ledger.resent_after_interruption(b) is True
    assert ledger.duplicate_lines() == [[1, 10], [12, 12]]


def test_an_earlier_runs_duplicates_leave_out_its_failed_lines():
    from app.core.journal import BatchMark

    ledger = Ledger()
    mark = BatchMark(0, 0, 100, 1, 10, 9, "acked", ingested=9, failed=1, possible_duplicates=9)
    ledger.load_earlier([mark], [(0, 4, "bad", None)])
    assert ledger.duplicate_lines() == [[1, 3], [5, 10]]


@pytest.mark.parametrize("lines, failed, last, spans", [
    (range(1, 11), (), 10, [[1, 10]]),
    ([1, 2, 3, 7, 8], (4, 5, 6), 8, [[1, 3], [7, 8]]),            # consecutive failures: one cut
    ([1, 5, 9], (7,), 9, [[1, 6], [9, 9]]),                       # multi-line events stay whole
    ([1, 1, 1], (1,), 1, [[1, 1]]),                               # a one-line array: nothing to cut
    ([3, 4], (1, 2, 9), 4, [[3, 4]]),                             # failures outside: nothing to cut
    ([], (1,), None, []),
])
def test_sent_spans(lines, failed, last, spans):
    from app.core.job.ledger import sent_spans

    assert sent_spans(lines, failed, last) == spans
