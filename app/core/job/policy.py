"""The job's retry rules, the only ones: what to do after each error, and how long to wait.

Pure logic (no I/O, no sleeping): the upload job asks classify(), acts on the Action, and sleeps
itself, so pause/cancel stay responsive and tests run instantly with a seeded random and a fake
clock.

The rules (DESIGN.md): network errors and 5xx are retried with capped, jittered backoff;
429 waits until the reset the headers give (not counted as backoff attempts), 430 (the monthly
quota) stops the job; 413 splits the batch; 400 finds the bad events (the server took none);
401/403/404/409 and anything else stop the job with a message that says what to do.
"""

from __future__ import annotations

import enum
import random
import time
from typing import Callable

from app.core.axiom import (
    AuthError,
    AxiomError,
    BadRequest,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
    rate_limit_wait,
)
from app.core.journal import StopKind

__all__ = ["Action", "Backoff", "MAX_RATE_LIMIT_WAIT", "classify", "gave_up", "rate_limited_too_long",
           "stop_reason", "wait_for_rate_limit"]

MAX_RATE_LIMIT_WAIT = 15 * 60  # give up on a batch after waiting this long for rate limits


class Action(enum.Enum):
    """What the job does after a failed request."""

    RETRY = "retry"                      # the same request again after a backoff delay (5xx, network)
    WAIT_RATE_LIMIT = "wait"             # 429: wait until the limit resets, then resend
    SPLIT = "split"                      # 413: send the halves (one event alone: it fails)
    FIND_BAD_EVENTS = "find bad events"  # 400: name the bad events, send the rest
    STOP = "stop"                        # resending gets the same answer: the job stops sending


def classify(err: BaseException) -> Action:
    if isinstance(err, RateLimited):
        return Action.STOP if err.quota else Action.WAIT_RATE_LIMIT
    if isinstance(err, TooLarge):
        return Action.SPLIT
    if isinstance(err, BadRequest):
        return Action.FIND_BAD_EVENTS
    if isinstance(err, (TransportError, ServerError)):
        return Action.RETRY
    return Action.STOP


def stop_reason(err: AxiomError, dataset: str) -> tuple[StopKind, str]:
    """For an error classified STOP: its kind and the message the user sees."""
    if isinstance(err, RateLimited):
        return StopKind.QUOTA, err.message
    if isinstance(err, AuthError):
        return StopKind.AUTH, str(err.message)
    if isinstance(err, NotFound):
        return StopKind.DATASET, f"dataset {dataset!r} not found (404): create it first, or pick another"
    return StopKind.SERVER, str(err.message)


def gave_up(err: TransportError | ServerError, attempts: int) -> tuple[StopKind, str]:
    """An error classified RETRY after the backoff gave up."""
    return (StopKind.NETWORK if isinstance(err, TransportError) else StopKind.SERVER,
            f"gave up after {attempts} attempts: {err.message}")


def rate_limited_too_long() -> tuple[StopKind, str]:
    return StopKind.QUOTA, f"rate limited for over {MAX_RATE_LIMIT_WAIT // 60} minutes; stopped"


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
    """Seconds to wait after a 429 before resending.

    Retry-After when the server sent it (seconds or an HTTP date), else until X-RateLimit-Reset
    (X-IngestLimit-Reset for a 430), at least 1 s; a default when the headers say nothing."""
    return rate_limit_wait(err, now)
