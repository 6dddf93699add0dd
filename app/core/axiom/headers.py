"""Axiom's limit headers (X-RateLimit-*, X-IngestLimit-*, Retry-After) and the wait they imply."""

from __future__ import annotations

import email.utils
import time
from typing import Mapping

from app.core.axiom.errors import DEFAULT_RATE_LIMIT_WAIT, RateLimited
from app.core.axiom.models import IngestLimit, RateLimit


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    values = [headers.get(f"X-RateLimit-{k}") for k in ("Scope", "Limit", "Remaining", "Reset")]
    if all(v is None for v in values):
        return None
    scope, limit, remaining, reset = values
    return RateLimit(scope, _int(limit), _int(remaining), _int(reset))


def parse_ingest_limit(headers: Mapping[str, str]) -> IngestLimit | None:
    values = [headers.get(f"X-IngestLimit-{k}") for k in ("Limit", "Remaining", "Reset")]
    if all(v is None for v in values):
        return None
    return IngestLimit(*(_int(v) for v in values))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as an epoch second: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return now + max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return when.timestamp()


def rate_limit_wait(err: RateLimited, now: float | None = None) -> float:
    """Seconds to wait before resending: Retry-After when given, else until the limit's reset
    (at least 1 s, so a reset that has just passed by our clock does not hammer the server)."""
    now = time.time() if now is None else now
    if err.retry_at is not None:
        return max(0.0, err.retry_at - now)
    reset = err.reset
    if reset is not None:
        return max(1.0, reset - now)
    return DEFAULT_RATE_LIMIT_WAIT


def human_seconds(seconds: float) -> str:
    """A wait as a user reads it in a message: "45 s", "12 min", "3 h", "9 days"."""
    seconds = max(0, round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{round(seconds / 60)} min"
    if seconds < 172800:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"
