"""Every fast path gives the bytes, lines, batch ends and notes (unreadable times, by line) of the
line-by-line path, for every text log of the corpus read as each format that fits it, and for
generated framework logs (Python logging and log4j/logback) with tracebacks and Java stack traces,
blank lines, CRLF, tabs, quotes, non-ASCII text, level words as loggers or in threads, unreadable
dates and events that cross block ends."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest
import zstandard

from app.core.batching.builder import Builder
from app.core.batching.textlog import read_textlog
from app.core.textlog import BY_ID, Parser

LOGS = Path(__file__).parents[2] / "data" / "logs"
CORPUS = sorted(p for p in LOGS.iterdir() if not p.name.endswith(".json"))


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """4 KiB reads: events cross block ends, and each block has a head and a tail read line by line."""
    import app.core.batching.limits as limits

    monkeypatch.setattr(limits, "CHUNK", 4 * 1024)


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(data)
    if path.suffix == ".zst":
        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    return data


def _read(data: bytes, fmt: str, fast: bool, max_events: int = 7, max_bytes: int = 1 << 20,
          taken: list | None = None) -> list[tuple]:
    parser = Parser(BY_ID[fmt], zone="Europe/Berlin")
    if parser.events is not None and taken is not None:
        translate = parser.events.translate
        parser.events.translate = lambda region: taken.append((out := translate(region)) is not None) or out
    if parser.fast is not None and taken is not None:
        block = parser.fast.translate
        parser.fast.translate = lambda data, n: taken.append((out := block(data, n)) is not None) or out
    b = Builder("ndjson", max_events, max_bytes, 0, 1)
    batches = list(read_textlog(io.BytesIO(data), b, 1, 0, parser, fast=fast)) + list(b.flush())
    for bt in batches:
        [json.loads(x) for x in bt.body.splitlines()]
    return [(bt.start, bt.end, bt.end_line, list(bt.lines), bt.body, bt.notes, bt.skipped) for bt in batches]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["framework", "logfmt", "syslog-rfc3164", "access-combined", "access-common"])
def test_corpus_files_read_the_same_either_way(path, fmt):
    data = _raw(path)
    assert _read(data, fmt, True) == _read(data, fmt, False)


LOGGERS = ["app.worker", "app.db", "INFO", "warn", "root", "a.b.c_d", "x" * 61, "error.handler", "my-app"]
LEVELS = ["INFO", "DEBUG", "WARNING", "ERROR", "CRITICAL", "info", "FOO", "WARN"]
MESSAGES = ['job %d done', 'said "hi" %d', "[thread-1] %d", "", "tab\there %d", "ünï %d", "   ", "a - b - c %d"]
CONTINUATIONS = ["Traceback (most recent call last):", '  File "/srv/app.py", line 9, in run', "    x = y[0]",
                 "KeyError: 'n'", "", "   ", "\tat com.x.Y(Y.java:1)", "Caused by: boom", "2026-12-01 no time",
                 "ünïcode line", "[2026-12-01 10:00:00] looks like a start",
                 "\u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0661 \u0661\u0660:\u0660\u0660:\u0660\u0660 Unicode digits",
                 "\u00a0\u2003"]  # a time in Arabic-Indic digits starts an event when read as str; a Unicode blank
TIMES = ["2026-12-01 10:00:%02d,%03d", "2026-12-01T10:00:%02d.%03d+01:00", "2026-12-01 10:00:%02d.%03dZ",
         "2026-02-30 10:00:%02d,%03d", "2026-12-01 10:00:%02d"]


def _framework_log(seed: int, n: int, odd: float, crlf: bool = False, only: str | None = None) -> bytes:
    """`odd`: how often a field takes an unusual value; `only`: the one field that does (else all)."""
    r = random.Random(seed)

    def pick(field: str, values: list[str]) -> str:
        return values[r.randrange(len(values))] if (only in (None, field) and r.random() < odd) else values[0]

    out = []
    for i in range(n):
        t = pick("time", TIMES)
        stamp = t % ((i // 7) % 60, i % 1000) if t.count("%") == 2 else t % ((i // 7) % 60)
        msg = pick("message", MESSAGES)
        out.append(f"{stamp} - {pick('logger', LOGGERS)} - {pick('level', LEVELS)} - {msg % i if '%' in msg else msg}")
        if r.random() < 0.2:
            out.extend(r.choice(CONTINUATIONS[4:]) if only in (None, "continuation") and r.random() < odd
                       else CONTINUATIONS[i % 4] for _ in range(r.randrange(1, 6)))
    text = ("\r\n" if crlf else "\n").join(out) + "\n"
    return text.encode()


@pytest.mark.parametrize("seed, odd", [(1, 0.0), (2, 0.01), (3, 0.05), (4, 0.3)])
def test_generated_framework_logs_read_the_same_either_way(seed, odd):
    data = _framework_log(seed, 3000, odd)
    taken: list[bool] = []
    fast = _read(data, "framework", True, max_events=97, max_bytes=20_000, taken=taken)
    assert fast == _read(data, "framework", False, max_events=97, max_bytes=20_000)
    assert sum(len(b[3]) for b in fast) >= 3000
    if odd == 0.0:
        assert taken and all(taken)  # the common layout is read region by region, never line by line


@pytest.mark.parametrize("field", ["time", "logger", "level", "message", "continuation"])
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_one_odd_field_at_a_time_reads_the_same_either_way(field, seed):
    """Odd values in one field only, rarely: most regions holding one still qualify or not on
    that value alone, so each rule of the fast path is compared with the per-line reading."""
    data = _framework_log(seed, 4000, 0.01 if field == "continuation" else 0.004, only=field)
    taken: list[bool] = []
    assert _read(data, "framework", True, max_events=50, taken=taken) == _read(data, "framework", False, max_events=50)
    assert taken.count(True) > len(taken) // 2


def test_crlf_and_banner_and_no_final_newline_read_the_same_either_way():
    data = b"banner\n  more banner\n" + _framework_log(5, 800, 0.02, crlf=True)[:-2]
    assert _read(data, "framework", True) == _read(data, "framework", False)
    data = b"banner\n" + _framework_log(6, 800, 0.0)[:-1]
    taken: list[bool] = []
    assert _read(data, "framework", True, taken=taken) == _read(data, "framework", False)
    assert True in taken


@pytest.mark.parametrize("frames", [998, 999, 1000, 1001, 1005])
def test_an_event_longer_than_the_grouper_allows_is_cut_the_same_either_way(frames, monkeypatch):
    import app.core.batching.limits as limits

    monkeypatch.setattr(limits, "CHUNK", 64 * 1024)  # the whole event in one block
    head = _framework_log(7, 30, 0.0)
    data = head + b"2026-12-01 10:00:00,000 - app - ERROR - long\n" + b"  frame\n" * frames + head
    taken: list[bool] = []
    fast = _read(data, "framework", True, max_events=50, taken=taken)
    assert fast == _read(data, "framework", False, max_events=50)
    assert [ln for b in fast for ln in b[3]].count(head.count(b"\n") + 1) == 1


def test_an_unreadable_date_is_named_by_its_line_either_way():
    good = _framework_log(8, 400, 0.0)
    data = good + b"2026-02-30 10:00:00,000 - app - INFO - no such day\n" + good
    fast = _read(data, "framework", True, max_events=1000)
    assert fast == _read(data, "framework", False, max_events=1000)
    notes = [n for b in fast for n in b[5]]
    line = good.count(b"\n") + 1
    assert notes and notes[0][0] == line and "2026-02-30 10:00:00,000" in notes[0][2]


JAVA_ODD = {  # a part's unusual values (the first is the usual one)
    "time": ["2026-12-01 10:00:%02d,%03d", "2026-12-01T10:00:%02d.%03d+01:00", "2026-12-01T10:00:%02d.%03dZ",
             "2026-02-30 10:00:%02d,%03d", "2026-12-01 10:00:%02d", "[2026-12-01 10:00:%02d,%03d]"],
    "thread": ["main", "http-nio-8080-exec-1", "", " pool 1 ", 'say "hi"', "worker-INFO-1", "x" * 60, "a[b",
               "ünï", "error", "Warn ing", "tab\there"],
    "level": ["INFO ", "WARN ", "ERROR", "DEBUG", "WARNING", "info ", "FOO  ", "INFO\t", "TRACE"],
    "logger": ["com.example.App", "o.s.b.SpringApplication", "Outer$Inner", "ERROR", "a-b.c", "x" * 80,
               "com.ünï.App", "x:y", "x:", "_root"],
    "sep": [" - ", "   - ", " -\t", " : ", " -", " | ", "- "],
    "message": ["order %d placed", 'said "hi" %d', "[tag] %d", "", "- dash %d", "tab\there %d", "ünï %d", "   "],
}
JAVA_TRACE = ["java.lang.IllegalStateException: no stock", "\tat com.example.App.run(App.java:88)",
              "Caused by: java.sql.SQLException: timeout", "\t... 12 more"]


def _java_log(seed: int, n: int, odd: float, only: str | None = None, force: tuple[str, str] | None = None) -> bytes:
    """log4j/logback "%d [%t] %-5level %logger - %msg" lines with Java stack traces; `force`:
    (part, value) on every 9th line."""
    r = random.Random(seed)

    def pick(part: str) -> str:
        values = JAVA_ODD[part]
        if force and force[0] == part and i % 9 == 4:
            return force[1]
        return r.choice(values) if only in (None, part) and r.random() < odd else values[0]

    out = []
    for i in range(n):
        t, msg = pick("time"), pick("message")
        stamp = t % ((i // 7) % 60, i % 1000) if t.count("%") == 2 else t % ((i // 7) % 60)
        out.append(f"{stamp} [{pick('thread')}] {pick('level')} {pick('logger')}{pick('sep')}"
                   + (msg % i if "%" in msg else msg))
        if r.random() < 0.15:
            out.extend(r.choice(CONTINUATIONS[4:]) if only in (None, "continuation") and r.random() < odd
                       else JAVA_TRACE[k % 4] for k in range(r.randrange(1, 8)))
    return ("\n".join(out) + "\n").encode()


@pytest.mark.parametrize("seed, odd", [(51, 0.0), (52, 0.01), (53, 0.05), (54, 0.3)])
def test_generated_log4j_logs_read_the_same_either_way(seed, odd):
    data = _java_log(seed, 3000, odd)
    taken: list[bool] = []
    fast = _read(data, "framework", True, max_events=97, max_bytes=20_000, taken=taken)
    assert fast == _read(data, "framework", False, max_events=97, max_bytes=20_000)
    assert sum(len(b[3]) for b in fast) >= 3000
    if odd == 0.0:
        assert taken and all(taken)  # the common layout is read region by region, never line by line


@pytest.mark.parametrize("part", [*JAVA_ODD, "continuation"])
@pytest.mark.parametrize("seed", [61, 62])
def test_log4j_with_one_odd_part_at_a_time_reads_the_same_either_way(part, seed):
    data = _java_log(seed, 4000, 0.01 if part == "continuation" else 0.004, only=part)
    taken: list[bool] = []
    assert _read(data, "framework", True, max_events=50, taken=taken) == _read(data, "framework", False, max_events=50)
    assert taken.count(True) > len(taken) // 2


@pytest.mark.parametrize("part, value", [(p, v) for p, vs in JAVA_ODD.items() for v in vs[1:]])
def test_log4j_with_each_odd_value_reads_the_same_either_way(part, value):
    """Every unusual value on its own, on every 9th line: each rule of the fast path (and each
    way the per-line reading differs from it) is compared, not left to chance."""
    data = _java_log(71, 300, 0.0, force=(part, value))
    assert _read(data, "framework", True, max_events=50) == _read(data, "framework", False, max_events=50)


def test_log4j_events_have_their_thread_logger_and_whole_stack_trace():
    data = (b"2026-12-01 10:00:00,123 [main] INFO  com.example.App - started\n"
            b"2026-12-01 10:00:01,5 [http-nio-8080-exec-1] ERROR com.example.Orders - order 7 \"failed\"\n"
            b"java.lang.IllegalStateException: no stock\n\tat com.example.Orders.place(Orders.java:88)\n"
            b"Caused by: java.sql.SQLException: timeout\n\t... 12 more\n\n"
            b"2026-12-01 10:00:02,000 [main] WARN  com.example.App - done\n")
    taken: list[bool] = []
    batches = _read(data, "framework", True, max_events=100, taken=taken)
    assert taken == [True] and batches == _read(data, "framework", False, max_events=100)
    events = [json.loads(x) for b in batches for x in b[4].splitlines()]
    assert [e["thread"] for e in events] == ["main", "http-nio-8080-exec-1", "main"]
    assert events[1] == {"_time": "2026-12-01T10:00:01.5+01:00", "level": "ERROR", "thread": "http-nio-8080-exec-1",
                         "logger": "com.example.Orders",
                         "message": 'order 7 "failed"\njava.lang.IllegalStateException: no stock\n'
                                    "\tat com.example.Orders.place(Orders.java:88)\n"
                                    "Caused by: java.sql.SQLException: timeout\n\t... 12 more"}
    assert [ln for b in batches for ln in b[3]] == [1, 2, 8]


LOGFMT_ODD = {  # a key's unusual values (the first is the usual one)
    "time": ["2026-12-01T10:00:%02d.%03dZ", "2026-12-01T10:00:%02d,%03d", "2026-12-01 10:00:%02d", '"2026-12-01 10:00:%02d"',
             "2026-02-30T10:00:%02dZ", "-", "", "1764583200", '"2026-12-01T10:00:%02d CET"', "2026-12-01T10:00:%02d+0100"],
    "level": ["info", "1", "true", "-0", '"warn"', "", "1e5"],
    "msg": ['"request done"', "done", '"with \\"escaped\\" quotes"', '"a=b c=d"', "12"],
    "status": ["200", "-0", "007", "2.0", "1e400", "x", "12345678901234567890", '"200"', "true"],
    "duration_ms": ["12.340", "1e3", "5", "-0.0", "1.5E-3", "abc", "0.1000000000000000055511151231257827"],
    "ok": ["true", "false", "True", "1", '"true"'],
}
LOGFMT_LINE_ODD = [" leading space", "trailing space ", "", "   ", "bare words here", "time=1 time=2 dup=1",
                   "_time=x time=2026-12-01T10:00:00Z", "order=1 time=2026-12-01T10:00:00Z level=info", "a\tb=1",
                   "\u00fcni=\u00e7ode time=2026-12-01T10:00:00Z", "key=value\r"]


def _logfmt_log(seed: int, n: int, odd: float, only: str | None = None, crlf: bool = False) -> bytes:
    r = random.Random(seed)
    out = []
    for i in range(n):
        if only in (None, "line") and r.random() < odd:
            out.append(r.choice(LOGFMT_LINE_ODD))
            continue
        pairs = []
        for key, values in LOGFMT_ODD.items():
            v = r.choice(values) if only in (None, key) and r.random() < odd else values[0]
            v = v % ((i // 9) % 60, i % 1000) if v.count("%") == 2 else v % ((i // 9) % 60) if "%" in v else v
            pairs.append(f"{key}={v}")
        out.append(" ".join(pairs))
    return (("\r\n" if crlf else "\n").join(out) + "\n").encode()


@pytest.mark.parametrize("field", [*LOGFMT_ODD, "line"])
@pytest.mark.parametrize("seed", [21, 22])
def test_logfmt_blocks_read_the_same_either_way(field, seed):
    data = _logfmt_log(seed, 3000, 0.003, only=field)
    taken: list[bool] = []
    fast = _read(data, "logfmt", True, max_events=64, taken=taken)
    assert fast == _read(data, "logfmt", False, max_events=64)
    assert taken.count(True) > len(taken) // 3


@pytest.mark.parametrize("seed, odd, crlf", [(31, 0.0, False), (32, 0.05, False), (33, 0.3, False), (34, 0.0, True)])
def test_generated_logfmt_logs_read_the_same_either_way(seed, odd, crlf):
    data = _logfmt_log(seed, 2000, odd, crlf=crlf)
    taken: list[bool] = []
    assert _read(data, "logfmt", True, max_events=100, taken=taken) == _read(data, "logfmt", False, max_events=100)
    if odd == 0.0 and not crlf:
        assert taken and all(taken)


@pytest.mark.parametrize("line", ["_time=x%d time=2026-12-01T10:00:00Z n=%d", "k=a\u00a0b%d time=2026-12-01T10:00:00Z n=%d",
                                  "ts=%d time=2026-12-01T10:00:00Z n=%d", "t=2026-12-01T10:00:%02d time=x n=%d",
                                  'msg="caf\u00e9 %d" time="2026-12-01 10:00:00,5" n=%d'])
def test_logfmt_blocks_of_one_odd_shape_read_the_same_either_way(line):
    """Every line of the same unusual shape: a block of them is read whole or not at all."""
    data = "".join(line % (i % 60, i) + "\n" for i in range(2000)).encode()
    assert _read(data, "logfmt", True, max_events=64) == _read(data, "logfmt", False, max_events=64)


def test_blocks_prepared_in_worker_processes_read_the_same_and_in_order(monkeypatch):
    """The pool (two spawned workers, from the first block on) gives what one process gives:
    the same batches in the same order, lines and unreadable times named alike."""
    from app.core.textlog import pool

    monkeypatch.setattr(pool, "START_AFTER", 0)
    good = _framework_log(41, 2500, 0.01)
    data = good + b"2026-02-30 10:00:00,000 - app - INFO - no such day\n" + good
    one = _read(data, "framework", True, max_events=97)

    def pooled(data: bytes, fmt: str) -> list[tuple]:
        parser = Parser(BY_ID[fmt], zone="Europe/Berlin")
        b = Builder("ndjson", 97, 1 << 20, 0, 1)
        batches = list(read_textlog(io.BytesIO(data), b, 1, 0, parser, workers=2)) + list(b.flush())
        return [(bt.start, bt.end, bt.end_line, list(bt.lines), bt.body, bt.notes, bt.skipped) for bt in batches]

    here: list[int] = []
    local = pool.prepare
    monkeypatch.setattr(pool, "prepare", lambda parser, data: here.append(1) or local(parser, data))
    assert pooled(data, "framework") == one
    assert len(here) == 1  # the first block here, every other one in a worker
    logfmt = _logfmt_log(42, 6000, 0.002)
    assert pooled(logfmt, "logfmt") == _read(logfmt, "logfmt", True, max_events=97)


@pytest.mark.parametrize("fmt,line", [
    ("framework", "2024-01-01 {t},000 - app - INFO - m {i}"),
    ("logfmt", "time=2024-01-01T{t}Z level=info msg=m{i}"),
])
def test_a_log_with_more_distinct_seconds_than_the_time_cache_holds_reads_the_same(fmt, line):
    """Over 100,000 distinct seconds (a day and a bit of a log a line a second): the cache of read
    times is emptied between blocks, never between a block's heads and tails (it raised KeyError)."""
    def hms(i):
        return f"{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
    lines = [line.format(t=hms(i), i=i) for i in range(100_500)]
    # a day has 86,400 seconds: the rest on the next day
    data = "".join((ln if i < 86_400 else ln.replace("2024-01-01", "2024-01-02")) + "\n" for i, ln in enumerate(lines)).encode()
    fast = _read(data, fmt, True, max_events=10_000, max_bytes=4 << 20)
    assert fast == _read(data, fmt, False, max_events=10_000, max_bytes=4 << 20)
    assert sum(len(b[4].splitlines()) for b in fast) == 100_500


