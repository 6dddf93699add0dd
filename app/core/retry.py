"""Backoff and waiting rules: when to resend a request, and how long to wait first.

Pure logic (no I/O, no sleeping): the upload job asks, then sleeps itself, so pause/cancel stay
responsive and tests run instantly with a seeded random and a fake clock.

The rules (DESIGN.md): network errors and 5xx are retried with capped, jittered backoff;
429/430 wait until the reset the headers give (not counted as backoff attempts); 413 splits the
batch; 400/401/403/404/409 are never retried.
"""

from __future__ import annotations

import random
import time
from typing import Callable

from app.core.axiom import (
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
    rate_limit_wait,
)

__all__ = ["Backoff", "wait_for_rate_limit", "is_retryable", "retry_action"]


class Backoff:
    """Capped, jittered exponential delays: 0.5 s, 1 s, 2 s … up to 30 s, each ±50 %.

    Jitter spreads the retries of many in-flight requests so they do not hit a recovering server
    together. `attempts` counts failures recorded by next_delay(); use it like this::

        try: send()
        except retryable error:
            delay = backoff.next_delay()
            if backoff.give_up: raise
            await asyncio.sleep(delay)

    so with max_attempts=8 a request is tried at most 8 times. `deadline` is a time on `clock`
    (time.monotonic by default) after which the job stops retrying; delays never run past it.
    """

    def __init__(
        self,
        *,
        start: float = 0.5,
        factor: float = 2.0,
        cap: float = 30.0,
        jitter: float = 0.5,
        max_attempts: int | None = 8,
        deadline: float | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.start = start
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
        self.max_attempts = max_attempts
        self.deadline = deadline
        self.rng = rng or random.Random()
        self.clock = clock
        self.attempts = 0

    def base_delay(self, attempt: int) -> float:
        """The un-jittered delay after the attempt-th failure (1-based), capped."""
        return min(self.cap, self.start * self.factor ** max(0, attempt - 1))

    def next_delay(self) -> float:
        """Record a failure and return how long to wait before the next try."""
        self.attempts += 1
        base = self.base_delay(self.attempts)
        delay = base * (1.0 + self.rng.uniform(-self.jitter, self.jitter))
        delay = min(self.cap, max(0.0, delay))
        if self.deadline is not None:
            delay = min(delay, max(0.0, self.deadline - self.clock()))
        return delay

    @property
    def give_up(self) -> bool:
        """True once max_attempts failures were recorded or the deadline has passed."""
        if self.max_attempts is not None and self.attempts >= self.max_attempts:
            return True
        return self.deadline is not None and self.clock() >= self.deadline

    def reset(self) -> None:
        """After a success: the next failure starts again from the shortest delay."""
        self.attempts = 0


def wait_for_rate_limit(err: RateLimited, now: float | None = None) -> float:
    """Seconds to wait after a 429/430 before resending.

    Retry-After when the server sent it (seconds or an HTTP date), else until X-RateLimit-Reset
    (X-IngestLimit-Reset for a 430), at least 1 s; a default when the headers say nothing."""
    return rate_limit_wait(err, now)


def is_retryable(err: BaseException) -> bool:
    """Should the same request be sent again after a backoff delay?

    Network errors and 5xx: yes. RateLimited: no, not in the backoff sense — wait
    wait_for_rate_limit(err) and resend (see retry_action). TooLarge: no, split the batch.
    400/401/403/404/409 and anything else: no, resending gets the same answer."""
    return isinstance(err, (TransportError, ServerError))


def retry_action(err: BaseException) -> str:
    """What an upload does after this error: "retry" (backoff), "wait" (rate limit, then resend),
    "split" (413) or "fail"."""
    if isinstance(err, RateLimited):
        return "wait"
    if isinstance(err, TooLarge):
        return "split"
    if is_retryable(err):
        return "retry"
    return "fail"

