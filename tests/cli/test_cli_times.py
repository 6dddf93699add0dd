"""Times Axiom would misread, end to end: the CLI sends to the sandbox (which reads times as
Go's time.Parse does) and the stored `_time` instants are the ones the file means."""

from __future__ import annotations

import datetime as dt
import json

from app.core.time.civil import syslog_year
from tests.cli.test_cli import run_cli, stored


def send(capsys, path, *extra):
    code, out, err = run_cli(capsys, "send", str(path), "--dataset", "logs", "--sandbox", "--json", *extra)
    return code, json.loads(out), err


def by_n(events):
    return {e["n"]: e for e in events}


def write_ndjson(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_syslog_dates_get_the_year_syslog_readers_give_them(tmp_path, capsys):
    today = dt.date.today()
    ahead = today + dt.timedelta(days=3)  # a date ahead of today is last year's
    rows = [{"n": 1, "time": today.strftime("%b ") + f"{today.day:>2}" + " 03:04:05", "msg": "a"},
            {"n": 2, "time": ahead.strftime("%b ") + f"{ahead.day:>2}" + " 23:00:00", "msg": "b"}]
    code, summary, _ = send(capsys, write_ndjson(tmp_path / "sys.ndjson", rows))
    assert code == 0, summary
    events = by_n(stored("logs"))
    assert events[1]["_time"] == f"{today:%Y-%m-%d}T03:04:05Z"
    year = syslog_year(ahead.month, ahead.day, today)
    assert year == today.year - 1
    assert events[2]["_time"] == f"{year}-{ahead:%m-%d}T23:00:00Z"
    assert events[1]["time"] == rows[0]["time"]  # the original field stays as it was


def test_zone_names_are_read_with_their_offsets(tmp_path, capsys):
    rows = [{"n": 1, "date": "Tue, 02 Jan 2024 03:04:05 PST"}, {"n": 2, "date": "Tue, 02 Jul 2024 03:04:05 CEST"},
            {"n": 3, "date": "Tue, 02 Jan 2024 03:04:05 GMT"}]
    code, summary, _ = send(capsys, write_ndjson(tmp_path / "zones.ndjson", rows))
    assert code == 0, summary
    events = by_n(stored("logs"))
    assert events[1]["_time"] == "2024-01-02T11:04:05Z"
    assert events[2]["_time"] == "2024-07-02T01:04:05Z"
    assert events[3]["_time"] == "2024-01-02T03:04:05Z"


def test_zone_less_times_in_a_chosen_zone_across_summer_time(tmp_path, capsys):
    rows = [{"n": 1, "time": "2026-11-01 08:00:00"}, {"n": 2, "time": "2026-07-01 08:00:00.5"}]
    path = write_ndjson(tmp_path / "naive.ndjson", rows)
    code, summary, _ = send(capsys, path, "--time-zone", "Europe/Berlin")
    assert code == 0, summary
    events = by_n(stored("logs"))
    assert events[1]["_time"] == "2026-11-01T07:00:00Z"
    assert events[2]["_time"] == "2026-07-01T06:00:00.5Z"


def test_zone_less_times_default_to_utc_as_axiom_reads_them(tmp_path, capsys):
    path = write_ndjson(tmp_path / "naive.ndjson", [{"n": 1, "time": "2026-11-01 08:00:00"}])
    code, summary, _ = send(capsys, path)
    assert code == 0, summary
    assert stored("logs")[0]["_time"] == "2026-11-01T08:00:00Z"


def test_an_unknown_time_zone_is_a_usage_error(tmp_path, capsys):
    path = write_ndjson(tmp_path / "naive.ndjson", [{"n": 1, "time": "2026-11-01 08:00:00"}])
    code, out, err = run_cli(capsys, "send", str(path), "--dataset", "logs", "--sandbox", "--time-zone", "Mars/Base")
    assert code == 2 and "unknown time zone 'Mars/Base'" in out + err


def test_day_first_dates_are_found_from_the_whole_sample(tmp_path, capsys):
    path = tmp_path / "dots.csv"
    path.write_text("n,time,msg\n1,01.11.2026 08:00,a\n2,13.11.2026 09:30,b\n")
    code, summary, _ = send(capsys, path)
    assert code == 0, summary
    events = {e["n"]: e for e in stored("logs")}
    assert events["1"]["_time"] == "2026-11-01T08:00:00Z"
    assert events["2"]["_time"] == "2026-11-13T09:30:00Z"


def test_dates_that_fit_both_orders_need_a_flag(tmp_path, capsys):
    path = tmp_path / "slashes.csv"
    path.write_text("n,time\n1,02/12/2026 14:03\n2,03/12/2026 14:04\n")
    code, summary, _ = send(capsys, path)
    assert code == 2
    assert "--date-order" in summary["files"][0]["error"] and "day first and month first" in summary["files"][0]["error"]
    assert stored("logs") == []
    code, summary, _ = send(capsys, path, "--date-order", "dmy")
    assert code == 0, summary
    assert {e["n"]: e["_time"] for e in stored("logs")} == {"1": "2026-12-02T14:03:00Z", "2": "2026-12-03T14:04:00Z"}


def test_day_first_with_a_zone_and_a_syslog_csv(tmp_path, capsys):
    path = tmp_path / "berlin.csv"
    path.write_text("n,when\n1,24/12/2026 18:00:00\n2,25/06/2026 18:00:00\n")
    code, summary, _ = send(capsys, path, "--time-zone", "Europe/Berlin")
    assert code == 0, summary
    rows = {e["n"]: e for e in stored("logs")}
    assert rows["1"]["_time"] == "2026-12-24T17:00:00Z" and rows["2"]["_time"] == "2026-06-25T16:00:00Z"
    assert rows["1"]["when"] == "24/12/2026 18:00:00"


def test_times_that_do_not_read_are_refused_unless_allowed(tmp_path, capsys):
    rows = [{"n": i, "time": f"2026-11-01 08:00:{i:02d}"} for i in range(1, 10)] + [{"n": 10, "time": "soon"}]
    path = write_ndjson(tmp_path / "some_bad.ndjson", rows)
    code, summary, _ = send(capsys, path, "--timestamp-field", "time")
    assert code == 2
    assert "does not read for 1 of 10 sampled rows" in summary["files"][0]["error"]
    assert stored("logs") == []
    code, summary, _ = send(capsys, path, "--timestamp-field", "time", "--allow-unread-times")
    file = summary["files"][0]
    assert (file["ingested"], file["failed"]) == (9, 1)
    assert file["failures"][0]["line"] == 10


def test_unread_times_under_client_time_fail_by_line(tmp_path, capsys):
    rows = [{"n": 1, "time": "Tue, 02 Jan 2024 03:04:05 PST"}, {"n": 2, "time": "Tue, 02 Jan 2024 03:04:05 XYZT"}]
    path = write_ndjson(tmp_path / "zones.ndjson", rows)
    code, summary, _ = send(capsys, path, "--timestamp-field", "time",
                            "--timestamp-format", "Mon, 02 Jan 2006 15:04:05 MST", "--allow-unread-times")
    file = summary["files"][0]
    assert (file["ingested"], file["failed"]) == (1, 1)
    assert file["failures"][0]["line"] == 2 and "XYZT" in file["failures"][0]["error"]


def test_a_syslog_style_csv_is_stored_at_its_instants(capsys):
    from pathlib import Path

    path = Path(__file__).parents[1] / "data" / "sniff" / "ts_syslog.csv"
    code, summary, err = run_cli(capsys, "send", str(path), "--dataset", "logs", "--sandbox")
    assert code == 0, summary
    assert "_time computed by this app (the layout has no year" in err
    today = dt.date.today()
    rows = sorted(stored("logs"), key=lambda e: e["time"])
    assert len(rows) == 9
    assert [e["_time"] for e in rows] == [f"{syslog_year(3, d, today)}-03-{d:02d}T15:04:05Z" for d in range(1, 10)]
    assert rows[0]["time"] == "Mar  1 15:04:05" and rows[0]["host"] == "web-1"


def test_inspect_shows_how_the_first_times_read_and_the_open_order(capsys):
    from pathlib import Path

    data = Path(__file__).parents[1] / "data" / "sniff"
    code, out, _ = run_cli(capsys, "inspect", str(data / "ts_syslog.csv"), str(data / "csv_semicolon.csv"))
    assert code == 0
    year = syslog_year(3, 1, dt.date.today())
    assert f"'Mar  1 15:04:05' → {year}-03-01 15:04:05 UTC" in out
    assert "_time computed by this app: the layout has no year" in out
    assert "send needs --date-order" in out


def test_a_likely_time_field_left_unused_is_refused_unless_allowed(tmp_path, capsys):
    rows = [{"n": i, "time": f"Jan  2 15:04:{i:02d}"} for i in range(1, 10)] + [{"n": 10, "time": "garbage"}]
    path = write_ndjson(tmp_path / "one_bad.ndjson", rows)
    code, summary, _ = send(capsys, path)
    error = summary["files"][0]["error"] or ""
    assert code == 2, summary
    assert "'time'" in error and "1 of 10" in error
    assert all(flag in error for flag in ("--timestamp-field", "--timestamp-format", "--allow-unread-times"))
    assert stored("logs") == []
    code, summary, err = run_cli(capsys, "send", str(path), "--dataset", "logs", "--sandbox", "--allow-unread-times")
    assert code == 0 and "warning:" in err and "'time'" in err, err
    assert len(stored("logs")) == 10
