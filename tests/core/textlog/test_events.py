"""Lines into events and events into fields: what a user would see stored for small logs."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.batching import iter_batches
from app.core.plan import Plan
from app.core.textlog import BY_ID, Parser, group
from app.core.textlog.fields import LOGFMT_PAIR
from app.core.textlog.multiline import MAX_EVENT_LINES
from app.core.time.civil import NaiveZone


def send(data: bytes, log_format: str, **kw) -> tuple[list[dict], list[int], list]:
    max_events = kw.pop("max_events", 10_000)
    plan = Plan(format="text", log_format=log_format, time_zone=NaiveZone(kw.pop("zone", "UTC")), **kw)
    batches = list(iter_batches(io.BytesIO(data), plan, max_events=max_events))
    events = [json.loads(x) for b in batches for x in b.body.splitlines()]
    return events, [n for b in batches for n in b.lines], batches


def test_lines_before_the_first_start_are_an_event_and_nothing_is_dropped():
    data = (b"banner line\n  second banner line\n"
            b"2026-12-01 10:00:00,001 ERROR boom\nTraceback (most recent call last):\n  File \"x\"\nKeyError: 1\n"
            b"2026-12-01 10:00:01,000 INFO fine\n")
    events, lines, _ = send(data, "framework")
    assert lines == [1, 3, 7]
    assert events[0] == {"message": "banner line\n  second banner line"}
    assert events[1]["message"] == "boom\nTraceback (most recent call last):\n  File \"x\"\nKeyError: 1"
    assert events[1]["_time"] == "2026-12-01T10:00:00.001Z" and events[2]["level"] == "INFO"


def test_crlf_lines_lose_their_cr_and_batches_tile_the_bytes():
    data = b"Dec  1 10:00:00 h app: one\r\nDec  1 10:00:01 h app: two\r\n  more\r\nDec  1 10:00:02 h app: three\r\n"
    events, lines, batches = send(data, "syslog-rfc3164", max_events=1)
    assert [e["message"] for e in events] == ["one", "two\n  more", "three"]
    assert lines == [1, 2, 4]
    assert [(b.start, b.end) for b in batches] == [(0, 28), (28, 64), (64, len(data))]


def test_a_resume_from_a_batch_end_reads_the_same_events():
    data = b"".join(b"2026-12-01T10:00:0%dZ stdout F {\"n\":%d}\n" % (i, i) for i in range(6))
    plan = Plan(format="text", log_format="cri")
    whole = list(iter_batches(io.BytesIO(data), plan, max_events=2))
    cut = whole[0]
    rest = list(iter_batches(io.BytesIO(data[cut.end:]), plan, max_events=2, start_offset=cut.end,
                             start_line=cut.end_line, start_ordinal=cut.end_ordinal))
    assert [(b.start, b.end, list(b.lines), b.body) for b in rest] == [
        (b.start, b.end, list(b.lines), b.body) for b in whole[1:]]


def test_container_partial_lines_are_joined_into_one_event():
    data = (b'2026-12-01T10:00:00.000000001Z stdout P {"msg":"part one, \n'
            b'2026-12-01T10:00:00.000000002Z stdout P part two, \n'
            b'2026-12-01T10:00:00.000000003Z stdout F part three","level":"warn"}\n'
            b'2026-12-01T10:00:01Z stderr F plain\n')
    events, lines, _ = send(data, "cri")
    assert lines == [1, 4]
    assert events[0] == {"_time": "2026-12-01T10:00:00.000000001Z", "stream": "stdout",
                         "msg": "part one, part two, part three", "level": "warn"}
    assert events[1] == {"_time": "2026-12-01T10:00:01Z", "stream": "stderr", "message": "plain"}


def test_a_start_pattern_that_never_matches_again_cuts_events_at_the_line_cap():
    data = b"2026-12-01 10:00:00 INFO start\n" + b"  continued\n" * (MAX_EVENT_LINES + 10)
    events, lines, _ = send(data, "framework")
    assert lines == [1, MAX_EVENT_LINES + 1]
    assert sum(e["message"].count("\n") + 1 for e in events) == MAX_EVENT_LINES + 11


def test_the_users_line_start_pattern_decides_where_events_start():
    data = b">>> one\nrest of one\n>>> two\n"
    events, lines, _ = send(data, "plain", log_line_start=r">>> ")
    assert lines == [1, 3] and events[0]["message"] == ">>> one\nrest of one"


def test_times_without_a_zone_are_read_in_the_chosen_zone_with_its_summer_time():
    data = b"2026/07/01 12:00:00 main.go:1: summer\n2026/12/01 12:00:00.5 main.go:2: winter\n"
    events, _, _ = send(data, "go-log", zone="Europe/Berlin")
    assert [e["_time"] for e in events] == ["2026-07-01T12:00:00+02:00", "2026-12-01T12:00:00.5+01:00"]


def test_a_syslog_line_from_december_read_in_january_is_last_year():
    parser = Parser(BY_ID["syslog-rfc3164"], zone="UTC", today=date(2027, 1, 2))
    [g] = group([("Dec 31 23:59:59 h app: late", 1)], parser.start, 1, 0)
    assert parser.event(g)["_time"] == "2026-12-31T23:59:59Z"


def test_a_timestamp_that_is_no_date_keeps_its_text_and_names_its_line():
    parser = Parser(BY_ID["syslog-rfc3164"], zone="UTC", today=date(2026, 12, 2))
    items = [("Feb 30 10:00:00 h app: impossible", 1), ("Mar  1 10:00:00 h app: fine", 1)]
    events = [parser.event(g) for g in group(items, parser.start, 7, 0)]
    assert events[0] == {"timestamp": "Feb 30 10:00:00", "hostname": "h", "appname": "app", "message": "impossible"}
    assert events[1]["_time"] == "2026-03-01T10:00:00Z"
    assert parser.unread == [(7, "Feb 30 10:00:00")]


def test_zone_names_are_read_as_their_offsets():
    data = b"2026-07-01 09:00:00 CEST a\n2026-07-01 09:00:00 PDT b\n2026-07-01 09:00:00 INFO c\n"
    events, _, _ = send(data, "timestamped", zone="UTC")
    assert [e["_time"] for e in events] == ["2026-07-01T09:00:00+02:00", "2026-07-01T09:00:00-07:00",
                                           "2026-07-01T09:00:00Z"]
    assert events[2]["level"] == "INFO"


@pytest.mark.parametrize("line, fields", [
    ('a=1 b="two words" d=true e= f=0x1', {"a": 1, "b": "two words", "d": True, "e": "", "f": "0x1"}),
    ('msg="quote \\" inside" n=-2.5e3', {"msg": 'quote " inside', "n": -2500.0}),
])
def test_logfmt_values(line, fields):
    events, _, _ = send(line.encode() + b"\n", "logfmt")
    assert events == [fields]


def test_a_logfmt_line_holding_a_megabyte_word_without_a_pair_is_read():
    """A key is tried only where a word starts: before, every byte of a word with no "=" began a
    scan to the word's end (a 64 KB word took 19 s, a 1 MB one would hold the upload for an hour)."""
    assert LOGFMT_PAIR.match("xk=1", 1) is None  # the rule that keeps it linear, checked first: no hour-long hang
    data = b"time=2026-12-01T10:00:00Z level=info msg= x" + b"x" * (1 << 20) + b" n=5\n"
    events, _, _ = send(data, "logfmt")
    assert events == [{"_time": "2026-12-01T10:00:00Z", "time": "2026-12-01T10:00:00Z", "level": "info", "msg": "",
                       "n": 5}]


