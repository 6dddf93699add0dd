"""Inputs for the three text-log modules (_native.c, _native_logfmt.c, _native_events.c) and how each
is checked: the block through the C path and through the regex path it replaces
(FastPath/Logfmt/Events with native=False), which must give equal results (None included). Lines
are built from the pieces the patterns branch on, then mutated; some blocks are odd (random bytes,
1 MB lines); some are one byte of a good line changed. Readers live for many blocks, as in an
upload, so their caches fill and are emptied (100,000 distinct times or floats) between calls."""

from __future__ import annotations

import random
from datetime import date

from app.core.textlog import fast, fast_events, fast_logfmt
from app.core.textlog.clock import Clock

from .mutate import block_of, mutate, oddball

FORMATS = ["syslog-rfc3164", "access-combined", "access-common"]


class Readers:
    """A C and a regex reader of each kind, renewed now and then (a new input's clock)."""

    def __init__(self):
        self.calls = 0
        self.renew()

    def renew(self) -> None:
        def clock():
            return Clock("Europe/Berlin", date(2026, 12, 3))

        self.fast = {f: (fast.FastPath(f, clock(), native=True), fast.FastPath(f, clock(), native=False))
                     for f in FORMATS}
        self.logfmt = (fast_logfmt.Logfmt(clock(), native=True), fast_logfmt.Logfmt(clock(), native=False))
        self.events = (fast_events.Events(clock(), native=True), fast_events.Events(clock(), native=False))

    def tick(self, rng: random.Random) -> None:
        self.calls += 1
        if rng.random() < 0.002:
            self.renew()


READERS = Readers()


def _differ(c, p) -> str | None:
    return None if c == p else f"C gave {c!r:.300}\nPython gave {p!r:.300}"


# ---- syslog and access logs (_native.c) ----------------------------------------------------------
MONTHS = [b"Jan", b"Feb", b"Dec", b"Jun", b"jan", b"Jax"]


def syslog_line(rng: random.Random) -> bytes:
    t = rng.choice(MONTHS) + b" " + rng.choice([b" 1", b"01", b"31", b"x1", b"  ", b"3"]) + b" " + \
        rng.choice([b"00:00:01", b"23:59:59", b"12:3x:00", b"99:99:99", b"12:00:0", f"0{rng.randrange(10)}:{rng.randrange(60):02d}:{rng.randrange(60):02d}".encode()])
    host = rng.choice([b"host", b"-", b"h.example", b"", b"a" * 300])
    app = rng.choice([b"sshd", b"cron", b"", b"a b", b"x:y", b"CRON[123]:", b"-"])
    pid = rng.choice([b"", b"[1]", b"[]", b"[12", b"[-]", b"[a]b]"])
    colon = rng.choice([b":", b": ", b"", b"::"])
    msg = rng.choice([b"hello", b"", b'say "hi"', b"a" * 1000, b"\xc3\xa9t\xc3\xa9", b" lead", b"x:y [z]"])
    return mutate(rng, t + b" " + host + b" " + app + pid + colon + msg)


def access_line(rng: random.Random, combined: bool) -> bytes:
    t = rng.choice([b"03/Dec/2026:10:00:00 +0100", b"03/Dec/2026:10:00:0 +0100", b"3/Dec/2026:10:00:00 +0100",
                    b"03/Dex/2026:10:00:00 +0100", b"03/Dec/2026:10:00:00 0100", b"31/Feb/2026:10:00:00 -0000",
                    b"03/Dec/2026:25:00:00 +0100", f"03/Dec/2026:1{rng.randrange(10)}:{rng.randrange(60):02d}:00 +0100".encode()])
    req = rng.choice([b"GET / HTTP/1.1", b"POST /a?b=c HTTP/2", b'GET /a"b HTTP/1.1', b"GET /x", b"GET",
                      b"get / HTTP/1.1", b"GET / HTTP/", b"GET / HTTP/1.1 x", b'GET /a HTTP/1.1" 200 1 "b', b"GET  /",
                      b"G / HTTP/1.0.0"])
    tail = rng.choice([b" 200 123", b" 200 -", b" 404 0", b" 20 1", b" 2000 1", b" 200 ", b" 200 12a", b" 200 --"])
    line = rng.choice([b"1.2.3.4", b"-", b"::1"]) + b" " + rng.choice([b"-", b"id"]) + b" " + \
        rng.choice([b"-", b"frank", b"a b"]) + b" [" + t + b'] "' + req + b'"' + tail
    if combined:
        line += rng.choice([b' "-" "curl/8"', b' "http://x/" "Mozilla/5.0 (X11)"', b' "" ""', b' "a"b" "c"',
                            b' "-"', b' "-" "x" ', b' "-"  "x"'])
    return mutate(rng, line)


def fast_case(rng: random.Random, fmt: str) -> dict:
    if rng.random() < 0.05:
        return {"target": "fast", "format": fmt, "block": oddball(rng)}
    if rng.random() < 0.15:
        return sweep_case(rng, fmt)

    def make():
        return syslog_line(rng) if fmt == "syslog-rfc3164" else access_line(rng, fmt == "access-combined")

    k = rng.choice([1, 1, 2, 3, 5, 20, 200])
    base = make()
    lines = [base if rng.random() < 0.8 else make() for _ in range(k)] if rng.random() < 0.5 else \
        [make() for _ in range(k)]
    return {"target": "fast", "format": fmt, "block": block_of(rng, lines)}


