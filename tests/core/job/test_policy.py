"""The job's retry policy: what to do after each error, backoff and waiting rules (pure logic:
seeded random, fake clock)."""

from __future__ import annotations

import random

import pytest

from app.core.axiom import (
    AuthError,
    AxiomError,
    BadRequest,
    Conflict,
    IngestLimit,
    NotFound,
    RateLimit,
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
)
from app.core.job import Action, Backoff, classify, wait_for_rate_limit


def test_delays_double_from_half_a_second_and_stay_within_jitter():
    b = Backoff(rng=random.Random(42), max_attempts=None)
    delays = [b.next_delay() for _ in range(12)]
    bases = [0.5, 1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30]
    for delay, base in zip(delays, bases):
        assert base * 0.5 <= delay <= min(30.0, base * 1.5)
    assert b.attempts == 12
    assert max(delays) <= 30.0


def test_same_seed_same_delays_and_jitter_actually_varies():
    a = [Backoff(rng=random.Random(7)).next_delay() for _ in range(1)]
    b = [Backoff(rng=random.Random(7)).next_delay() for _ in range(1)]
    assert a == b
    spread = {round(Backoff(rng=random.Random(seed)).next_delay(), 4) for seed in range(20)}
    assert len(spread) > 10  # not all retries at the same instant
    assert all(0.25 <= d <= 0.75 for d in spread)


def test_no_jitter_gives_exact_capped_sequence():
    b = Backoff(jitter=0.0, max_attempts=None)
    assert [b.next_delay() for _ in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_gives_up_after_max_attempts_failures():
    b = Backoff(rng=random.Random(1))
    tries = 0
    while True:
        tries += 1  # a request that always fails
        b.next_delay()
        if b.give_up:
            break
    assert tries == 8
    assert b.attempts == 8
    b.reset()
    assert b.attempts == 0 and not b.give_up
    assert b.next_delay() <= 0.75


def test_deadline_stops_retries_and_clips_delays():
    now = [100.0]
    b = Backoff(rng=random.Random(3), max_attempts=None, deadline=110.0, clock=lambda: now[0])
    assert not b.give_up
    for _ in range(5):
        b.next_delay()
    now[0] = 108.0
    assert b.next_delay() <= 2.0  # never sleeps past the deadline
    now[0] = 110.0
    assert b.give_up


def _limited(status=429, *, retry_at=None, reset=None, ingest_reset=None):
    rl = RateLimit("user", 100, 0, reset) if reset is not None else None
    il = IngestLimit(1000, 0, ingest_reset) if ingest_reset is not None else None
    return RateLimited("rate limited", status=status, quota=status == 430, retry_at=retry_at, rate_limit=rl, ingest_limit=il)


def test_wait_uses_retry_after_first():
    err = _limited(retry_at=1005.0, reset=1060)
    assert wait_for_rate_limit(err, now=1000.0) == pytest.approx(5.0)
    assert wait_for_rate_limit(err, now=1003.0) == pytest.approx(2.0)
    assert wait_for_rate_limit(err, now=1010.0) == 0.0


def test_wait_until_reset_with_a_one_second_floor():
    err = _limited(reset=1030)
    assert wait_for_rate_limit(err, now=1000.0) == pytest.approx(30.0)
    assert wait_for_rate_limit(err, now=1029.8) == 1.0
    assert wait_for_rate_limit(err, now=2000.0) == 1.0


def test_quota_waits_for_the_ingest_limit_reset():
    err = _limited(430, reset=1030, ingest_reset=1000 + 86400)
    assert err.quota
    assert wait_for_rate_limit(err, now=1000.0) == pytest.approx(86400.0)


def test_wait_without_any_header_is_a_short_default():
    assert 1.0 <= wait_for_rate_limit(_limited(), now=1000.0) <= 60.0


@pytest.mark.parametrize(
    "err, retryable, action",
    [
        (TransportError("reset", maybe_sent=False), True, Action.RETRY),
        (TransportError("timeout", maybe_sent=True), True, Action.RETRY),
        (ServerError("boom", status=503), True, Action.RETRY),
        (RateLimited("slow down", status=429), False, Action.WAIT_RATE_LIMIT),
        (RateLimited("quota", status=430, quota=True), False, Action.STOP),  # the monthly quota stops the job
        (TooLarge("too big", status=413), False, Action.SPLIT),
        (BadRequest("bad", status=400), False, Action.FIND_BAD_EVENTS),  # never resent as it was
        (AuthError("no", status=401), False, Action.STOP),
        (AuthError("no", status=403, forbidden=True), False, Action.STOP),
        (NotFound("nope", status=404), False, Action.STOP),
        (Conflict("exists", status=409), False, Action.STOP),
        (AxiomError("redirected", status=302), False, Action.STOP),
        (ValueError("not ours"), False, Action.STOP),
    ],
)
def test_what_to_do_after_each_error(err, retryable, action):
    assert (classify(err) is Action.RETRY) is retryable
    assert classify(err) is action
