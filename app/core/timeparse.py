"""Timestamps as Axiom reads them: RFC 3339 / ISO 8601, numeric epochs by magnitude, Go layouts.

One home for every rule about reading a time, so the sandbox (which stores `_time` the way the
server would), the uploader (which matches the server's partial failures — they name an event's
timestamp, not its position — back to input lines) and the sniffer (which names an epoch's unit)
cannot drift apart on, say, where milliseconds end and microseconds begin.

Two readers on purpose: `parse_time` is the sandbox's strict one (exact decimals, Axiom's
0001..9999 range, Go layouts); `to_epoch_ns` is the uploader's lenient one (Python's ISO parser,
no range check). They share the magnitude rule and the fraction padding.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MIN_NS = -62135596800 * 10**9       # 0001-01-01
_MAX_NS = 253402300799 * 10**9       # 9999-12-31T23:59:59

NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


# ---------------------------------------------------------------- shared rules

def epoch_unit(number: Any) -> str:
    """The unit of a numeric epoch by its magnitude, as Axiom guesses it:
    s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns. Takes int, float or Decimal (exact comparisons)."""
    n = abs(number)
    return "s" if n < 10**11 else "ms" if n < 10**14 else "us" if n < 10**17 else "ns"


def fraction_ns(digits: str) -> int:
    """Fractional-second digits ("5", "123456789123") as ns: padded or cut to nine places."""
    return int(digits[:9].ljust(9, "0"))


# ---------------------------------------------------------------- lenient reader (uploader)

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


# ---------------------------------------------------------------- strict reader (sandbox)

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


def datetime_ns(dt: datetime, frac_ns: int = 0) -> int:
    """Exact ns since the epoch (a naive datetime is UTC); `frac_ns` adds sub-second digits
    that a datetime cannot hold."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return ((dt - _EPOCH) // timedelta(seconds=1)) * 10**9 + frac_ns


def _in_range(ns: int) -> int | None:
    return ns if _MIN_NS <= ns <= _MAX_NS else None


def _epoch_ns(value: Decimal) -> int | None:
    """Numeric epoch, unit guessed by magnitude like Axiom, kept exact; None out of range."""
    return _in_range(int(value * NS_PER_UNIT[epoch_unit(value)]))


_NUMERIC_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_RFC3339_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?"
)


def _offset_seconds(text: str) -> int:
    if text in ("Z", "z", "UTC", ""):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes, seconds = int(digits[:2]), int(digits[2:4] or 0), int(digits[4:6] or 0)
    return sign * (hours * 3600 + minutes * 60 + seconds)


def _guess_time(text: str) -> int | None:
    """RFC 3339, ISO 8601 or a numeric epoch in a string (CSV values are strings)."""
    if _NUMERIC_RE.fullmatch(text):
        try:
            return _epoch_ns(Decimal(text))
        except InvalidOperation:
            return None
    m = _RFC3339_RE.fullmatch(text)
    if m:
        y, mo, d, h, mi, s, frac, off = m.groups()
        try:
            dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                          tzinfo=timezone(timedelta(seconds=_offset_seconds(off or ""))))
        except ValueError:
            return None
        return _in_range(datetime_ns(dt, fraction_ns(frac or "")))
    try:  # other ISO 8601 spellings (basic format, week dates …)
        return _in_range(datetime_ns(datetime.fromisoformat(text)))
    except ValueError:
        return None


# Go layout chunks (reference time Mon Jan 2 15:04:05 -0700 MST 2006), longest first.
_GO_CHUNKS: list[tuple[str, str, str]] = [
    ("January", "month_name", r"([A-Za-z]+)"), ("Jan", "month_name", r"([A-Za-z]{3})"),
    ("Monday", "weekday", r"([A-Za-z]+)"), ("Mon", "weekday", r"([A-Za-z]{3})"),
    ("MST", "zone_name", r"([A-Za-z]{3,5}|[+-]\d{2,4})"),
    ("2006", "year", r"([+-]?\d{4})"), ("002", "yday", r"(\d{3})"),
    ("01", "month", r"(\d{2})"), ("02", "day", r"(\d{2})"), ("03", "hour12", r"(\d{2})"),
    ("04", "minute", r"(\d{2})"), ("05", "second", r"(\d{2})"), ("06", "year2", r"(\d{2})"),
    ("__2", "yday", r"( {0,2}\d{1,3})"), ("_2", "day", r"( ?\d{1,2})"),
    ("15", "hour", r"(\d{1,2})"), ("1", "month", r"(\d{1,2})"), ("2", "day", r"(\d{1,2})"),
    ("3", "hour12", r"(\d{1,2})"), ("4", "minute", r"(\d{1,2})"), ("5", "second", r"(\d{1,2})"),
    ("PM", "ampm", r"([AaPp][Mm])"), ("pm", "ampm", r"([AaPp][Mm])"),
    ("-07:00:00", "tz", r"([+-]\d{2}:\d{2}:\d{2})"), ("-070000", "tz", r"([+-]\d{6})"),
    ("-07:00", "tz", r"([+-]\d{2}:\d{2})"), ("-0700", "tz", r"([+-]\d{4})"), ("-07", "tz", r"([+-]\d{2})"),
    ("Z07:00:00", "tz", r"(Z|[+-]\d{2}:\d{2}:\d{2})"), ("Z070000", "tz", r"(Z|[+-]\d{6})"),
    ("Z07:00", "tz", r"(Z|[+-]\d{2}:\d{2})"), ("Z0700", "tz", r"(Z|[+-]\d{4})"), ("Z07", "tz", r"(Z|[+-]\d{2})"),
]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
          "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "BST": 1}


