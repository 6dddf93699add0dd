"""The sniffer on text logs: recognised with reasons, never read as CSV with a log line as its
header; a real table whose first column is a time stays CSV; the overrides' mistakes are named."""

from __future__ import annotations

import pytest

from app.core.plan import Overrides, PlanError, plan_for
from app.core.sniff import preview_rows, sniff_bytes

SYSLOG = b"".join(b"Dec  1 10:00:%02d host sshd[1]: Accepted key for u%d\n" % (i, i) for i in range(30))
PYLOG = b"".join(b"2026-12-01 10:00:%02d,123 - app - INFO - step %d, of 30\n" % (i, i) for i in range(30))


def test_a_syslog_file_is_a_log_not_a_one_column_csv():
    s = sniff_bytes(SYSLOG, "auth.log")
    assert s.format == "text" and s.csv is None and s.confidence >= 0.9
    assert s.log.label == "syslog (RFC 3164)"
    assert "syslog (RFC 3164) · events start with a timestamp · one line per event" in s.reasons
    assert s.estimated_events == 30 and s.sample[0]["appname"] == "sshd"


def test_python_logging_with_commas_is_not_a_two_column_csv():
    s = sniff_bytes(PYLOG, "app.log")
    assert s.format == "text" and s.log.format == "framework"
    assert s.sample[1] == {"_time": s.sample[1]["_time"], "level": "INFO", "logger": "app", "message": "step 1, of 30"}


def test_a_csv_whose_first_column_is_a_time_stays_csv():
    data = b"time,method,status\n" + b"".join(b"2026-12-01T10:00:%02dZ,GET,200\n" % i for i in range(20))
    assert sniff_bytes(data, "t.csv").format == "csv"


def test_a_traceback_log_is_no_longer_refused():
    data = (b"2026-12-01 10:00:00,001 ERROR job failed\nTraceback (most recent call last):\n"
            b"  File \"w.py\", line 1, in <module>\nKeyError: 'n'\n2026-12-01 10:00:01,000 INFO ok\n")
    s = sniff_bytes(data, "w.log")
    assert s.error is None and s.format == "text" and s.estimated_events == 2
    assert s.log.summary().endswith("events start with a timestamp · 2.5 lines per event on average")


def test_prose_is_still_refused_and_plain_lines_can_be_chosen():
    data = b"Dear team,\nthe release is late.\n\nRegards\n"
    s = sniff_bytes(data, "note.txt")
    assert s.error
    plan = plan_for(s, Overrides(log_format="plain"))
    assert plan.format == "text" and plan.log_format == "plain"


def test_the_preview_rereads_with_the_users_settings():
    s = sniff_bytes(SYSLOG, "auth.log")
    plan = plan_for(s, Overrides(log_format="plain"))
    s.log_settings.format = plan.log_format
    assert preview_rows(SYSLOG, s, 2) == [{"message": "Dec  1 10:00:00 host sshd[1]: Accepted key for u0"},
                                          {"message": "Dec  1 10:00:01 host sshd[1]: Accepted key for u1"}]


@pytest.mark.parametrize("overrides, words", [
    (Overrides(log_line_start="(unclosed"), "the line-start pattern '(unclosed' is not a valid regular expression"),
    (Overrides(log_format="nonsense"), "unknown text-log format 'nonsense'"),
])
def test_bad_overrides_are_refused_with_a_sentence(overrides, words):
    with pytest.raises(PlanError, match="^" + words.replace("(", r"\(")):
        plan_for(sniff_bytes(SYSLOG, "auth.log"), overrides)


def test_a_text_plan_sends_the_events_own_time():
    plan = plan_for(sniff_bytes(SYSLOG, "auth.log"), Overrides(time_zone="Europe/Berlin"))
    assert (plan.format, plan.log_format, plan.time_zone.name, plan.timestamp_field) == (
        "text", "syslog-rfc3164", "Europe/Berlin", "_time")
    assert plan_for(sniff_bytes(SYSLOG, "auth.log"), Overrides(format="csv")).log_format is None
    # a layout typed in the card's time format box cannot misread the reader's RFC 3339 _time
    assert plan_for(sniff_bytes(SYSLOG, "auth.log"), Overrides(timestamp_format="Jan _2 15:04:05")).timestamp_format is None


def test_a_text_plan_survives_the_journal_for_resume():
    from app.core.journal import plan_from_json, plan_to_json

    plan = plan_for(sniff_bytes(PYLOG, "app.log"), Overrides(time_zone="Asia/Tokyo", log_line_start=r"^\d{4}"))
    again = plan_from_json(plan_to_json(plan))
    assert again == plan and (again.log_format, again.log_line_start, again.time_zone.name) == (
        "framework", r"^\d{4}", "Asia/Tokyo")
