"""Turn a timestamp value into epoch nanoseconds, the way Axiom reads one without a format.

Used to match the server's partial failures (which name an event's timestamp, not its position)
back to input lines. RFC 3339 / ISO 8601 strings (a missing zone means UTC) and numeric epochs in
s, ms, µs or ns (told apart by magnitude, as the server does).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

_FRACTION = re.compile(r"(\.\d+)")


def epoch_unit_ns(number: float) -> int:
    """Scale a numeric epoch to ns by its magnitude: s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns."""
    n = abs(number)
    if isinstance(number, int):
        scale = 10**9 if n < 10**11 else 10**6 if n < 10**14 else 10**3 if n < 10**17 else 1
        return number * scale
    if n < 1e11:
        return int(round(number * 1e9))
    if n < 1e14:
        return int(round(number * 1e6))
    if n < 1e17:
        return int(round(number * 1e3))
    return int(number)


def to_epoch_ns(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return epoch_unit_ns(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return epoch_unit_ns(float(text) if "." in text else int(text))
    # Keep nanosecond precision: datetime only holds microseconds.
    frac_ns = 0
    m = _FRACTION.search(text)
    if m and re.search(r"\d:\d\d" + re.escape(m.group(1)), text):
        digits = m.group(1)[1:]
        frac_ns = int((digits + "000000000")[:9])
        text = text.replace(m.group(1), "", 1)
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * 1_000_000_000 + frac_ns