_FORMER_PAIR = re.compile(r'([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)')  # LOGFMT_PAIR before a key had to start a word


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "=", '"', "\\", " ", "\t", "x=", 'k="v"', "\u00a0", "\u3000", "\u00e9",
                                 '\\"', '=="', '"=', "a=b=c"]), max_size=24).map("".join))
def test_logfmt_pairs_are_the_ones_the_former_pattern_found(text):
    assert LOGFMT_PAIR.findall(text) == _FORMER_PAIR.findall(text)


def test_access_log_fields_are_typed_and_dashes_are_left_out():
    data = b'1.2.3.4 - - [01/Dec/2026:10:00:00 +0100] "GET /x?a=1 HTTP/1.1" 200 - "-" "curl/8"\n'
    [event], _, _ = send(data, "access-combined")
    assert event == {"_time": "2026-12-01T10:00:00+01:00", "remote_addr": "1.2.3.4", "method": "GET",
                     "path": "/x?a=1", "protocol": "HTTP/1.1", "status": 200, "user_agent": "curl/8"}


def test_bytes_that_are_not_utf8_are_replaced_not_fatal():
    events, lines, batches = send(b"plain \xff line\nnext\n", "plain")
    assert [e["message"] for e in events] == ["plain \ufffd line", "next"] and batches[-1].end == 18
