"""The C region path (_native_events.c) gives byte for byte what fast_events.py's patterns give, or
declines the same regions: on events built from the pieces the patterns care about (times with
and without fraction and zone, level words in the level, logger and thread, brackets, dashes,
spaces and tabs, quotes, non-ASCII near a line's start, Unicode spaces, blank and start-like
continuation lines, CR, backslash), so every branch of the hand-written matcher meets the regex
it copies. The end-to-end equality with the line-by-line path is test_fast_equivalence.py's."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.textlog import fast_events
from app.core.textlog.clock import Clock
from app.core.textlog.multiline import MAX_EVENT_CHARS, MAX_EVENT_LINES

pytestmark = pytest.mark.skipif(fast_events._native_events is None, reason="the C parser is not built here")

GOOD_TIMES = ["2026-12-01 10:00:00", "2026-12-01T10:00:00,5", "2026-12-01 10:00:00.123456789", "2026-12-01 10:00:00Z",
              "2026-12-01 10:00:00+01:00", "2026-12-01 10:00:00-0130", "2026-12-01 10:00:00.25z", "2026-12-01 10:00:01"]
ODD_TIMES = ["2026-12-01 10:00:00.1234567890", "2026-12-01 10:00:00+01:0", "2026-12-01 10:00:00.",
             "2026-02-30 10:00:00", "2026-12-01 25:00:00", "2026-12-01 10:00:00+01", "2026-12-01_10:00:00"]
PIECES = [" ", "  ", "[", "]", "-", " - ", "- ", "a", "app.worker", "x$y", "_", "INFO", "info", "WARNING", "ERR",
          "Fine", "ABCDEFGHIJ", "AB", "main", "exec-1", "|", ":",
          "\t", '"', "%", "=", "0", "é", "\u00e9\u20ac\U0001f600"]
POISON = ["\\", "\r", "\u00a0", "\u3000", "\u2028", "\u0130", "\u017f", "\x7f", "\x01"]


def _mostly(good: list[str], odd: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A good value five times in six: a region qualifies only when all its fields do."""
    return st.integers(0, 5).flatmap(lambda k: odd if k == 0 else st.sampled_from(good))


rest = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(PIECES), st.sampled_from(PIECES),
                          st.sampled_from(PIECES), st.sampled_from(POISON)), max_size=8).map("".join)
times = _mostly(GOOD_TIMES, st.one_of(st.sampled_from(ODD_TIMES), rest))
loggers = _mostly(["app", "app.db", "x.y_z9", "com.example.Shop$1", "o.s.web.DispatcherServlet"],
                  st.one_of(st.sampled_from(["INFO", "error", "Debug", "a" * 60, "a" * 61, "b" * 79, "b" * 80]), rest))
levels = _mostly(["INFO", "ERROR", "WARN", "WARNING", "CRITICAL", "FINEST", "EMERGENCY"],
                 st.one_of(st.sampled_from(["INFOS", "Info", "ERR", "XYZ", "AB", "ABCDEFGHIJ"]), rest))
threads = _mostly(["main", "http-nio-8080-exec-1", "", "t" * 59, "é" * 12, 'q"t', "tab\there", "a.b$c"],
                  st.one_of(st.sampled_from(["pool-1 info", "x:warn", "[a", "t" * 60, "work|ERROR", "a-fatal-b",
                                             "info", "x]y"]), rest))
pads = st.sampled_from([" ", " ", "  ", "     ", "", "\t"])
messages = _mostly(["job done", "", 'say "hi"', "tab\tin", "100% = done", "é" * 30, "a - b - c"],
                   st.one_of(st.sampled_from(["[not a thread]", " [x]"]), rest))
CONTINUATIONS = ["Traceback (most recent call last):", '  File "x.py", line 1, in f', "\tat a.B.c(B.java:1)",
                 "Caused by: java.lang.X: y", "\t... 12 more", "", " ", "\t", " \t ", "KeyError: 'n'", "é" * 50]