@pytest.mark.parametrize("key", ["cpu%", "a%sb", "a%%b", "x%d"])
def test_a_logfmt_key_with_a_percent_sign_reads_the_same_either_way(key):
    """The fast path formats records with %: a key's own % signs are kept as they are."""
    data = "".join(f"time=2024-01-01T10:00:{i:02d}Z {key}={i} msg=hi\n" for i in range(40)).encode()
    fast = _read(data, "logfmt", True, max_events=64)
    assert fast == _read(data, "logfmt", False, max_events=64)
    assert json.loads(fast[0][4].splitlines()[0])[key] == 0


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003", "\u0085", "\u202f"])
def test_trailing_lines_of_unicode_spaces_read_the_same_either_way(space):
    """The per-line path drops an event's trailing lines that are only (Unicode) whitespace."""
    data = "".join(f"2024-01-01 10:00:{i:02d},000 - app - INFO - hello {i}\n" + " " * 41 + space + "\n"
                   for i in range(30)).encode()
    fast = _read(data, "framework", True, max_events=64)
    assert fast == _read(data, "framework", False, max_events=64)
    assert json.loads(fast[0][4].splitlines()[0])["message"] == "hello 0"


@pytest.mark.parametrize("native", [True, False])
def test_a_bare_logfmt_time_with_a_space_in_it_reads_the_same_either_way(native, monkeypatch):
    """A bare value ends at a space: `time=2026-12-01 10:00:01Z` is the time "2026-12-01" and a
    stray word, line by line; the block path read the whole text as the time."""
    from app.core.textlog import fast_logfmt

    monkeypatch.setattr(fast_logfmt.Logfmt.__init__, "__defaults__", (native,))
    good = b"time=2026-12-01T10:00:00Z level=info\n" * 40
    data = good + b"time=2026-12-01 10:00:01Z level=info\n" + good
    fast = _read(data, "logfmt", True, max_events=200)
    assert fast == _read(data, "logfmt", False, max_events=200)
    assert b'"time":"2026-12-01 10:00:01Z"' not in fast[0][4]
