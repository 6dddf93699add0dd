"""Inputs for _native_lines.c (the NDJSON and CSV readers' block scan) and how each is checked:
scan(block, quote) and past_newline(block, pos, end, k) through the C and through scan.py's
Python, which must agree (past_newline: where the range holds k newlines; else the C raises
ValueError). Blocks are built from the bytes the flags are about, then mutated; some are 1 MB,
some hold a newline every byte; hostile ranges (negative, past the end, k of 0) must raise."""

from __future__ import annotations

import random

from app.core.batching import scan

from .mutate import mutate, oddball

PIECES = [b"a", b"{}", b"\n", b"\n", b"\r", b"\0", b" ", b"\t", b"\x0b", b"\x0c", b'"', b"'", b"\xc3\xa9", b",",
          b"\r\n", b"\n\n", b'{"a":1}\n', b"x" * 64]
QUOTES = [-1, ord('"'), ord("'"), 0, 10, 13, 255]


def lines_case(rng: random.Random) -> dict:
    r = rng.random()
    if r < 0.05:
        block = oddball(rng)
    elif r < 0.08:
        block = rng.choice([b"\n", b"a\n", b" \n", b"\r\n"]) * rng.choice([1 << 10, 1 << 18])
    else:
        block = b"".join(rng.choice(PIECES) for _ in range(rng.randrange(0, rng.choice([8, 40, 400]))))
        if rng.random() < 0.3:
            block = mutate(rng, block)
    pos, end = sorted(rng.randint(0, len(block)) for _ in range(2))
    if rng.random() < 0.05:  # out of range
        pos, end = rng.choice([(-1, end), (pos, len(block) + 1), (end + 1, end), (pos, -1)])
    k = rng.choice([1, 1, 2, 3, 10, max(1, block.count(b"\n", max(pos, 0), max(end, 0)))]) if rng.random() < 0.95 \
        else rng.choice([0, -1])
    return {"target": "lines", "block": block, "quote": rng.choice(QUOTES), "pos": pos, "end": end, "k": k}


def _past(case: dict, native: bool):
    try:
        return scan.past_newline(case["block"], case["pos"], case["end"], case["k"], native=native)
    except ValueError:
        return "ValueError"


def check_lines(case: dict) -> str | None:
    block, quote = case["block"], case["quote"]
    c, p = scan.scan_block(block, quote), scan.scan_block(block, quote, native=False)
    if c != p:
        return f"scan: C gave {c}, Python {p}"
    pos, end, k = case["pos"], case["end"], case["k"]
    inside = 0 <= pos <= end <= len(block) and k >= 1
    if inside and block.count(b"\n", pos, end) >= k:
        c, p = _past(case, True), _past(case, False)
        return None if c == p else f"past_newline: C gave {c}, Python {p}"
    c = _past(case, True)  # no newline k in range, or a bad range: the C must refuse it
    return None if c == "ValueError" else f"past_newline {pos}:{end} k={k} outside its rule: C gave {c}"
