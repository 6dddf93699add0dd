"""Whole regions of multi-line events turned into NDJSON by the regex engine: the throughput path
for the two common framework layouts, Python logging's "timestamp - logger - LEVEL - message"
with tracebacks and log4j/logback's "timestamp [thread] LEVEL logger - message" with Java stack
traces (`\tat …`, `Caused by: …`).

A region is a run of whole lines from one event's start line to just before a later start line
(the caller feeds what is before and after it line by line, so an event cut by a block end is
joined as before). Each event is found by one pattern: its start line's fields, then its
continuation lines (every line that is no start line, as multiline.Grouper decides), then the
blank lines that end it (no part of `message`, as parse.py's `_joined` has it). The fields are
%-formatted into records in one go, newlines and tabs inside values escaped afterwards with
bytes.replace; the lines and bytes of each event are counted with C-level maps, never a Python
loop per event. A region that does not qualify returns None and goes the per-line way (the same
events: tests compare the two). Its first line picks the layout; a region mixing them goes line
by line.

Only lines the per-line reading (fields.framework) would give exactly these fields qualify.
Python: the logger is a plain dotted name that is no level word (it would be taken for the
level), the message does not open with "[" (it would be a thread). log4j/logback: the thread
holds no level word (the first one in the line is the level), the logger is a plain name
(letters, digits, `_`, `.`, `$`) ahead of spaces and "- ". Both: no line holds non-ASCII bytes
in its first 40 bytes (Unicode digits or spaces read differently as str than as bytes).
"""

from __future__ import annotations

import re
from functools import partial, reduce
from itertools import chain, repeat
from operator import add

from app.core.textlog.clock import Clock
from app.core.textlog.fast import _Unreadable
from app.core.textlog.fields import LEVEL_AT
from app.core.textlog.multiline import MAX_EVENT_CHARS, MAX_EVENT_LINES
from app.core.textlog.timestamps import LEVELS

try:  # the same region path in C (_native_events.c): several times faster; absent where nothing compiled it
    from app.core.textlog import _native_events
except ImportError:  # pragma: no cover - the CI and the bundle build it
    _native_events = None

_CONTROL = bytes(b for b in range(32) if b not in (0x09, 0x0A))  # a tab is escaped below; CR, … are not
# timestamps.ISO_ZONED | ISO_NAIVE as one pattern (the same lines match; `\d{4}` is slower in `re`)
_TIME = rb"\d\d\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:[Zz]|[+-]\d\d:?\d\d)?"
START = re.compile(rb"(?m)^\[?" + _TIME + rb"\]?[ \t]")  # a line multiline.Grouper starts an event on
_NOT_START = rb"(?!\[?" + _TIME + rb"\]?[ \t])"
_LEVELS = frozenset(w.encode() for w in LEVELS)
_SECONDS = rb"(\d\d\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d)([.,]\d{1,9})?([Zz]|[+-]\d\d:?\d\d)?"
# Python: time (seconds, fraction, zone), logger, level, the message's first line
_HEAD = rb"^" + _SECONDS + rb" - ([\w.]{1,60}) - ([A-Z]{3,9}) - (?!\[)([^\n]*"
# log4j/logback "%d [%t] %-5level %logger - %msg": time, thread, level, its padding, logger, the
# spaces before "- ", the message's first line
_JAVA_HEAD = rb"^" + _SECONDS + rb" \[([^\]\n]{0,59})\] ([A-Z]{3,9})( +)([\w.$]{1,79})( +)- ([^\n]*"
_JAVA = re.compile(_SECONDS + rb" \[")


def _patterns(head: bytes) -> tuple["re.Pattern[bytes]", "re.Pattern[bytes]"]:
    """The head's fields, the message's first line and its continuation lines, the blank lines
    after them. Without blank lines in the region the message takes every continuation line
    (greedy, no look-ahead per line); with them it stops before the trailing ones."""
    greedy = re.compile(head + rb"(?:\n" + _NOT_START + rb"[^\n]*)*)()\n", re.MULTILINE)
    lazy = re.compile(head + rb"(?:\n" + _NOT_START + rb"[^\n]*)*?)((?:\n" + _NOT_START + rb"[ \t]*)*)\n"
                      rb"(?=\[?" + _TIME + rb"\]?[ \t]|\Z)", re.MULTILINE)
    return greedy, lazy


_GREEDY, _LAZY = _patterns(_HEAD)
_JAVA_GREEDY, _JAVA_LAZY = _patterns(_JAVA_HEAD)
_BLANK = re.compile(rb"\n[ \t]*\n")
_RECORD = b'{"_time":"%s%s%s","level":"%s","logger":"%s","message":"%s"}\0'
_JAVA_RECORD = b'{"_time":"%s%s%s","level":"%s","thread":"%s","logger":"%s","message":"%s"}\0'
_FIXED = len(b" -  -  - \n")  # the bytes of an event that are in no group
_JAVA_FIXED = len(b" [] - \n")
_WIDE = re.compile(rb"(?m)^[^\n]{0,40}?[\x80-\xff]")
# What str.isspace() takes beyond ASCII (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
# U+202F, U+205F, U+3000), in UTF-8: the per-line path drops trailing lines of them, this one would not.
_UNICODE_SPACES = tuple(chr(c).encode() for c in range(0x80, 0x3001) if chr(c).isspace())
_UNICODE_SPACE = re.compile(b"|".join(map(re.escape, _UNICODE_SPACES)))
# what _native_events.events is given of the rules whose home is here and in fields/multiline
_RULES = (_LEVELS, LEVEL_AT.search, MAX_EVENT_LINES, MAX_EVENT_CHARS, _UNICODE_SPACES)


