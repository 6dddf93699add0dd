"""Retry of failed rows names the lines of the file they came from and counts each failure once
(#14); the export writes the rows as they were in the input plus a file of line → reason."""

from __future__ import annotations

import csv
import json

from app.core import sniff
from app.core.failures import reasons_path
from app.core.job import JobState
from app.core.plan import Plan
from app.core.queue import totals
from app.core.job import Source
from app.ui.widgets.export_dialog import default_export_path
from tests.ui.queue.test_queue_panel import DATASET, job, ndjson_file, panel  # noqa: F401 (fixture)

BAD = {2: {"bad": True}, 4: {"bad": True}, 7: {"bad": True}}  # lines 3, 5 and 8


def test_retry_of_failed_rows_keeps_their_lines_and_counts_them_once(panel, sandbox, tmp_path, qtbot, run_until):
    f = ndjson_file(tmp_path / "mixed.ndjson", 10, extra=BAD)
    sandbox.faults.reject_field = "bad"
    (entry,) = panel.add_jobs([job(f)])
    run_until(qtbot, lambda: entry.is_finished, 10000)
    assert [x.line for x in entry.result.failures] == [3, 5, 8]

    assert panel.retry(entry) == "failed rows"  # the server still rejects them
    again = panel.entries()[-1]
    run_until(qtbot, lambda: again.is_finished, 10000)
    assert [x.line for x in again.result.failures] == [3, 5, 8]  # not 1, 2, 3
    t = totals(panel.entries())
    assert (t["ingested"], t["failed"]) == (7, 3)  # not 6 failed

    sandbox.faults.reject_field = None
    assert panel.retry(again) == "resent"  # nothing of that row was stored: sent again in the same row
    run_until(qtbot, lambda: again.attempts == 2 and again.is_finished, 10000)
    assert again.result.state == JobState.DONE
    t = totals(panel.entries())
    assert (t["ingested"], t["failed"]) == (10, 0)
    assert sorted(e["n"] for e in sandbox.events(DATASET)) == list(range(10))


def test_failed_csv_rows_sent_again_map_back_to_their_lines_after_the_header():
    from app.core.failures import failed_rows
    from app.core.job import Failure
    from app.core.sniff import CsvDialect

    plan = Plan(format="csv", compression=None, encoding="utf-8",
                csv=CsvDialect(delimiter=",", has_header=True, fields=["a", "b"]))
    source, new_plan = failed_rows([Failure(4, "x", "1,2\n"), Failure(9, "y", '"p\nq",3\n'),
                                    Failure(12, "z", "5,6")], plan, "f.csv (failed rows)")
    assert source.data.decode().splitlines()[0] == "a,b"
    assert source.line_map == {2: 4, 3: 9, 4: 10, 5: 12}  # a quoted newline takes two lines


def test_export_writes_the_raw_rows_beside_the_source_and_a_file_of_reasons(panel, sandbox, tmp_path, qtbot,
                                                                           run_until):
    f = ndjson_file(tmp_path / "mixed.ndjson", 10, extra=BAD)
    raw_lines = f.read_text().splitlines()
    sandbox.faults.reject_field = "bad"
    (entry,) = panel.add_jobs([job(f)])
    run_until(qtbot, lambda: entry.is_finished, 10000)
    panel.select(entry)

    target = default_export_path(entry.name, entry.source.path, entry.plan)
    assert target == tmp_path / "mixed-failed.ndjson"  # next to the source file
    assert panel.details.export_to(str(target), "raw") == 3
    assert target.read_text().splitlines() == [raw_lines[2], raw_lines[4], raw_lines[7]]  # byte for byte
    with open(reasons_path(target), newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["line", "reason"]
    assert [r[0] for r in rows[1:]] == ["3", "5", "8"] and all("bad" in r[1] for r in rows[1:])
    json.loads(target.read_text().splitlines()[0])  # still the input's format


def test_csv_export_keeps_the_header_and_the_dialect(tmp_path):
    from app.core.failures import export_raw
    from app.core.job import Failure
    from app.core.sniff import CsvDialect

    plan = Plan(format="csv", compression=None, encoding="utf-8",
                csv=CsvDialect(delimiter=";", has_header=True, fields=["a", "b"]))
    n, reasons = export_raw(tmp_path / "x-failed.csv", [Failure(4, "too few", "1;2\n"),
                                                         Failure(9, "cut", "9;" + "x" * 10 + "…")], plan)
    assert (tmp_path / "x-failed.csv").read_text().splitlines()[0] == "a;b"
    assert n == 1 and reasons == tmp_path / "x-failed-reasons.csv"
    assert (tmp_path / "x-failed.csv").read_text().splitlines() == ["a;b", "1;2"]
    text = reasons.read_text()
    assert "4,too few" in text and "9,cut (the row was too long to keep in full" in text
