"""Timestamps as Axiom reads them: RFC 3339 / ISO 8601, numeric epochs by magnitude, Go layouts.

The one home for reading and detecting a time, so the sandbox (which stores `_time` the way the
server would), the uploader (which matches the server's partial failures back to input lines),
the sniffer (which names a field's timestamp-format) and the preview (which shows how each value
will be read) cannot drift apart on, say, where milliseconds end and microseconds begin.

Two readers on purpose: `parse_time` is the server's strict one (exact decimals, Axiom's
0001..9999 range, Go layouts); `to_epoch_ns` is the uploader's lenient one (Python's ISO parser,
no range check). They share the magnitude rule and the fraction padding (units.py).
"""

from app.core.time.detect import TIME_FIELD_NAMES, TimestampGuess, guess_timestamp, time_kind
from app.core.time.lenient import to_epoch_ns
from app.core.time.parse import NUMERIC_RE, parse_time
from app.core.time.units import datetime_ns, epoch_unit, format_time, utc_datetime

__all__ = [
    "NUMERIC_RE", "TIME_FIELD_NAMES", "TimestampGuess", "datetime_ns", "epoch_unit", "format_time",
    "guess_timestamp", "parse_time", "time_kind", "to_epoch_ns", "utc_datetime",
]
