"""The C block paths (_native.c) give byte for byte what fast.py's regular expressions give, or
decline the same blocks: on lines built from the pieces the patterns care about (spaces,
brackets, colons, quotes, dashes, "HTTP/", digits, non-ASCII, a backslash, a tab), so that every
branch of the hand-written matchers meets the regex it copies. The end-to-end equality with the
line-by-line path is test_fast_path.py's and test_fast_equivalence.py's."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.textlog import fast
from app.core.textlog.clock import Clock

pytestmark = pytest.mark.skipif(fast._native is None, reason="the C parser is not built here (make builds it)")

PIECES = [" ", "  ", "[", "]", ":", ": ", '"', '" ', "-", "a", "web-1", "sshd", "[12]", "7", "200", " HTTP/1.1",
          "HTTP/", "1.0", "é", "\\", "\t", "GET", " /x", "=", "]:", "[]:", "\r"]
SYSLOG_TIMES = ["Dec  1 00:00:01", "Nov 30 23:59:59", "Feb 30 00:00:01", "Dec 1 00:00:01", "Foo  1 00:00:01"]
APACHE_TIMES = ["01/Dec/2026:10:00:01 +0100", "31/Nov/2026:10:00:01 +0100", "01/Dec/2026:25:00:01 -0000",
                "1/Dec/2026:10:00:01 +0100"]

rest = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


def _paths(fmt: str) -> tuple[fast.FastPath, fast.FastPath]:
    return tuple(fast.FastPath(fmt, Clock("Europe/Berlin", date(2026, 12, 3)), native=n) for n in (True, False))


def _same(fmt: str, lines: list[str]) -> None:
    block = "".join(line + "\n" for line in lines).encode()
    c, regex = _paths(fmt)
    assert c.translate(block, len(lines)) == regex.translate(block, len(lines)), block


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(SYSLOG_TIMES), rest), min_size=1, max_size=4))
def test_syslog_lines_read_as_the_regex_reads_them(lines):
    _same("syslog-rfc3164", [t + r for t, r in lines])
    for t, r in lines:  # each line alone too: one odd line must not hide the others' branches
        _same("syslog-rfc3164", [t + r])


ACCESS_FIELDS = st.tuples(st.sampled_from(["10.0.0.1", "-", "a b", ""]), st.sampled_from(["-", "bob", '"q"']),
                          st.sampled_from(APACHE_TIMES), st.sampled_from(["GET", "get", "", "POST"]), rest,
                          st.sampled_from(["200", "20", "2000", "304"]), st.sampled_from(["12", "-", "", "1-"]),
                          rest, rest)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACCESS_FIELDS, st.booleans())
def test_access_lines_read_as_the_regex_reads_them(f, combined):
    addr, user, t, method, request, status, size, referer, agent = f
    line = f'{addr} - {user} [{t}] "{method} {request}" {status} {size}'
    if combined:
        line += f' "{referer}" "{agent}"'
    for fmt in ("access-combined", "access-common"):
        _same(fmt, [line])


@pytest.mark.parametrize("fmt, line", [
    ("syslog-rfc3164", 'Dec  1 00:00:01 web1 sshd[12]: Accepted "key" for u1'),
    ("syslog-rfc3164", "Dec  1 00:00:01 - app[]: empty pid"),
    ("syslog-rfc3164", "Dec  1 00:00:01 web1 app[1] no colon"),
    ("syslog-rfc3164", "Dec  1 00:00:01 host"),
    ("access-combined", '1.2.3.4 - - [01/Dec/2026:10:00:01 +0100] "GET /a"b HTTP/1.1" 200 5 "-" "-"'),
    ("access-combined", '1.2.3.4 - - [01/Dec/2026:10:00:01 +0100] "GET /a" 200 - "r" "ua"'),
    ("access-common", '1.2.3.4 - - [01/Dec/2026:10:00:01 +0100] "GET /a HTTP/1.1" 200 -'),
    ("access-common", '1.2.3.4 - - [01/Dec/2026:10:00:01 +0100] "GET /a HTTP/1.1" 200 5 "-" "-"'),
])
def test_lines_at_the_edges_of_the_patterns_read_the_same(fmt, line):
    _same(fmt, [line, line])


def test_a_block_without_a_final_newline_or_with_bad_utf8_is_declined():
    c, _ = _paths("syslog-rfc3164")
    line = b"Dec  1 00:00:01 web1 app: x"
    assert c.translate(line, 0) is None
    assert c.translate(line + b" \xff\n", 1) is None
    assert c.translate(line + " é\n".encode(), 1) is not None


def test_an_unreadable_time_declines_the_block_and_a_readable_one_is_read_once_per_run():
    c, _ = _paths("syslog-rfc3164")
    assert c.translate(b"Feb 30 00:00:01 web1 app: x\n", 1) is None
    asked = []
    times = c.times
    c.times = type("Counting", (dict,), {"__missing__": lambda self, k: asked.append(k) or times[k]})()
    out = c.translate(b"Dec  1 00:00:01 a b: x\n" * 3 + b"Dec  1 00:00:02 a b: y\n", 4)
    assert out.count(b'"_time":"2026-12-01T00:00:0') == 4
    assert asked == [b"Dec  1 00:00:01", b"Dec  1 00:00:02"]
