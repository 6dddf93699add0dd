"""The timestamps a log line may start with, as regular expressions, and what each one is.

One home for "which text is a time at the start of a line": the format regexes (formats.py), the
line-start pattern found in a sample (detect.py) and the conversion to RFC 3339 (clock.py) all use
these names, so a form added here is recognised everywhere.
"""

from __future__ import annotations

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MON = "(?:" + "|".join(MONTHS) + ")"

LEVELS = ("TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "ERR", "CRITICAL", "CRIT",
          "FATAL", "SEVERE", "ALERT", "EMERG", "EMERGENCY", "FINE", "FINER", "FINEST", "CONFIG")
LEVEL = r"(?:" + "|".join(sorted(LEVELS, key=len, reverse=True)) + r")"

# Each form: (name, regex). The regex matches the timestamp text itself (no anchors, no groups).
ISO_ZONED = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|z|[+-]\d\d:?\d\d)"
ISO_NAMED = (r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})? (?!" + LEVEL
             + r"\b)[A-Z]{2,5}\b")  # a zone name ("CET"), not a level
ISO_NAIVE = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?"
SYSLOG = _MON + r" [ \d]\d \d\d:\d\d:\d\d"
SLASHED = r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?"
APACHE = r"\d\d/" + _MON + r"/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}"

# Longest first: a zoned ISO time must not be read as its naive prefix.
FORMS: tuple[tuple[str, str], ...] = (
    ("iso-zoned", ISO_ZONED),
    ("iso-named-zone", ISO_NAMED),
    ("iso-naive", ISO_NAIVE),
    ("syslog", SYSLOG),
    ("slashed", SLASHED),
    ("apache", APACHE),
)
FORM_REGEX = dict(FORMS)

ANY_TIME = "(?:" + "|".join(rx for _, rx in FORMS) + ")"

import re as _re  # noqa: E402

_WHICH = _re.compile("|".join(f"(?P<{name.replace('-', '_')}>{rx})" for name, rx in FORMS))


def form_of(text: str) -> str | None:
    """Which of FORMS `text` is, wholly (None: none of them)."""
    m = _WHICH.fullmatch(text)
    return m.lastgroup.replace("_", "-") if m and m.lastgroup else None