ODD_CONTINUATIONS = ["\u00a0", "[2026-12-01 10:00:00] bracketed start", "2026-12-01 10:00:00\ttab start",
                     "2026-12-01 10:00:00x", "2026-12-01 10:00:00.1234567890 long fraction",
                     "[2026-12-01 10:00:00+0100]x", "2026-12-01 10:00:00+01:00 - app - INFO - a start"]
continuations = st.lists(_mostly(CONTINUATIONS, st.one_of(st.sampled_from(ODD_CONTINUATIONS), rest)), max_size=4)


@st.composite
def python_event(draw) -> str:
    head = f"{draw(times)} - {draw(loggers)} - {draw(levels)} - {draw(messages)}"
    if draw(st.integers(0, 9)) == 0:
        head = draw(times) + draw(rest)  # a start line of no layout
    return "\n".join([head, *draw(continuations)])


@st.composite
def java_event(draw) -> str:
    head = f"{draw(times)} [{draw(threads)}] {draw(levels)}{draw(pads)}{draw(loggers)}{draw(pads)}- {draw(messages)}"
    if draw(st.integers(0, 9)) == 0:
        head = draw(times) + " [" + draw(rest)
    return "\n".join([head, *draw(continuations)])


def _paths() -> tuple[fast_events.Events, fast_events.Events]:
    return tuple(fast_events.Events(Clock("Europe/Berlin", date(2026, 12, 3)), native=n) for n in (True, False))


def _same(region: bytes) -> tuple | None:
    c, regex = _paths()
    out = c.translate(region)
    assert out == regex.translate(region), region
    return out


def _region(events: list[str]) -> bytes:
    return "".join(e + "\n" for e in events).encode()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(python_event(), min_size=1, max_size=4))
