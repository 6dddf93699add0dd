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

The same block path runs in C (_native_logfmt.c) where it is built: this module still decides the
keys, the kinds of values and the time key from the first line (the rules stay here and in
fields.py / formats.py), the C matcher follows `_KINDS` and `_ISO` over every line and writes the
`_Schema`'s pieces around the values; the regex path stays for comparison (`native=False`).
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

try:  # the same block path in C: several times faster; absent where nothing compiled it
    from app.core.textlog import _native_logfmt
except ImportError:  # pragma: no cover - the CI and the bundle build it
    _native_logfmt = None

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
_ISO_BARE = _ISO.replace(rb"[T ]", b"T")  # a bare value ends at a space (LOGFMT_PAIR): no space inside
_CONVERT = {"int": int, "float": float}


def _kind(raw: bytes) -> str:
    if raw.startswith(b'"'):
        return "quoted"
    value = typed(raw.decode("ascii"))
    return "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else \
        "float" if isinstance(value, float) else "text"


class _Schema:
    """The pattern and record template of one key sequence with its kinds of values. An ISO time
    is matched as three groups (second, fraction, zone): its second is read once for all lines.

    `pieces` are the record's bytes between its values (the time first, then each group), the
    template is made of them (% doubled: a key may hold one); `native` is what the C path needs."""

    def __init__(self, keys: tuple[bytes, ...], kinds: tuple[str, ...], time_at: int | None, iso: bool):
        parts, pairs = [], []
        self.kinds: list[str] = []  # per group
        self.time_group: int | None = None
        self.iso = iso and time_at is not None
        pieces = [b'{"_time":"', b"", b"", b'",'] if self.iso else [b'{"_time":"', b'",'] if time_at is not None \
            else [b"{"]
        for i, (key, kind) in enumerate(zip(keys, kinds)):
            # The key as the per-line path writes it (orjson: quotes, backslashes, controls escaped)
            name = orjson.dumps(key.decode("utf-8"))
            pieces[-1] += (b"," if i else b"") + name + b":"
            if i == time_at:
                self.time_group = len(self.kinds)
            if i == time_at and self.iso:
                value = _ISO_BARE if kind == "text" else b'"' + _ISO + b'"'
                self.kinds += ["sec", "frac", "zone"]
                pieces[-1] += b'"'
                pieces += [b"", b"", b'"']
                pairs.append((key, "iso" if kind == "text" else "iso-quoted"))
            else:
                value = _KINDS[kind]
                self.kinds.append(kind)
                typed_ = kind in _TYPED
                pieces[-1] += b"" if typed_ else b'"'
                pieces.append(b"" if typed_ else b'"')
                pairs.append((key, kind))
            parts.append(re.escape(key) + b"=" + value)
        pieces[-1] += b"}\n"
        self.rx = re.compile(b"^" + b" ".join(parts) + b"$", re.MULTILINE)
        self.template = b"%s".join(p.replace(b"%", b"%%") for p in pieces)
        self.width = len(self.kinds)
        self.native = (tuple((b" " if i else b"") + k + b"=" for i, (k, _) in enumerate(pairs)),
                       tuple(kind for _, kind in pairs), tuple(pieces),
                       -1 if self.time_group is None else self.time_group)


_TYPED = ("int", "float", "bool")


class _Floats(dict):
    """A decimal's text → the bytes orjson writes for float(text), each distinct text read once:
    the C path asks for those it does not write itself (an exponent, over 15 digits, below 0.001)."""

    def __missing__(self, key: bytes) -> bytes:
        if len(self) > 100_000:
            self.clear()
        value = self[key] = orjson.dumps(float(key))
        return value


class Logfmt:
    """The block reader of the logfmt format, for one input's Clock."""

    def __init__(self, clock: Clock, native: bool = True):
        """`native=False`: the regex path even where the C one is there (the tests compare them)."""
        self.seconds = SecondTimes(clock)
        self.whole = Whole(clock, None)
        self.schemas: dict[tuple, _Schema] = {}
        self.native = _native_logfmt.translate if native and _native_logfmt is not None else None
        self.floats = _Floats()

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
        if self.native is None:
            return self.translate_re(block, n)
        if not block or block[-1] != 0x0A:
            return None
        first = block[: block.find(b"\n")]
        if not first.isascii():  # the rest of the block is checked in C
            return None
        self.seconds.trim()
        schema = self._schema(first)
        if schema is None:
            return None
        times, tails = (self.seconds, self.seconds.tails) if schema.iso else (self.whole, None)
        try:
            return self.native(block, n, *schema.native, times, tails, self.floats)
        except _Unreadable:
            return None

    def translate_re(self, block: bytes, n: int) -> bytes | None:
        """translate() by the regex engine (findall, C-level maps, one %-format of the block)."""
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
