"""Which line a failure of a 200 answer is on, from the server's words (pure logic, no server)."""

from __future__ import annotations

from app.core.batching import Batch
from app.core.job.attribution import map_failures
from app.core.plan import Plan


def batch(count: int, first_line: int = 2) -> Batch:
    body = b"".join(b'{"n": %d}\n' % i for i in range(count))  # no timestamps to match
    return Batch(seq=0, kind="ndjson", header=None, body=body, count=count,
                 lines=range(first_line, first_line + count), start=0, end=len(body))


PLAN = Plan(format="ndjson", compression=None, encoding="utf-8")


def test_every_event_failed_for_one_reason_names_each_line():
    reason = "too many fields: the event would bring the dataset to 3000 fields (limit 1024)"
    out = list(map_failures(PLAN, batch(3), [{"error": reason}] * 3, 3))
    assert [(line, error) for line, error, _ in out] == [(2, reason), (3, reason), (4, reason)]
    assert out[0][2] == '{"n": 0}'


def test_some_failed_without_timestamps_stay_unplaced():
    out = list(map_failures(PLAN, batch(3), [{"error": "bad"}] * 2, 2))
    assert [line for line, _, _ in out] == [None, None]
    assert all("somewhere in lines 2–4" in error for _, error, _ in out)


def test_every_event_failed_for_different_reasons_is_not_guessed():
    out = list(map_failures(PLAN, batch(2), [{"error": "a"}, {"error": "b"}], 2))
    assert [line for line, _, _ in out] == [None, None]
