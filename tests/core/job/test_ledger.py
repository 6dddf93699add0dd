"""The ledger's folds, as pure logic (no server): which failures are kept in full, and which
lines the possible duplicates are on."""

from __future__ import annotations

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
