"""The job's retry rules, the only ones: what to do after each error, and how long to wait.

Pure logic (no I/O, no sleeping): the upload job asks classify(), acts on the Action, and sleeps
itself, so pause/cancel stay responsive and tests run instantly with a seeded random and a fake
clock.

The rules (DESIGN.md): network errors, 5xx and answers of unknown meaning are retried with capped,
jittered backoff (counted as possible duplicates when the request had arrived whole);
429 waits until the reset the headers give, never less than a floor that grows with each 429 (not
counted as backoff attempts), and stops once the waits pass MAX_RATE_LIMIT_WAIT; 430 (the monthly
quota) stops the job; 413 splits the batch; 400 finds the bad events (the server took none);
401/403/404/409 and anything else stop the job with a message that says what to do. A 404 on
ingest means the dataset does not exist (Axiom never creates one on ingest): the job stops before
sending more, its events count as not sent, and it resumes once the dataset is created — the
window asks to create it, the CLI does so with --create-dataset (missing_dataset_* below).
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
    ErrorKind,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
    rate_limit_wait,
)
from app.core.journal import StopKind

__all__ = ["Action", "Backoff", "MAX_RATE_LIMIT_WAIT", "classify", "dataset_is_missing", "gave_up", "may_be_stored",
           "missing_dataset_message", "missing_dataset_prompt", "rate_limited_too_long", "resent_warning",
           "stop_reason", "unanswered_warning", "wait_for_rate_limit"]

MAX_RATE_LIMIT_WAIT = 15 * 60  # give up on a batch after waiting this long for rate limits
RETRY_WINDOW = 60.0  # retry a failing request for at most this long after its first failure


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
    if isinstance(err, (TransportError, ServerError)) or (isinstance(err, AxiomError) and err.maybe_sent):
        return Action.RETRY  # maybe_sent: an answer of unknown meaning to a request that arrived whole
    return Action.STOP


def may_be_stored(err: AxiomError) -> bool:
    """The request arrived whole and the answer does not say it was refused (a network failure
    after the body went out, a 5xx such as a gateway's 504, an answer that cannot be read): the
    server may have stored its events, so resending them may store them twice."""
    return err.maybe_sent


def resent_warning(err: AxiomError, count: int) -> str:
    """What the user reads about events resent after an answer that leaves them perhaps stored."""
    if isinstance(err, TransportError):
        what = "the connection failed after the request was sent"
    elif isinstance(err, ServerError):
        what = f"the server answered {err.status} after the request was sent"
    else:
        what = "the server's answer did not say what it stored"
    return f"{what} ({err.message}); it was sent again, so these {count} events may be stored twice"


def unanswered_warning(count: int) -> str:
    """The retries gave out after a request that may have been stored: not resent, not hidden."""
    return (f"the last request for these {count} events reached the server but its answer did not say what it "
            "stored: they count as not sent, yet may be stored; resuming sends them again, so they may then be "
            "stored twice")


def stop_reason(err: AxiomError, dataset: str) -> tuple[StopKind, str]:
    """For an error classified STOP: its kind and the message the user sees."""
    if isinstance(err, RateLimited):
        return StopKind.QUOTA, err.message
    if isinstance(err, AuthError):
        return StopKind.AUTH, str(err.message)
    if isinstance(err, NotFound):
        return StopKind.DATASET, missing_dataset_message(dataset)
    return StopKind.SERVER, str(err.message)


def dataset_is_missing(kind: object) -> bool:
    """A job (its result's error_kind) or an error (its kind) stopped because the dataset does
    not exist: creating it and resuming sends the events not sent."""
    return kind in (StopKind.DATASET, ErrorKind.DATASET_MISSING)


def missing_dataset_message(dataset: str, how_to_create: str = "create it, then resume",
                            resumable: bool = True) -> str:
    """Why a job stopped at a 404 on ingest; `how_to_create` is the front end's way (the CLI
    names its flag). Nothing was lost: the events are counted as not sent, and kept for a resume
    unless the input cannot be read again (standard input: `resumable=False`)."""
    return (f"dataset {dataset!r} does not exist (404; Axiom does not create datasets on ingest): "
            f"{how_to_create}" + (" — the events not sent are kept for that" if resumable else ""))


def missing_dataset_prompt(dataset: str, region: str | None) -> tuple[str, str]:
    """The window's question after a 404 on ingest: (question, detail). `region` is a label such
    as "EU (eu-central-1)" when the profile has one: a dataset's region cannot change later."""
    where = f" in {region} (a dataset's region cannot change later)" if region else ""
    return (f"Dataset “{dataset}” does not exist. Create it?",
            f"It will be created{where}, then the upload goes on with the events not sent yet. "
            "Nothing was stored in it so far.")


def gave_up(err: AxiomError, attempts: int) -> tuple[StopKind, str]:
    """An error classified RETRY after the backoff gave up."""
    return (StopKind.NETWORK if isinstance(err, TransportError) else StopKind.SERVER,
            f"gave up after {attempts} attempt{'' if attempts == 1 else 's'}: {err.message}")


def rate_limited_too_long(err: RateLimited, wait: float, waited: float,
                          now: float | None = None) -> tuple[StopKind, str]:
    """The job stops rather than wait `wait` more seconds after `waited` already: when the
    server's limit resets (if it said, in the future) and that the upload can be resumed."""
    now = time.time() if now is None else now
    resets = [t for t in (err.retry_at, err.reset) if t is not None and t > now + 1]
    when = f"resets {_when(resets[0], now)}" if resets else None
    kept = "what was already sent is not sent again"
    limit = _duration(MAX_RATE_LIMIT_WAIT)
    if not waited and when:  # the first answer already named a reset this far away
        said = f"{err.status}: {err.detail}" if err.detail else f"{err.status}"
        return StopKind.QUOTA, (f"rate limited ({said}): the server's limit {when}, more than {limit} away; "
                                f"stopped without waiting. The upload can be resumed then: {kept}")
    if when:
        after = f"The server's limit {when}; the upload can be resumed then: {kept}"
    else:
        after = f"The server did not say when its limit resets; the upload can be resumed later: {kept}"
    return StopKind.QUOTA, f"rate limited for over {limit} (the last answer: {err.message}); stopped. {after}"


def _when(at: float, now: float) -> str:
    """ "in 3 h 20 min (at 17:20 local time, 15:20 UTC)"; with the date when it is not today."""
    local, utc = time.localtime(at), time.gmtime(at)
    fmt = "%H:%M" if local[:3] == time.localtime(now)[:3] else "%Y-%m-%d %H:%M"
    return f"in {_duration(at - now)} (at {time.strftime(fmt, local)} local time, {time.strftime(fmt, utc)} UTC)"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h" if hours else f"{days} days"


class Backoff:
    """Capped, jittered exponential delays: 0.5 s, 1 s, 2 s … up to 30 s, each ±50 %.

    Jitter spreads the retries of many in-flight requests so they do not hit a recovering server
    together. `attempts` counts failures recorded by next_delay(); use it like this::

        try: send()
        except retryable error:
            delay = backoff.next_delay()
            if backoff.give_up: raise
            await asyncio.sleep(delay)

    so with max_attempts=8 a request is tried at most 8 times. `window`: nor for longer than this
    many seconds after its first failure — 8 quick failures take about that long, and a server
    that fails slowly (no answer until the request's deadline) is not waited on for 8 deadlines.
    `deadline` is a time on `clock` (time.monotonic by default) after which the job stops
    retrying; delays never run past it.
    """

    def __init__(
        self,
        *,
        start: float = 0.5,
        factor: float = 2.0,
        cap: float = 30.0,
        jitter: float = 0.5,
        max_attempts: int | None = 8,
        window: float | None = RETRY_WINDOW,
        deadline: float | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_limit_floor: float = 1.0,
        rate_limit_growth: float = 1.5,
        rate_limit_cap: float = 60.0,
    ) -> None:
        self.start = start
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
        self.max_attempts = max_attempts
        self.window = window
        self._first_failure: float | None = None
        self.deadline = deadline
        self.rng = rng or random.Random()
        self.clock = clock
        self.attempts = 0
        self.rate_limit_floor, self.rate_limit_growth, self.rate_limit_cap = rate_limit_floor, rate_limit_growth, rate_limit_cap
        self.rate_limited = 0

    def base_delay(self, attempt: int) -> float:
        """The un-jittered delay after the attempt-th failure (1-based), capped."""
        return min(self.cap, self.start * self.factor ** max(0, attempt - 1))

    def next_delay(self) -> float:
        """Record a failure and return how long to wait before the next try."""
        self.attempts += 1
        if self._first_failure is None:
            self._first_failure = self.clock()
        base = self.base_delay(self.attempts)
        delay = base * (1.0 + self.rng.uniform(-self.jitter, self.jitter))
        delay = min(self.cap, max(0.0, delay))
        if self.deadline is not None:
            delay = min(delay, max(0.0, self.deadline - self.clock()))
        return delay

    @property
    def give_up(self) -> bool:
        """True once max_attempts failures were recorded, the window since the first one has
        passed, or the deadline has."""
        if self.max_attempts is not None and self.attempts >= self.max_attempts:
            return True
        if self.window is not None and self._first_failure is not None \
                and self.clock() - self._first_failure >= self.window:
            return True
        return self.deadline is not None and self.clock() >= self.deadline

    def rate_limit_delay(self, server_wait: float) -> float:
        """The wait after a 429 (not counted as an attempt): what the server asked for, but never
        under a floor that starts at rate_limit_floor and grows with each 429 of this request, up
        to rate_limit_cap — a "Retry-After: 0", or a reset already past, is no licence to hammer."""
        self.rate_limited += 1
        floor = min(self.rate_limit_cap, self.rate_limit_floor * self.rate_limit_growth ** (self.rate_limited - 1))
        return max(server_wait, floor)

    def reset(self) -> None:
        """After a success: the next failure starts again from the shortest delay."""
        self.attempts = self.rate_limited = 0
        self._first_failure = None


def wait_for_rate_limit(err: RateLimited, now: float | None = None) -> float:
    """Seconds to wait after a 429 before resending.

    Retry-After when the server sent it (seconds or an HTTP date), else until X-RateLimit-Reset
    (X-IngestLimit-Reset for a 430), at least 1 s; a default when the headers say nothing."""
    return rate_limit_wait(err, now)