def test_python_logging_regions_read_as_the_regex_reads_them(events):
    _same(_region(events))
    for e in events:  # each event alone too: one odd event must not hide the others' branches
        _same(_region([e]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(java_event(), min_size=1, max_size=4))
def test_log4j_regions_read_as_the_regex_reads_them(events):
    _same(_region(events))
    for e in events:
        _same(_region([e]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(python_event(), java_event()), min_size=2, max_size=4))
def test_regions_mixing_the_layouts_read_as_the_regex_reads_them(events):
    _same(_region(events))


@pytest.mark.parametrize("region", [
    b"2026-12-01 10:00:00,001 - app.db - ERROR - boom\nTraceback (most recent call last):\n  File \"x\"\n\n"
    b"KeyError: 1\n \n\t\n2026-12-01 10:00:01 - app - INFO - next\n\n",
    b"2026-12-01 10:00:00.5+01:00 [http-nio-8080-exec-1] ERROR com.x.Shop$1 - failed \"x\"\n"
    b"java.lang.IllegalStateException: no\n\tat com.x.Shop.place(Shop.java:88)\nCaused by: y\n\t... 2 more\n"
    b"2026-12-01 10:00:01Z [main] INFO  com.x.Shop - ok\n",
    "2026-12-01 10:00:00 - app - INFO - 0123456789012345 é non-ASCII after byte 40\n".encode(),
    b"2026-12-01 10:00:00 - app - INFO - \n\n\n",
    b"2026-12-01 10:00:00 - app - INFO - x\n[2026-12-01 10:00:00] y\n",  # a start line of no layout: declined
])
def test_regions_at_the_edges_of_the_patterns_read_the_same(region):
    _same(region)


def test_typical_regions_qualify_and_odd_ones_are_declined():
    py = b"2026-12-01 10:00:00,001 - app - INFO - ok\n"
    assert _same(py * 3)[1:] == ([1, 1, 1], [len(py)] * 3)
    for odd in (b"2026-12-01 10:00:00 - info - INFO - logger is a level word\n",
                b"2026-12-01 10:00:00 - app - INFOS - no level word\n",
                "2026-12-01 10:00:00 - é - INFO - non-ASCII in the first 40 bytes\n".encode(),
                "2026-12-01 10:00:00 - app - INFO - a no-break\u00a0space\n".encode(),
                b"2026-12-01 10:00:00 - app - INFO - bad \xff utf-8 after byte 40\n",
                b"2026-12-01 10:00:00 - app - INFO - a CR\r\n", b"2026-12-01 10:00:00 - app - INFO - no newline",
                b"2026-12-01 10:00:00 [pool info] INFO  a - thread holds a level word\n"):
        assert _same(odd) is None, odd


@pytest.mark.parametrize("fits, line", [
    (True, "2026-12-01 10:00:00 [" + "t" * 59 + "] INFO  a - thread of 59 bytes"),
    (False, "2026-12-01 10:00:00 [" + "t" * 60 + "] INFO  a - thread of 60 bytes"),
    (True, "2026-12-01 10:00:00 - " + "a" * 60 + " - INFO - logger of 60"),
    (False, "2026-12-01 10:00:00 - " + "a" * 61 + " - INFO - logger of 61"),
    (True, "2026-12-01 10:00:00 [main] INFO " + "b" * 79 + " - logger of 79"),
    (False, "2026-12-01 10:00:00 [main] INFO " + "b" * 80 + " - logger of 80"),
    (True, "2026-12-01 10:00:00.123456789 - a - INFO - 9 digits"),
    (True, "2026-12-01 10:00:00 - a - EMERGENCY - level of 9"),
    (False, "2026-12-01 10:00:00 - a - INFO - " + "x" * 7 + "é at byte 40"),
    (True, "2026-12-01 10:00:00 - a - INFO - " + "x" * 8 + "é at byte 41"),
])
def test_the_length_limits_of_the_patterns_hold_on_both_sides(fits, line):
    assert (_same(line.encode() + b"\n") is not None) is fits


def test_events_the_grouper_would_cut_decline_the_region():
    head = b"2026-12-01 10:00:00 - app - INFO - start\n"
    assert _same(head + b"  more\n" * (MAX_EVENT_LINES - 1))[1] == [MAX_EVENT_LINES]
    assert _same(head + b"  more\n" * MAX_EVENT_LINES) is None
    filler = b"  " + b"x" * 1000 + b"\n"
    big = head + filler * ((MAX_EVENT_CHARS - len(head)) // len(filler))
    big += b"  " + b"y" * (MAX_EVENT_CHARS - len(big) - 4) + b"\n"
    assert len(big) == MAX_EVENT_CHARS - 1 and _same(big) is not None
    assert _same(big[:-1] + b"yy\n") is None


def test_a_time_is_asked_once_per_run_and_an_unreadable_one_declines_the_region():
    c, _ = _paths()
    assert c.translate(b"2026-02-30 10:00:00 - app - INFO - x\n") is None
    asked = []
    missing = fast_events._Times.__missing__
    c.times.__class__ = type("Counting", (fast_events._Times,),
                             {"__missing__": lambda self, k: asked.append(k) or missing(self, k)})
    out = c.translate(b"2026-12-01 10:00:00,1 - a - INFO - x\n" * 3 + b"2026-12-01 10:00:00,2+01:00 - a - INFO - y\n")
    assert out[0].count(b'"_time":"2026-12-01T10:00:00.') == 4
    assert asked == [b"2026-12-01 10:00:00", b"2026-12-01 10:00:00+01:00"]


def test_what_the_time_cache_raises_is_raised():
    c, _ = _paths()

    class Broken(fast_events._Times):
        def __missing__(self, key):
            raise RuntimeError("clock broke")

    c.times = Broken(c.times.clock)
    with pytest.raises(RuntimeError, match="clock broke"):
        c.translate(b"2026-12-01 10:00:00 - app - INFO - x\n")


def test_every_byte_at_every_place_of_an_eight_byte_word_is_judged_as_the_regex_judges_it():
    """The C check reads eight bytes at once where none needs a look: a byte that does must be seen
    wherever it falls in the word."""
    head = b"2026-12-01 10:00:00 - app - INFO - " + b"m" * 13  # the message starts past byte 40
    qualified = set()
    for byte in range(256):
        for at in range(9):
            region = head + b"x" * at + bytes([byte]) + b"y" * (16 - at) + b"\n"
            if _same(region) is not None:
                qualified.add(byte)
    assert qualified == set(range(32, 128)) - {ord("\\")} | {9, 10}  # a lone non-ASCII byte is no UTF-8; after a
    # newline the rest is a continuation line
