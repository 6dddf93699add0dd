"""A text log's failures and warnings name the line its event starts on, through the sandbox."""

from __future__ import annotations

import json

from app import cli


def test_a_refused_multi_line_event_is_named_by_its_first_line(capsys, tmp_path):
    long_key = "k" * 300  # over the sandbox's (and Axiom's) field-name limit: the event is refused
    path = tmp_path / "pod.log"
    path.write_text('2026-12-01T10:00:00Z stdout F {"ok":1}\n'
                    f'2026-12-01T10:00:01Z stdout P {{"{long_key}":\n'
                    '2026-12-01T10:00:02Z stdout F 1}\n'
                    '2026-12-01T10:00:03Z stdout F {"ok":2}\n')
    code = cli.main(["send", str(path), "-d", "logs", "--sandbox", "--json"])
    [f] = json.loads(capsys.readouterr().out)["files"]
    assert code == 1 and (f["ingested"], f["failed"]) == (2, 1)
    assert [x["line"] for x in f["failures"]] == [2] and "field name too long" in f["failures"][0]["error"]


def test_inspect_prints_the_detection_and_the_first_events(capsys, tmp_path):
    path = tmp_path / "app.log"
    path.write_text("2026-12-01 10:00:00,001 - app - ERROR - boom\nTraceback (most recent call last):\n"
                    "ValueError: x\n2026-12-01 10:00:01,000 - app - INFO - ok\n")
    assert cli.main(["inspect", str(path), "--time-zone", "Europe/Berlin"]) == 0
    out = capsys.readouterr().out
    assert "log: Python logging (timestamp · level · message) · events start with a timestamp · 2 lines per event" in out
    assert '"_time": "2026-12-01T10:00:00.001+01:00", "level": "ERROR", "logger": "app"' in out
    assert cli.main(["inspect", str(path), "--json", "--log-format", "plain"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["log"]["format"] == "framework" and len(found["first_events"]) == 3


def test_a_timestamp_that_is_no_date_is_a_warning_naming_the_events_line(capsys, tmp_path):
    path = tmp_path / "auth.log"
    lines = ["Dec  1 10:00:00 h app: fine", "Feb 30 10:00:01 h app: no such day", "  its continuation"]
    lines += [f"Feb 31 10:00:{i:02d} h app: nor this" for i in range(25)]
    path.write_text("\n".join(lines) + "\n")
    code = cli.main(["send", str(path), "-d", "logs", "--sandbox", "--json", "--time-zone", "UTC"])
    [f] = json.loads(capsys.readouterr().out)["files"]
    assert code == 0 and f["ingested"] == 27
    assert f["warnings"][0] == ("line 2: the timestamp 'Feb 30 10:00:01' is not a date: the event keeps it as "
                                "'timestamp' and gets the ingest time")
    assert f["warnings"][19].startswith("line 22: ")  # the 20th: line 2, then lines 4, 5, …
    assert f["warnings"][20] == ("line 28: 6 more events had a timestamp that is not a date "
                                 "(kept as 'timestamp'; they got the ingest time)")
