"""The uploader's lenient reader: matches a server's partial failures (which name an event's
timestamp, not its position) back to input lines. Python's ISO parser, no range check."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from app.core.time.units import NS_PER_UNIT, epoch_unit, fraction_ns

_FRACTION = re.compile(r"(\.\d+)")


def epoch_unit_ns(number: float) -> int:
    """Scale a numeric epoch to ns by its magnitude (see `epoch_unit`)."""
    scale = NS_PER_UNIT[epoch_unit(number)]
    if isinstance(number, int):
        return number * scale
    if scale == 1:
        return int(number)
    return int(round(number * scale))


def to_epoch_ns(value) -> int | None:
    """A failure's or event's timestamp as epoch ns, leniently; None when it is not a time."""
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
        frac_ns = fraction_ns(m.group(1)[1:])
        text = text.replace(m.group(1), "", 1)
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * 1_000_000_000 + frac_ns
