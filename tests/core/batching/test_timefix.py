"""The transform step of batching: the app's `_time` on each event of a plan Axiom would misread."""

from __future__ import annotations

import datetime as dt
import io
import json

from app.core.batching import iter_batches
from app.core.batching.timefix import TimeFix, csv_fields_sent
from app.core.plan import Plan
from app.core.sniff import CsvDialect
from app.core.time.civil import NaiveZone


def batches(data: str, plan: Plan, **kw):
    return list(iter_batches(io.BytesIO(data.encode()), plan, **kw))


def test_plans_axiom_reads_right_are_left_alone():
    plan = Plan(format="ndjson", timestamp_field="t", timestamp_format="2006-01-02 15:04:05")
    assert not plan.client_time and TimeFix.for_plan(plan) is None
    data = '{"t":"2026-01-01 00:00:00"}\n'
    assert batches(data, plan)[0].body == data.encode()


def test_ndjson_gets_time_first_and_keeps_its_field():
    plan = Plan(format="ndjson", timestamp_field="t", timestamp_format="2006-01-02 15:04:05",
                time_zone=NaiveZone("America/New_York"))
    [b] = batches('{"t":"2026-01-01 00:00:00","x":1}\n{"t":"2026-07-01 00:00:00"}\n{}\n', plan)
    events = [json.loads(r) for r in b.records()]
    assert events[0] == {"_time": "2026-01-01T05:00:00Z", "t": "2026-01-01 00:00:00", "x": 1}
    assert events[1]["_time"] == "2026-07-01T04:00:00Z"
    assert events[2] == {}  # no time: Axiom gives it the ingest time


def test_an_events_own_time_is_replaced_when_it_is_the_field():
    plan = Plan(format="ndjson", timestamp_field="_time", timestamp_format="Jan _2 15:04:05")
    fix = TimeFix(plan, today=dt.date(2027, 1, 1))
    [b] = batches('{"_time":"Dec 31 23:00:00","n":1}\n', Plan(format="ndjson"))
    assert json.loads(fix.apply(b).records()[0]) == {"_time": "2026-12-31T23:00:00Z", "n": 1}


def test_unreadable_times_are_failed_by_line_and_the_rest_sent():
    plan = Plan(format="ndjson", timestamp_field="t", timestamp_format="Jan _2 15:04:05")
    data = '{"t":"Jan  2 03:04:05"}\n{"t":"whenever"}\n\n{"t":"Jan  3 03:04:05"}\n'
    [b] = batches(data, plan)
    assert b.count == 2 and list(b.lines) == [1, 4] and list(b.ordinals) == [1, 3]
    assert b.skipped == [(2, "its time 'whenever' (field t) does not read as the layout Jan _2 15:04:05")]
    assert b.skipped_ordinals == [2]


def test_csv_with_a_header_gets_a_time_column():
    plan = Plan(format="csv", csv=CsvDialect(delimiter=";", fields=["when", "msg"]),
                timestamp_field="when", timestamp_format="Jan _2 15:04:05")
    fix = TimeFix(plan, today=dt.date(2026, 6, 1))
    [b] = batches('when;msg\nMay  2 03:04:05;"a;b"\n;empty\n', Plan(format="csv", csv=plan.csv))
    out = fix.apply(b)
    assert out.header == b"when;msg;_time\n"
    assert out.body == b'May  2 03:04:05;"a;b";2026-05-02T03:04:05Z\n;empty;\n'


def test_csv_without_a_header_names_the_added_column():
    plan = Plan(format="csv", csv=CsvDialect(has_header=False, fields=["when", "msg"]),
                timestamp_field="when", timestamp_format="Jan _2 15:04:05")
    assert csv_fields_sent(plan) == ["when", "msg", "_time"]
    assert csv_fields_sent(Plan(format="csv", csv=plan.csv)) == ["when", "msg"]
    [b] = batches("Jan  2 03:04:05,hi\n", plan)
    assert b.header is None
    assert b.body.startswith(b"Jan  2 03:04:05,hi,") and b.body.endswith(b"T03:04:05Z\n")


def test_a_csv_time_column_is_rewritten_in_place():
    plan = Plan(format="csv", csv=CsvDialect(fields=["_time", "msg"]), timestamp_field="_time",
                timestamp_format="02.01.2006 15:04", time_zone=NaiveZone("Europe/Berlin"))
    [b] = batches("_time,msg\n01.11.2026 08:00,hi\n", plan)
    assert b.header == b"_time,msg\n" and b.body == b"2026-11-01T07:00:00Z,hi\n"
