"""Hostile arguments to _native_logfmt.translate (session 8 tried these by hand; kept here so that
every fuzz run tries them again): time and float mappings that raise, answer a wrong type or
1 MB, or empty themselves; the time group on a typed value (a ValueError since the fuzz-c branch,
a SystemError before). Each must answer bytes or None, or raise the exception named."""

from __future__ import annotations

from app.core.textlog import fast_logfmt

from .csv_hostile import Answers, Emptying, _raise, run_probe

try:
    from app.core.textlog import _native_logfmt
except ImportError:  # the worker checks the sanitized build is there
    _native_logfmt = None

BLOCK = b"time=2026-12-01T10:00:00.5Z level=info f=1e5 n=1\n" * 3
SCHEMA = fast_logfmt._Schema((b"time", b"level", b"f", b"n"), ("text", "text", "float", "int"), 0, True).native


def _call(times=None, tails=None, floats=None, schema=SCHEMA, block=BLOCK):
    times = Answers(b"2026-12-01T10:00:00") if times is None else times
    tails = Answers(b"Z") if tails is None else tails
    return _native_logfmt.translate(block, block.count(b"\n"), *schema, times, tails,
                                    fast_logfmt._Floats() if floats is None else floats)


def _time_on(kind: str, value: bytes):
    return lambda r: _native_logfmt.translate(b"t=" + value + b"\n", 1, (b"t=",), (kind,),
                                              (b'{"_time":"', b'","t":', b"}\n"), 0, {}, None, fast_logfmt._Floats())


HOSTILE = {
    "times raise": (lambda r: _call(times=Answers(_raise)), ValueError),
    "tails raise": (lambda r: _call(tails=Answers(_raise)), ValueError),
    "floats raise": (lambda r: _call(floats=Answers(_raise)), ValueError),
    "times give str": (lambda r: _call(times=Answers("x")), TypeError),
    "floats give int": (lambda r: _call(floats=Answers(1)), TypeError),
    "times give 1 MB": (lambda r: _call(times=Answers(b"1" * (1 << 20))), None),
    "floats give 1 MB": (lambda r: _call(floats=Answers(b"2" * (1 << 20))), None),
    "mappings empty themselves": (lambda r: _call(times=Emptying(), tails=Emptying(), floats=Emptying()), None),
    "time on a float": (_time_on("float", b"1e5"), ValueError),
    "time on an int": (_time_on("int", b"7"), ValueError),
    "time on a bool": (_time_on("bool", b"true"), ValueError),
}


def probe(name: str, seed: int) -> str | None:
    return run_probe(HOSTILE, name, seed)