def check_fast(case: dict) -> str | None:
    c, p = READERS.fast[case["format"]]
    block = case["block"]
    n = block.count(b"\n")
    return _differ(c.translate(block, n), p.translate_re(block, n))


# ---- framework logs with tracebacks (_native_events.c) -------------------------------------------
TIMES = [b"2026-12-01 10:00:00", b"2026-12-01T10:00:00,5", b"2026-12-01 10:00:00.123456789", b"2026-12-01 10:00:00Z",
         b"2026-12-01 10:00:00+01:00", b"2026-12-01 10:00:00-0130", b"2026-12-01 10:00:00.25z",
         b"2026-12-01 10:00:00.1234567890", b"2026-12-01 10:00:00+01:0", b"2026-12-01 10:00:00.",
         b"2026-02-30 10:00:00", b"2026-12-01 25:00:00", b"2026-12-01 10:00:00+01", b"2026-12-01_10:00:00",
         b"2026-12-01 10:00:00+", b"2026-12-01 10:00:00-01:", b"2026-12-01 10:00"]
LOGGERS = [b"app", b"app.db", b"x$y", b"a" * 60, b"a" * 61, b"b" * 79, b"b" * 80, b"info", b"", b"a b", b"\xc3\xa9"]
LEVELS = [b"INFO", b"ERROR", b"WARN", b"WARNING", b"CRITICAL", b"FINEST", b"EMERGENCY", b"AB", b"ABCDEFGHIJ", b"Info"]
THREADS = [b"main", b"", b"t" * 59, b"t" * 60, b'q"t', b"tab\there", b"pool-1 info", b"x]y", b"\xc3\xa9" * 12,
           b"[a", b"a\xc3\xa9" * 25]
MSGS = [b"job done", b"", b'say "hi"', b"tab\tin", b"[x]", b"a - b", b"\xc3\xa9" * 30, b"\xe2\x80\xa8", b"x" * 3000]
CONT = [b"Traceback (most recent call last):", b'  File "x.py", line 1', b"\tat a.B.c(B.java:1)", b"", b" ", b"\t",
        b" \t ", b"\xc3\xa9" * 50, b"[2026-12-01 10:00:00] x", b"2026-12-01 10:00:00\tx", b"2026-12-01 10:00:00x",
        b"\xc2\xa0"]


def event(rng: random.Random, java: bool) -> bytes:
    t = rng.choice(TIMES) if rng.random() < 0.8 else \
        f"2026-12-{rng.randrange(1, 29):02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}".encode()
    if java:
        head = t + b" [" + rng.choice(THREADS) + b"] " + rng.choice(LEVELS) + rng.choice([b" ", b"  ", b"", b"\t"]) + \
            rng.choice(LOGGERS) + rng.choice([b" ", b"   ", b""]) + b"- " + rng.choice(MSGS)
    else:
        head = t + b" - " + rng.choice(LOGGERS) + b" - " + rng.choice(LEVELS) + b" - " + rng.choice(MSGS)
    lines = [mutate(rng, head) if rng.random() < 0.3 else head]
    for _ in range(rng.choice([0, 0, 1, 2, 5])):
        c = rng.choice(CONT)
        lines.append(mutate(rng, c) if rng.random() < 0.3 else c)
    return b"\n".join(lines)


def events_case(rng: random.Random) -> dict:
    if rng.random() < 0.05:
        return {"target": "events", "block": oddball(rng)}
    if rng.random() < 0.15:
        return sweep_case(rng, "events")
    java = rng.random() < 0.5
    events = [event(rng, java if rng.random() < 0.95 else not java) for _ in range(rng.choice([1, 2, 3, 10, 60]))]
    return {"target": "events", "block": block_of(rng, events)}


def check_events(case: dict) -> str | None:
    c, p = READERS.events
    return _differ(c.translate(case["block"]), p.translate_re(case["block"]))


# ---- one byte of a good line changed or inserted, or the line cut (session 8's sweep, sampled) ----
SWEEP = {
    "syslog-rfc3164": [b'Dec  1 00:00:01 host sshd[12]: hello "x" \xc3\xa9', b"Dec 31 23:59:59 h app: m"],
    "access-combined": [b'1.2.3.4 - frank [03/Dec/2026:10:00:00 +0100] "GET /a HTTP/1.1" 200 12 "-" "curl/8"'],
    "access-common": [b'::1 - - [03/Dec/2026:10:00:00 +0100] "GET /x" 404 -'],
    "logfmt": [b'time=2026-12-01T10:00:00.123+01:00 level=info n=12 f=1.50 ok=true msg="a b" w=x',
               b'ts="2026-12-01 10:00:00,5Z" x=1e5 y=-0'],
    "events": [b"2026-12-01 10:00:00,123 - app.db - ERROR - boom\nTraceback:\n\tat x",
               b'2026-12-01T10:00:00.5+01:00 [main-\xc3\xa9] WARN  com.x.Y$1 - say "hi"\n '],
}


def sweep_case(rng: random.Random, fmt: str) -> dict:
    line = rng.choice(SWEEP[fmt])
    i, v = rng.randrange(len(line) + 1), bytes([rng.randrange(256)])
    variant = rng.choice([line[:i] + v + line[i + 1:], line[:i] + v + line[i:], line[:i]])
    block = variant + b"\n" + (variant + b"\n" if fmt != "events" and rng.random() < 0.5 else b"")
    target = "fast" if fmt in FORMATS else fmt
    return {"target": target, "block": block, **({"format": fmt} if target == "fast" else {})}
