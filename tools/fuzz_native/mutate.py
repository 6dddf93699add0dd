"""Byte-level changes shared by every target: a byte inserted, replaced or deleted, a piece the
parsers care about inserted (once or repeated), a run duplicated, the tail cut; and odd blocks
(random bytes, only line ends, 1 MB lines with and without a final newline)."""

from __future__ import annotations

import random

# bytes the C matchers branch on: quotes, brackets, separators, escapes, controls, UTF-8 edges
# (valid, truncated, overlong, surrogate, U+2028, NBSP), digits, signs, exponents, level words
SPECIAL = [b'"', b"[", b"]", b":", b" ", b"  ", b"\t", b"\\", b"\n", b"\r", b"\x00", b"\xc3\xa9", b"\xe2\x80\xa8",
           b"\xc2\xa0", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", b"\xf4\x90\x80\x80", b"\xe0\x80\x80",
           b"-", b" - ", b"=", b"%", b"%s", b"0", b"9", b".", b",", b";", b"|", b"Z", b"+", b"e", b"E", b"true",
           b"FALSE", b"HTTP/", b" HTTP/1.1", b"- ", b"$", b"INFO", b"info", b"\x7f", b"\xe3\x80\x80", b"\xc2\x85",
           b"[2026-12-01 10:00:00] "]


def mutate(rng: random.Random, line: bytes, changes: int | None = None, special: list[bytes] = SPECIAL) -> bytes:
    b = bytearray(line)
    for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 3]) if changes is None else changes):
        op = rng.randrange(7)
        pos = rng.randrange(len(b) + 1)
        if op == 0:
            b[pos:pos] = bytes([rng.randrange(256)])
        elif op == 1 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op == 2:
            del b[pos:pos + rng.randrange(1, 8)]
        elif op == 3:
            b[pos:pos] = rng.choice(special)
        elif op == 4:
            end = min(len(b), pos + rng.randrange(1, 12))
            b[pos:pos] = b[pos:end] * rng.randrange(1, 4)
        elif op == 5:
            del b[pos:]
        else:
            b[pos:pos] = rng.choice(special) * rng.randrange(1, 70)
    return bytes(b)


def block_of(rng: random.Random, lines: list[bytes]) -> bytes:
    body = b"\n".join(lines)
    r = rng.random()
    return body + b"\n" if r < 0.9 else body if r < 0.95 else body + b"\n\n"  # no final newline, a blank last line


def oddball(rng: random.Random, lead: bytes = b"") -> bytes:
    """`lead` starts the 1 MB lines (a logfmt key, so that the line is read as a pair)."""
    r = rng.randrange(8)
    if r == 0:
        return rng.randbytes(rng.randrange(0, 300))
    if r == 1:
        return b"\n" * rng.randrange(1, 5000)
    if r == 2:
        return b"\n".join(bytes([rng.randrange(256)]) for _ in range(rng.randrange(1, 3000))) + b"\n"
    if r == 3:
        return lead + b"a" * (1 << 20)  # 1 MB without a newline
    if r == 4:
        return lead + b"x" * ((1 << 20) - 1) + b"\n"
    if r == 5:
        return b""
    if r == 6:
        return b"\n".join([b"x" * rng.randrange(0, 64)] * rng.randrange(1, 200)) + b"\n"
    return bytes(rng.choice(b' "[]:\t\\\n-0aZ.,;=') for _ in range(rng.randrange(1, 400)))
