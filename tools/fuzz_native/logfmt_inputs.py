"""Inputs for _native_logfmt.c: lines of pairs sharing their keys, each value one of the kinds
fast_logfmt types (numbers of every shape orjson writes differently, ISO times with and without
fraction and zone, quoted or bare), then mutated; now and then many distinct floats and times, so
that the readers' caches (100,000 entries) are emptied while the C holds values from them."""

from __future__ import annotations

import random

from .logfmt_hostile import HOSTILE, probe
from .mutate import block_of, mutate, oddball
from .textlog_inputs import READERS, _differ, sweep_case

KEYS = [b"time", b"ts", b"t", b"level", b"msg", b"n", b"a%sb", b"x.y", b"k", b"_time", b"timestamp", b"date"]
VALUES = [b"0", b"-0", b"007", b"12", b"-3", b"123456789012345678", b"1234567890123456789", b"-", b"+1",
          b"1.50", b"-0.0", b"0.000", b"1e5", b"1.5E-3", b"2.", b".5", b"1e", b"1.5e+", b"0.001", b"0.00099",
          b"123456789012345.5", b"1234567890123456.5", b"0.1000000000000000055511151231257827", b"1e400",
          b"1e-400", b"999999999999999.9", b"0.0001234", b"-1.25e-7",
          b"true", b"false", b"True", b"", b"abc", b"GET", b"/a/b", b"x=y", b'a"b', b'"q"', b'""', b'"a b"',
          b"2026-12-01T10:00:00Z", b"2026-12-01T10:00:00.123+01:00", b"2026-12-01T10:00:00,5",
          b'"2026-12-01 10:00:00"', b"2026-12-01T10:00:00.1234567890Z", b"2026-12-01T10:00:00+01:0",
          b"2026-12-01T10:00:00+0100", b"2026-02-30T10:00:00Z", b'"2026-12-01T10:00:00.123456789-05:00"',
          b"2026-12-01T10:00:00.5Zx", b"Dec  1 00:00:01", b'"2026/12/01 10:00:00"', b"2026-12-01T10:00:00",
          b'"2026-12-01 10:00:00+01:00"', b'"2026-12-01 10:00:00+0100"']


def _distinct(rng: random.Random, n: int) -> bytes:
    """n lines whose float (and time) differ on every line: the cache of floats and times fills"""
    base = rng.randrange(10**6)
    exp = rng.choice([b"e5", b"e-7", b"1234567"])  # each written through the floats mapping
    lines = [b"time=2026-12-%02dT%02d:%02d:%02dZ f=%d.%d%s" % (1 + (i // 86400) % 28, (i // 3600) % 24, (i // 60) % 60,
                                                               i % 60, base, i, exp) for i in range(n)]
    return b"\n".join(lines) + b"\n"


def logfmt_case(rng: random.Random) -> dict:
    r = rng.random()
    if r < 0.01:
        return {"target": "logfmt", "hostile": rng.choice(sorted(HOSTILE)), "seed": rng.randrange(1 << 30)}
    if r < 0.05:
        return {"target": "logfmt", "block": oddball(rng, lead=b"k=")}
    if r < 0.06:
        return {"target": "logfmt", "block": _distinct(rng, rng.choice([1000, 5000, 20000]))}
    if r < 0.20:
        return sweep_case(rng, "logfmt")
    keys = rng.sample(KEYS, rng.randrange(1, 6))
    kinds = [rng.choice(VALUES) for _ in keys]
    lines = []
    for _ in range(rng.choice([1, 2, 3, 10, 100])):
        vals = kinds if rng.random() < 0.6 else [v if rng.random() < 0.7 else rng.choice(VALUES) for v in kinds]
        line = b" ".join(k + b"=" + v for k, v in zip(keys, vals))
        lines.append(mutate(rng, line) if rng.random() < 0.5 else line)
    return {"target": "logfmt", "block": block_of(rng, lines)}


def check_logfmt(case: dict) -> str | None:
    if "hostile" in case:
        return probe(case["hostile"], case["seed"])
    c, p = READERS.logfmt
    block = case["block"]
    n = block.count(b"\n")
    return _differ(c.translate(block, n), p.translate_re(block, n))
