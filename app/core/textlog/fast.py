"""Whole blocks of one-line events turned into NDJSON by the regex engine, not line by line in
Python: the throughput path for the big, regular logs (syslog, access logs).

A block qualifies when every line matches the format's line pattern and nothing in it needs JSON
escaping beyond `"` (no backslash, no control byte, no CR, valid UTF-8); the line pattern then
rewrites every line into its JSON object in one `subn` with a template, the few fields that were
empty or `-` are cut out with `bytes.replace`, and the timestamps (few distinct per block) are
read once each through the same Clock as the per-line path. A block that does not qualify goes
the per-line way (parse.py), which gives the same events: tests compare the two.
"""

from __future__ import annotations

import re
from itertools import chain

from app.core.textlog.clock import Clock
from app.core.textlog.timestamps import APACHE, SYSLOG, form_of

try:  # the same block paths in C (_native.c): several times faster; absent where nothing compiled it
    from app.core.textlog import _native
except ImportError:  # pragma: no cover - the CI and the bundle build it (tests/core/textlog/test_native.py)
    _native = None

_CONTROL = bytes(b for b in range(32) if b != 0x0A)  # a tab, a CR, …: JSON needs them escaped


def _ok(block: bytes) -> bool:
    if b"\\" in block or len(block.translate(None, _CONTROL)) != len(block):
        return False
    if block.isascii():
        return True
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _cut(*fields: bytes) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((f, b"") for f in fields)


_Q = rb'\\"([^"\\\n]*)\\"'  # a quoted field after `"` became `\"` (no backslash inside: checked)

# (line pattern over the escaped block, the group holding the time, the record's template with
# the groups in order, (empty field, what it becomes) pairs, time form)
_SYSLOG = (rb"^(" + SYSLOG.encode() + rb") (\S+) (?:([^\s\[\]:]+)(?:\[([^\]\n]*)\])?: ?)?(.*)$", 0,
           b'{"_time":"%s","hostname":"%s","appname":"%s","procid":"%s","message":"%s"}\n',
           _cut(b',"appname":""', b',"procid":""', b',"hostname":"-"', b',"appname":"-"', b',"procid":"-"'), "syslog")
# the time is captured first (in a lookahead) so that `_time` leads the record, as in parse.py's
_ACCESS = (rb"^(?=\S+ \S+ \S+ \[(" + APACHE.encode() + rb")\])(\S+) (\S+) (\S+) \[[^\]\n]+\] "
           rb"\\\"([A-Z]+) (\S+)(?: (HTTP/[\d.]+))?\\\" (\d{3}) (\d+|-)")
_ACCESS_FIELDS = (b'{"_time":"%s","remote_addr":"%s","ident":"%s","remote_user":"%s","method":"%s","path":"%s",'
                  b'"protocol":"%s","status":%s,"bytes":%s')
_ACCESS_EMPTIES = _cut(b',"remote_addr":"-"', b',"ident":"-"', b',"remote_user":"-"', b',"protocol":""', b',"bytes":-')
_COMBINED = (_ACCESS + rb" " + _Q + rb" " + _Q + rb"$", 0,
             _ACCESS_FIELDS + b',"referer":"%s","user_agent":"%s"}\n',
             _ACCESS_EMPTIES + _cut(b',"referer":"-"', b',"user_agent":"-"'), "apache")
_COMMON = (_ACCESS + rb"$", 0, _ACCESS_FIELDS + b"}\n", _ACCESS_EMPTIES, "apache")
PATTERNS = {"syslog-rfc3164": _SYSLOG, "access-combined": _COMBINED, "access-common": _COMMON}
# the C function that does what a format's pattern and template do, with its extra arguments
NATIVE = {} if _native is None else {"syslog-rfc3164": (_native.syslog,), "access-combined": (_native.access, True),
                                     "access-common": (_native.access, False)}


class _Times(dict):
    """Raw timestamp bytes → RFC 3339 bytes, each distinct timestamp read once."""

    def __init__(self, clock: Clock, form: str | None):
        super().__init__()
        self.clock, self.form = clock, form  # form None: each text's own (timestamps.form_of)

    def __missing__(self, key: bytes) -> bytes:
        text = key.decode("ascii")
        form = self.form or form_of(text)
        t = self.clock.rfc3339(form, text) if form else None
        if t is None:
            raise _Unreadable
        if len(self) > 100_000:
            self.clear()
        value = self[key] = t.encode("ascii")
        return value


class _Unreadable(Exception):
    """A timestamp in the block is no time: the block goes the per-line way, which keeps its text."""


class FastPath:
    def __init__(self, format_id: str, clock: Clock, native: bool = True):
        """`native=False`: the regex path even where the C one is there (the tests compare them)."""
        pattern, self.time_group, self.template, self.empties, form = PATTERNS[format_id]
        self.rx = re.compile(pattern, re.MULTILINE)
        self.times = _Times(clock, form)
        self.native = NATIVE.get(format_id) if native else None

    def translate(self, block: bytes, n: int) -> bytes | None:
        """The NDJSON of a block of `n` whole lines (ending "\\n"), one object per line; None when the
        block does not qualify (then nothing of it was consumed)."""
        if self.native is None:
            return self.translate_re(block, n)
        fn, *extra = self.native
        try:
            return fn(block, self.times, *extra)
        except _Unreadable:
            return None

    def translate_re(self, block: bytes, n: int) -> bytes | None:
        """translate() by the regex engine: all of it runs in C (findall,
        a slice of the values mapped through the time cache, one %-format of the whole block) but
        for each distinct time."""
        if not block or block[-1] != 0x0A or not _ok(block):
            return None
        escaped = block.replace(b'"', b'\\"') if b'"' in block else block
        found = self.rx.findall(escaped)
        if len(found) != n:
            return None
        values = list(chain.from_iterable(found))
        step = len(found[0]) if n else 1
        try:
            values[self.time_group::step] = map(self.times.__getitem__, values[self.time_group::step])
        except _Unreadable:
            return None
        out = (self.template * n) % tuple(values)
        for empty, instead in self.empties:
            if empty in out:
                out = out.replace(empty, instead)
        return out
