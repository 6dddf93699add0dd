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


def test_rate_limit_waits_have_a_floor_that_grows_and_honour_longer_server_waits():
    b = Backoff()
    assert [b.rate_limit_delay(0.0) for _ in range(5)] == [1.0, 1.5, 2.25, 3.375, 5.0625]
    assert b.attempts == 0  # a 429 is not a failed attempt
    assert Backoff().rate_limit_delay(30.0) == 30.0  # a normal wait is the server's
    capped = Backoff(rate_limit_cap=4.0)
    assert max(capped.rate_limit_delay(0.0) for _ in range(20)) == 4.0


def test_retries_stop_a_window_after_the_first_failure():
    """A server that fails slowly (each request until its deadline) is not waited on 8 times."""
    now = [0.0]
    b = Backoff(rng=random.Random(3), window=60.0, clock=lambda: now[0])
    now[0] = 70.0  # the first request ran into its deadline
    b.next_delay()
    assert not b.give_up
    now[0] = 140.5  # and the second
    b.next_delay()
    assert b.give_up and b.attempts == 2


def test_a_reset_hours_away_is_named_in_local_time_and_utc(monkeypatch):
    import time

    from app.core.job import policy

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        now = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC
        err = RateLimited("rate limited (429): busy; try again in 3 h", status=429, detail="busy",
                          rate_limit=RateLimit("user", 100, 0, int(now) + 3 * 3600 + 20 * 60))
        kind, text = policy.rate_limited_too_long(err, 12_000, 0, now)
        waited_kind, waited = policy.rate_limited_too_long(
            RateLimited("rate limited (429): busy; try again in 0 s", status=429, retry_at=now), 60, 900, now)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert kind == waited_kind == "quota"
    assert text == ("rate limited (429: busy): the server's limit resets in 3 h 20 min (at 19:46 local time, "
                    "23:46 UTC), more than 15 min away; stopped without waiting. The upload can be resumed then: "
                    "what was already sent is not sent again")
    assert waited == ("rate limited for over 15 min (the last answer: rate limited (429): busy; try again in 0 s); "
                      "stopped. The server did not say when its limit resets; the upload can be resumed later: "
                      "what was already sent is not sent again")