@functools.lru_cache(maxsize=64)
def compile_go_layout(layout: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """Translate a Go time layout into a regex and the meaning of each group; None when the
    layout has no recognisable element (then the value is stored as given)."""
    pattern, kinds, i, found = [], [], 0, False
    while i < len(layout):
        c = layout[i]
        if c in ".," and i + 1 < len(layout) and layout[i + 1] in "09":
            j = i + 1
            while j < len(layout) and layout[j] == layout[i + 1]:
                j += 1
            if j >= len(layout) or not layout[j].isdigit():
                digits = j - i - 1
                if layout[i + 1] == "0":
                    pattern.append(rf"[.,](\d{{{digits}}})")
                else:
                    pattern.append(r"(?:[.,](\d+))?")
                kinds.append("frac")
                i, found = j, True
                continue
        for chunk, kind, rx in _GO_CHUNKS:
            if layout.startswith(chunk, i):
                pattern.append(rx)
                kinds.append(kind)
                i += len(chunk)
                found = True
                if kind == "second" and not (i < len(layout) and layout[i] in ".," and
                                             i + 1 < len(layout) and layout[i + 1] in "09"):
                    pattern.append(r"(?:[.,](\d+))?")  # Go accepts a fraction after seconds
                    kinds.append("frac")
                break
        else:
            pattern.append(re.escape(c))
            i += 1
    if not found:
        return None
    return re.compile("".join(pattern), re.IGNORECASE), tuple(kinds)


def parse_go_layout(text: str, layout: str) -> int | None:
    """Parse `text` with a Go layout; nanoseconds since the epoch, or None."""
    compiled = compile_go_layout(layout)
    if compiled is None:
        return None
    rx, kinds = compiled
    m = rx.fullmatch(text)
    if not m:
        return None
    parts: dict[str, Any] = {"year": datetime.now(timezone.utc).year, "month": 1, "day": 1, "hour": 0,
                             "minute": 0, "second": 0, "frac": 0, "tz": 0}
    pm: bool | None = None
    yday = None
    try:
        for kind, raw in zip(kinds, m.groups()):
            if raw is None:
                continue
            raw = raw.strip()
            if kind == "month_name":
                names = [n for n in _MONTHS if n.startswith(raw.lower()) and len(raw) >= 3]
                if not names:
                    return None
                parts["month"] = _MONTHS.index(names[0]) + 1
            elif kind == "weekday":
                continue
            elif kind == "zone_name":
                if raw[0] in "+-":
                    parts["tz"] = _offset_seconds(raw.ljust(5, "0"))
                else:
                    parts["tz"] = _ZONES.get(raw.upper(), 0) * 3600
            elif kind == "tz":
                parts["tz"] = _offset_seconds(raw)
            elif kind == "year2":
                yy = int(raw)
                parts["year"] = 1900 + yy if yy >= 69 else 2000 + yy
            elif kind == "yday":
                yday = int(raw)
            elif kind == "hour12":
                parts["hour"] = int(raw)
            elif kind == "ampm":
                pm = raw.lower() == "pm"
            elif kind == "frac":
                parts["frac"] = fraction_ns(raw)
            else:
                parts[kind] = int(raw)
        hour = parts["hour"]
        if pm is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if pm else 0)
        tz = timezone(timedelta(seconds=parts["tz"]))
        if yday is not None:
            day0 = datetime(parts["year"], 1, 1, tzinfo=tz) + timedelta(days=yday - 1)
            dt = day0.replace(hour=hour, minute=parts["minute"], second=parts["second"])
        else:
            dt = datetime(parts["year"], parts["month"], parts["day"], hour, parts["minute"],
                          parts["second"], tzinfo=tz)
    except (ValueError, OverflowError):
        return None
    return _in_range(datetime_ns(dt, parts["frac"]))


def parse_time(value: Any, layout: str | None = None) -> int | None:
    """A timestamp value as nanoseconds since the epoch, or None when it cannot be read."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return _epoch_ns(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
        except InvalidOperation:
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if layout:
        if compile_go_layout(layout) is None:
            return None
        ns = parse_go_layout(text, layout)
        if ns is None and _NUMERIC_RE.fullmatch(text):
            return parse_time(float(text)) if "." in text or "e" in text.lower() else _epoch_ns(Decimal(text))
        return ns
    return _guess_time(text)
