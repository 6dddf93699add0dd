"""Whole blocks of logfmt lines turned into NDJSON by the regex engine: the throughput path for
logfmt logs whose lines share their keys (`time=… level=… msg="…" status=200 …`).

The block's first line says the keys, their order and what each value is (a quoted text, a bare
text, an integer, a decimal, a boolean, as fields.typed reads it); one pattern built from that
must then match every line, each value of the kind its column has. The values are %-formatted
into records in one go; the numbers are written as orjson writes them (converted by C-level
maps, `1.50` becomes `1.5` as on the per-line path) and the time (the first of the time keys that
holds a text) is read once per distinct second through the same Clock. A block that does not fit
(another key, a value of another kind, a backslash, a control or non-ASCII byte, a blank line)
returns None and goes the per-line way, which gives the same events: tests compare the two.
"""

from __future__ import annotations

import re
from itertools import chain, repeat

import orjson

from app.core.textlog.clock import Clock
from app.core.textlog.fast import _Times as Whole
from app.core.textlog.fast_events import _Times as SecondTimes, _Unreadable
from app.core.textlog.fields import LOGFMT_PAIR, typed
from app.core.textlog.formats import LOGFMT_TIME_KEYS

_CONTROL = bytes(range(10)) + bytes(range(11, 32))
_PAIR = re.compile(LOGFMT_PAIR.pattern.encode())
_NUMBER = rb"-?(?:0|[1-9]\d{0,17})"
_END = rb"(?= |$)"
# the value pattern of each kind of column (over the block's bytes, one line at a time)
_KINDS = {
    "quoted": rb'"([^"\n]*)"',
    "int": rb"(" + _NUMBER + rb")" + _END,
    "float": rb"(" + _NUMBER + rb"(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+))" + _END,
    "bool": rb"(true|false)" + _END,
    "text": rb"((?!(?:" + _NUMBER + rb"(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false)" + _END + rb")[^\s\"]*)",
}
_ISO = rb"(\d\d\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d)([.,]\d{1,9})?([Zz]|[+-]\d\d:?\d\d)?"
_ISO_TEXT = re.compile(_ISO.decode())
_CONVERT = {"int": int, "float": float}


def _kind(raw: bytes) -> str:
    if raw.startswith(b'"'):
        return "quoted"
    value = typed(raw.decode("ascii"))
    return "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else \
        "float" if isinstance(value, float) else "text"


class _Schema:
    """The pattern and record template of one key sequence with its kinds of values. An ISO time
    is matched as three groups (second, fraction, zone): its second is read once for all lines."""

    def __init__(self, keys: tuple[bytes, ...], kinds: tuple[str, ...], time_at: int | None, iso: bool):
        parts, fields = [], []
        self.kinds: list[str] = []  # per group
        self.time_group: int | None = None
        self.iso = iso and time_at is not None
        for i, (key, kind) in enumerate(zip(keys, kinds)):
            # The key as the per-line path writes it (orjson: quotes, backslashes, controls
            # escaped), with % doubled: it goes into a %-format template.
            name = orjson.dumps(key.decode("utf-8")).replace(b"%", b"%%")
            if i == time_at:
                self.time_group = len(self.kinds)
            if i == time_at and self.iso:
                value = _ISO if kind == "text" else b'"' + _ISO + b'"'
                self.kinds += ["sec", "frac", "zone"]
                fields.append(name + b':"%s%s%s"')
            else:
                value = _KINDS[kind]
                self.kinds.append(kind)
                fields.append(name + b":" + (b"%s" if kind in _TYPED else b'"%s"'))
            parts.append(re.escape(key) + b"=" + value)
        self.rx = re.compile(b"^" + b" ".join(parts) + b"$", re.MULTILINE)
        head = b'{"_time":"%s%s%s",' if self.iso else b'{"_time":"%s",' if time_at is not None else b"{"
        self.template = head + b",".join(fields) + b"}\n"
        self.width = len(self.kinds)


_TYPED = ("int", "float", "bool")


class Logfmt:
    """The block reader of the logfmt format, for one input's Clock."""

    def __init__(self, clock: Clock):
        self.seconds = SecondTimes(clock)
        self.whole = Whole(clock, None)
        self.schemas: dict[tuple, _Schema] = {}

    def _schema(self, first: bytes) -> _Schema | None:
        pairs = _PAIR.findall(first)
        keys = tuple(k for k, _ in pairs)
        if not pairs or len(set(keys)) != len(keys) or b"_time" in keys:
            return None
        kinds = tuple(_kind(v) for _, v in pairs)
        time_at, iso = None, False
        for name in LOGFMT_TIME_KEYS:  # parse.py's choice: the first of these keys holding a text
            key = name.encode()
            if key in keys and kinds[keys.index(key)] in ("quoted", "text"):
                time_at = keys.index(key)
                iso = _ISO_TEXT.fullmatch(pairs[time_at][1].strip(b'"').decode()) is not None
                break
        sig = (keys, kinds, time_at, iso)
        schema = self.schemas.get(sig)
        if schema is None:
            if len(self.schemas) > 64:
                self.schemas.clear()
            schema = self.schemas[sig] = _Schema(keys, kinds, time_at, iso)
        return schema

    def translate(self, block: bytes, n: int) -> bytes | None:
        """The NDJSON of a block of `n` whole lines, one object per line; None when it does not fit."""
        if not block or block[-1] != 0x0A or not block.isascii() or b"\\" in block:
            return None
        if len(block.translate(None, _CONTROL)) != len(block):
            return None
        self.seconds.trim()
        schema = self._schema(block[: block.find(b"\n")])
        if schema is None:
            return None
        found = schema.rx.findall(block)
        if len(found) != n:
            return None
        columns = list(zip(*found)) if schema.width > 1 else [tuple(found)]
        for i, kind in enumerate(schema.kinds):
            if kind == "int" or kind == "float":  # written as orjson writes the number typed() reads
                columns[i] = orjson.dumps(list(map(int if kind == "int" else float, columns[i])))[1:-1].split(b",")
        t = schema.time_group
        try:
            if t is None:
                lead = []
            elif schema.iso:
                keys = list(map(bytes.__add__, columns[t], columns[t + 2])) if any(columns[t + 2]) else columns[t]
                heads = list(map(self.seconds.__getitem__, keys))
                fracs = columns[t + 1]
                if b"," in block:
                    fracs = list(map(bytes.replace, fracs, repeat(b","), repeat(b".")))
                lead = [heads, fracs, list(map(self.seconds.tails.__getitem__, keys))]
            else:
                lead = [list(map(self.whole.__getitem__, columns[t]))]
        except _Unreadable:
            return None
        return (schema.template * n) % tuple(chain.from_iterable(zip(*lead, *columns)))
