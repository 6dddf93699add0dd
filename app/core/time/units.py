"""The rules every reader of a time shares: an epoch's unit by magnitude, fraction digits as ns,
Axiom's 0001..9999 range, UTC offsets, and writing a time back as RFC 3339."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MIN_NS = -62135596800 * 10**9       # 0001-01-01
_MAX_NS = 253402300799 * 10**9       # 9999-12-31T23:59:59

NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def epoch_unit(number: Any) -> str:
    """The unit of a numeric epoch by its magnitude, as Axiom guesses it:
    s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns. Takes int, float or Decimal (exact comparisons)."""
    n = abs(number)
    return "s" if n < 10**11 else "ms" if n < 10**14 else "us" if n < 10**17 else "ns"


def fraction_ns(digits: str) -> int:
    """Fractional-second digits ("5", "123456789123") as ns: padded or cut to nine places."""
    return int(digits[:9].ljust(9, "0"))


def in_range(ns: int) -> int | None:
    """`ns` when it lies in Axiom's 0001..9999 range, else None."""
    return ns if _MIN_NS <= ns <= _MAX_NS else None


def offset_seconds(text: str) -> int:
    """A zone written "Z", "UTC", "+02", "-0530", "+05:30:15" as seconds east of UTC."""
    if text in ("Z", "z", "UTC", ""):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes, seconds = int(digits[:2]), int(digits[2:4] or 0), int(digits[4:6] or 0)
    return sign * (hours * 3600 + minutes * 60 + seconds)


def datetime_ns(dt: datetime, frac_ns: int = 0) -> int:
    """Exact ns since the epoch (a naive datetime is UTC); `frac_ns` adds sub-second digits
    that a datetime cannot hold."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    if not dt.microsecond:  # whole seconds: a float holds them exactly (|s| < 2**53), and it is faster
        return int(dt.timestamp()) * 10**9 + frac_ns
    return ((dt - _EPOCH) // timedelta(seconds=1)) * 10**9 + frac_ns


def utc_datetime(ns: int) -> datetime:
    """ns since the epoch as an aware UTC datetime (to the microsecond), for display."""
    return _EPOCH + timedelta(microseconds=ns // 1000)


def format_time(ns: int) -> str:
    """RFC 3339 in UTC with Go's RFC3339Nano trimming ("…:05Z", "…:05.12Z")."""
    secs, frac = divmod(ns, 10**9)
    text = _format_seconds(secs)
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + "Z"


@functools.lru_cache(maxsize=4096)
def _format_seconds(secs: int) -> str:
    return (_EPOCH + timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