class _Times(dict):
    """A timestamp's seconds and zone (raw bytes) → its RFC 3339 head ('YYYY-MM-DDTHH:MM:SS'),
    with the offset that follows the fraction in `tails`: each distinct second read once (zoned
    or naive as parse.py's "iso" form decides)."""

    def __init__(self, clock: Clock):
        super().__init__()
        self.clock = clock
        self.tails: dict[bytes, bytes] = {}

    def trim(self) -> None:
        """Bounded memory: emptied between blocks, never while a block reads its heads and then
        its tails (a clear in between lost the tails of the heads read before it)."""
        if len(self) > 100_000:
            self.clear()
            self.tails.clear()

    def __missing__(self, key: bytes) -> bytes:
        s = key.decode("ascii")
        t = self.clock.rfc3339("iso-zoned" if len(s) > 19 else "iso-naive", s)
        if t is None:
            raise _Unreadable
        head = self[key] = t[:19].encode("ascii")
        self.tails[key] = t[19:].encode("ascii")
        return head


def _ok(region: bytes) -> bool:
    if b"\\" in region or len(region.translate(None, _CONTROL)) != len(region):
        return False
    if region.isascii():
        return True
    try:
        region.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _WIDE.search(region) is None and _UNICODE_SPACE.search(region) is None


class Events:
    """The region reader of the framework format (Python logging's "asctime - name - levelname -
    message", log4j/logback's "%d [%t] %-5level %logger - %msg"), for one input's Clock."""

    start = START

    def __init__(self, clock: Clock, native: bool = True):
        """`native=False`: the regex path even where the C one is there (the tests compare them)."""
        self.times = _Times(clock)
        self.native = native and _native_events is not None

    def translate(self, region: bytes) -> tuple[bytes, list[int], list[int]] | None:
        """(NDJSON with one record per event, lines of each event, bytes of each event) for a
        region of whole lines whose first line starts an event; None when it does not qualify."""
        if not self.native:
            return self.translate_re(region)
        self.times.trim()
        try:
            return _native_events.events(region, self.times, _RULES)
        except _Unreadable:
            return None

    def translate_re(self, region: bytes) -> tuple[bytes, list[int], list[int]] | None:
        """translate() by the regex engine: findall, C-level maps and one %-format of the region."""
        if not region or region[-1] != 0x0A or not _ok(region):
            return None
        self.times.trim()
        java = _JAVA.match(region) is not None
        found = ((_JAVA_LAZY if java else _LAZY) if _BLANK.search(region) else
                 (_JAVA_GREEDY if java else _GREEDY)).findall(region)
        if not found:
            return None
        columns = list(zip(*found))
        if java:
            secs, fracs, zones, threads, levels, _, loggers, _, msgs, blanks = columns
            if not _LEVELS.issuperset(levels) or any(LEVEL_AT.search(t.decode("utf-8")) for t in set(threads)):
                return None  # a level that is no level word, or a thread holding one (it would be the level)
        else:
            secs, fracs, zones, loggers, levels, msgs, blanks = columns
            if not _LEVELS.issuperset(levels) or not _LEVELS.isdisjoint(g.upper() for g in set(loggers)):
                return None  # a level that is no level word, or a logger fields.framework takes for the level
        fixed = _JAVA_FIXED if java else _FIXED
        nl = repeat(b"\n")
        lines = list(map(add, map(bytes.count, msgs, nl), map(bytes.count, blanks, nl)))
        sizes = list(reduce(partial(map, add), (map(len, c) for c in columns)))  # each event's bytes in groups
        total = sum(sizes) + fixed * len(sizes)
        if total != len(region) or max(lines) >= MAX_EVENT_LINES or max(sizes) >= MAX_EVENT_CHARS - fixed:
            return None  # not every line was read, or an event the grouper would cut
        keys = list(map(add, secs, zones)) if any(zones) else secs
        try:
            heads = list(map(self.times.__getitem__, keys))
        except _Unreadable:
            return None
        tails = map(self.times.tails.__getitem__, keys)
        if b"," in region:
            fracs = map(bytes.replace, fracs, repeat(b","), repeat(b"."))
        if b'"' in region:
            msgs = tuple(map(bytes.replace, msgs, repeat(b'"'), repeat(b'\\"')))
            if java:
                threads = tuple(map(bytes.replace, threads, repeat(b'"'), repeat(b'\\"')))
        if java:
            out = (_JAVA_RECORD * len(found)) % tuple(chain.from_iterable(
                zip(heads, fracs, tails, levels, threads, loggers, msgs)))
        else:
            out = (_RECORD * len(found)) % tuple(chain.from_iterable(zip(heads, fracs, tails, levels, loggers, msgs)))
        out = out.replace(b"\n", b"\\n")
        if b"\t" in out:
            out = out.replace(b"\t", b"\\t")
        return out.replace(b"\0", b"\n"), list(map(add, lines, repeat(1))), list(map(add, sizes, repeat(fixed)))
