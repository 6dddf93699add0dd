"""The upload queue and the details pane, against the real sandbox over loopback."""

from __future__ import annotations

import json
import re
import time

import pytest
from PySide6.QtCore import Qt

from app.core import sniff
from app.core.plan import Plan
from app.core.sniff import CsvDialect
from app.core.failures import ERROR_FIELD, LINE_FIELD, export_failures
from app.core.job import Failure, JobResult, JobState, Progress, Source
from app.core.queue import QueueEntry, UploadQueue
from app.ui.queue.details import RequestsModel
from app.ui.queue.queue_model import QueueModel
from app.ui.queue.queue_panel import QueuePanel
from app.ui.widgets.failures_model import FailuresModel

DATASET = "queue-test"


def ndjson_file(path, n, extra=None):
    with open(path, "w") as f:
        for i in range(n):
            event = {"_time": f"2024-01-02T03:{i // 60 % 60:02d}:{i % 60:02d}.{i // 3600:03d}Z", "n": i}
            if extra and i in extra:
                event.update(extra[i])
            f.write(json.dumps(event) + "\n")
    return path


def job(path):
    return Source.from_path(path), Plan.from_sniff(sniff.sniff_path(path))


@pytest.fixture
def panel(connected_widget):
    return connected_widget(QueuePanel, DATASET, (1100, 500))


def cell(panel, entry, col):
    model = panel.model
    return model.data(model.index(model.row_of(entry), col))


def finished(entries):
    return lambda: all(e.is_finished for e in entries)


def test_queue_counts_after_an_upload(panel, sandbox, tmp_path, qtbot, run_until, qtmodeltester):
    a = ndjson_file(tmp_path / "a.ndjson", 250)
    b = ndjson_file(tmp_path / "b.ndjson", 40, extra={3: {"bad": 1}, 7: {"bad": 2}})
    sandbox.faults.reject_field = "bad"
    entries = panel.add_jobs([job(a), job(b)])
    qtmodeltester.check(panel.model)
    run_until(qtbot, finished(entries), 15000)
    qtbot.wait(150)  # one repaint tick
    ea, eb = entries
    assert cell(panel, ea, QueueModel.FILE) == "a.ndjson"
    assert cell(panel, ea, QueueModel.DATASET) == DATASET
    assert cell(panel, ea, QueueModel.FORMAT) == "NDJSON"
    assert cell(panel, ea, QueueModel.INGESTED) == "250"
    assert cell(panel, ea, QueueModel.FAILED) == "0"
    assert cell(panel, ea, QueueModel.STATUS) == "done"
    assert cell(panel, ea, QueueModel.PROGRESS) == "100 %"
    assert cell(panel, eb, QueueModel.INGESTED) == "38"
    assert cell(panel, eb, QueueModel.FAILED) == "2"
    assert cell(panel, eb, QueueModel.STATUS) == "done with failures"
    assert panel.summary.text() == "2 files · 288 ingested · 2 failed"
    assert len(sandbox.events(DATASET)) == 288
    qtmodeltester.check(panel.model)

    # The details of the file with failures name the lines, the reason and the row.
    panel.select(eb)
    details = panel.details
    assert details.failures.rowCount() == 2
    fm = details.failures
    rows = [[fm.data(fm.index(r, c)) for c in range(3)] for r in range(2)]
    assert [r[0] for r in rows] == ["4", "8"]
    assert rows[0][1] == "rejected by sandbox: field bad is not allowed"
    assert json.loads(rows[0][2]) == {"_time": "2024-01-02T03:00:03.000Z", "n": 3, "bad": 1}
    assert details.tabs.tabText(0) == "Failures (2)"
    assert details.tabs.tabText(3) == "Requests (1)"
    assert "38 ingested · 2 failed" in details.summary.text()
    assert details.trace_ids.toPlainText().strip() != ""
    assert details.export_button.isEnabled()
    qtmodeltester.check(details.failures)
    qtmodeltester.check(details.requests)

    # Export: each failed event with its reason, ready to fix and drop again.
    out = tmp_path / "failed.ndjson"
    assert details.export_to(str(out)) == 2
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines == [
        {"_time": "2024-01-02T03:00:03.000Z", "n": 3, "bad": 1, ERROR_FIELD: "rejected by sandbox: field bad is not allowed",
         LINE_FIELD: 4},
        {"_time": "2024-01-02T03:00:07.000Z", "n": 7, "bad": 2, ERROR_FIELD: "rejected by sandbox: field bad is not allowed",
         LINE_FIELD: 8},
    ]


def test_at_most_three_uploads_run_at_once(panel, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.delay = 0.3
    paths = [ndjson_file(tmp_path / f"f{i}.ndjson", 20) for i in range(5)]
    most = []
    panel.model.jobStarted.connect(lambda e: most.append(len(panel.queue.running())))
    entries = panel.add_jobs([job(p) for p in paths])
    assert [e.state for e in entries].count(JobState.QUEUED) == 2
    assert cell(panel, entries[4], QueueModel.STATUS) == "queued"
    run_until(qtbot, finished(entries), 15000)
    assert max(most) == 3
    assert panel.model.totals()["ingested"] == 100


def test_pause_resume_and_cancel(panel, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.delay = 0.15
    panel.queue.job_options = {"max_events": 50, "in_flight": 1}
    one = ndjson_file(tmp_path / "one.ndjson", 1000)
    two = ndjson_file(tmp_path / "two.ndjson", 1000)
    e1, e2 = panel.add_jobs([job(one), job(two)])
    run_until(qtbot, lambda: e1.ingested >= 50 and e2.ingested >= 50, 10000)

    panel.select(e1)
    panel.pause_button.click()
    run_until(qtbot, lambda: cell(panel, e1, QueueModel.STATUS) == "paused", 3000)
    assert panel.resume_button.isEnabled()
    qtbot.wait(400)  # the request in flight may land; nothing more is sent
    held = e1.ingested
    qtbot.wait(500)
    assert e1.ingested == held < 1000

    panel.select(e2)
    panel.cancel_button.click()
    run_until(qtbot, lambda: e2.is_finished, 5000)
    qtbot.wait(150)
    assert cell(panel, e2, QueueModel.STATUS) == "cancelled"
    assert e2.result.not_sent > 0
    # One request at a time, in order: everything before the line it stopped at is stored.
    assert e2.result.stopped_at == f"line {e2.result.ingested + 1}"
    panel.select(e2)
    assert f"{e2.result.not_sent:,} not sent" in panel.details.summary.text()

    panel.select(e1)
    panel.resume_button.click()
    run_until(qtbot, lambda: e1.is_finished, 15000)
    assert e1.result.state == JobState.DONE and e1.result.ingested == 1000
    stored = sandbox.events(DATASET)
    assert len(stored) == 1000 + e2.result.ingested
    assert panel.details.entry is e1 and "1,000 ingested · 0 failed" in panel.details.summary.text()


def test_retry_a_cancelled_upload_that_never_started(panel, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.delay = 0.3
    paths = [ndjson_file(tmp_path / f"r{i}.ndjson", 10) for i in range(4)]
    entries = panel.add_jobs([job(p) for p in paths])
    last = entries[3]
    panel.select(last)
    panel.cancel_button.click()
    assert cell(panel, last, QueueModel.STATUS) == "cancelled"
    assert panel.retry_button.isEnabled()
    assert panel.retry_button.toolTip() == "Nothing was stored: send the whole file again"
    panel.retry_button.click()
    run_until(qtbot, finished(entries), 15000)
    assert last.result.state == JobState.DONE and last.ingested == 10
    assert len(sandbox.events(DATASET)) == 40


def test_retry_sends_only_the_failed_rows(panel, sandbox, tmp_path, qtbot, run_until):
    f = ndjson_file(tmp_path / "mixed.ndjson", 10, extra={2: {"bad": True}})
    sandbox.faults.reject_field = "bad"
    (entry,) = panel.add_jobs([job(f)])
    run_until(qtbot, lambda: entry.is_finished, 10000)
    assert entry.failed == 1
    sandbox.faults.reject_field = None  # the server problem is gone
    panel.select(entry)
    assert panel.retry(entry) == "failed rows"
    again = panel.entries()[-1]
    assert again.source.name == "mixed.ndjson (failed rows)"
    run_until(qtbot, lambda: again.is_finished, 10000)
    assert again.result.state == JobState.DONE and again.ingested == 1
    assert sorted(e["n"] for e in sandbox.events(DATASET)) == list(range(10))


def _cancelled_partway(panel, sandbox, path, after: int, qtbot, run_until):
    """A 200-event upload (20 a request, one at a time, each answer held 0.1 s), cancelled
    once `after` events are stored."""
    sandbox.faults.delay = 0.1
    panel.queue.job_options = {"max_events": 20, "in_flight": 1}
    (entry,) = panel.add_jobs([job(ndjson_file(path, 200))])
    run_until(qtbot, lambda: entry.ingested >= after, 10000)
    panel.queue.cancel(entry)
    run_until(qtbot, lambda: entry.is_finished, 5000)
    return entry


def test_retry_resumes_a_cancelled_upload_without_duplicates(panel, sandbox, tmp_path, qtbot, run_until):
    entry = _cancelled_partway(panel, sandbox, tmp_path / "resume.ndjson", 40, qtbot, run_until)
    stored_before = entry.ingested
    assert 0 < stored_before < 200 and entry.not_sent > 0
    panel.confirm_resend = lambda e: pytest.fail("resuming must not ask to resend everything")
    sandbox.faults.delay = 0
    assert panel.retry(entry) == "resuming"
    run_until(qtbot, lambda: entry.attempts == 2 and entry.is_finished, 15000)
    assert entry.result.state == JobState.DONE
    assert entry.result.ingested == 200 and entry.result.not_sent == 0
    assert sorted(e["n"] for e in sandbox.events(DATASET)) == list(range(200))


def test_resending_a_partly_stored_file_asks_first(panel, sandbox, tmp_path, qtbot, run_until):
    entry = _cancelled_partway(panel, sandbox, tmp_path / "part.ndjson", 20, qtbot, run_until)
    asked = []
    panel.confirm_resend = lambda e: asked.append(e) or False
    entry.job.job_id = None  # no journal record to resume from (e.g. the journal was unavailable)
    assert panel.retry(entry) == "declined"
    assert asked == [entry] and entry.state == JobState.CANCELLED


def test_rate_limit_wait_shows_a_countdown(panel, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.script = ["429:retry-after=2"]
    f = ndjson_file(tmp_path / "limited.ndjson", 5)
    (entry,) = panel.add_jobs([job(f)])
    seen = set()

    def status():
        seen.add(cell(panel, entry, QueueModel.STATUS))
        return entry.is_finished

    run_until(qtbot, status, 10000)
    assert any(re.fullmatch(r"waiting [12] s", s or "") for s in seen), seen
    assert entry.result.state == JobState.DONE and entry.ingested == 5


def test_progress_is_coalesced(qtbot):
    """5,000 progress reports repaint the row a few times (once per 100 ms tick), and the row
    shows the last one."""
    model = QueueModel()
    # No slot free: the entry stays queued, only its progress callback is driven.
    queue = UploadQueue(client=lambda: None, dataset=lambda: "d", where=dict, spawn=None, events=model,
                        max_concurrent=0)
    entry = queue.add(Source.from_bytes(b'{"a":1}\n' * 10, name="x.ndjson"), None)
    model.flush()
    repaints = []
    model.dataChanged.connect(lambda top, bottom, roles=None: repaints.append(top.row()))
    callback = queue.progress_callback(entry)

    t0 = time.monotonic()
    reports = [Progress(state=JobState.UPLOADING, total_bytes=80, bytes_read=80, events_read=10, ingested=i % 10)
               for i in range(5000)]
    for p in reports:
        callback(p)
    qtbot.wait(350)
    ticks = (time.monotonic() - t0) / 0.1
    assert 1 <= len(repaints) <= ticks + 2
    assert entry.progress is reports[-1]
    assert model.data(model.index(0, QueueModel.PROGRESS)) == f"{4999 % 10 * 10} %"  # events acknowledged


def test_not_connected_says_so(ctx, qtbot, tmp_path):
    ctx.set_dataset(DATASET)
    p = QueuePanel(ctx)  # ctx never connected
    qtbot.addWidget(p)
    f = ndjson_file(tmp_path / "x.ndjson", 3)
    (entry,) = p.add_jobs([job(f)])
    assert entry.state == JobState.FAILED
    assert cell(p, entry, QueueModel.STATUS) == "failed"
    assert p.model.data(p.model.index(0, QueueModel.STATUS), Qt.ItemDataRole.ToolTipRole).startswith("Not connected")


def test_long_upload_notifies(panel, tmp_path):
    messages = []
    panel.ctx.statusMessage.connect(lambda text, ms: messages.append(text))
    src = Source.from_bytes(b"{}\n", name="long.ndjson")
    entry = QueueEntry(source=src, plan=None, dataset=DATASET)
    entry.result = JobResult(name="long.ndjson", dataset=DATASET, state=JobState.DONE, ingested=3)
    entry.started, entry.finished = 100.0, 112.5
    panel._job_finished(entry)
    assert messages[-1] == "long.ndjson: done — 3 ingested, 0 failed in 12 s"


def test_csv_export_keeps_the_columns_and_adds_the_error(tmp_path, qtmodeltester):
    plan = Plan(format="csv", compression=None, encoding="utf-8",
                csv=CsvDialect(delimiter=";", has_header=True, fields=["time", "host", "msg"]))
    failures = [Failure(3, "bad time", '2024-13-01;web-1;"a; quoted"'),
                Failure(9, "too many fields", "x;y;z;w")]
    out = tmp_path / "f.csv"
    assert export_failures(out, failures, plan, fmt="csv") == 2
    assert out.read_text().splitlines() == [
        "time;host;msg;error",
        '2024-13-01;web-1;"a; quoted";bad time',
        "x;y;z;w;too many fields",
    ]
    nd = tmp_path / "f.ndjson"
    export_failures(nd, failures, plan)
    rows = [json.loads(x) for x in nd.read_text().splitlines()]
    assert rows[0] == {"time": "2024-13-01", "host": "web-1", "msg": "a; quoted", ERROR_FIELD: "bad time", LINE_FIELD: 3}
    assert rows[1] == {LINE_FIELD: 9, "_axiom_drop_record": "x;y;z;w", ERROR_FIELD: "too many fields"}
    model = FailuresModel()
    model.set_failures(failures + [Failure(None, "no line known", None)])
    qtmodeltester.check(model)
    assert model.data(model.index(2, 0)) == "—"
    requests = RequestsModel()
    requests.set_requests([{"seq": 0, "lines": [1, 10], "status": 200, "ingested": 9, "failed": 1, "ms": 12,
                            "trace_id": "abc"}])
    qtmodeltester.check(requests)
    assert requests.data(requests.index(0, 1)) == "1–10"


def test_failures_past_the_ones_listed_are_said_in_the_details(panel):
    """Issue #11 §6: the first failures are kept in full, the rest counted; the window says so."""
    from app.ui.queue.details import DetailsPane

    entry = QueueEntry(source=Source.from_bytes(b"x\n", name="bad.ndjson"), plan=Plan(format="ndjson"),
                       dataset=DATASET)
    listed = [Failure(n, "invalid JSON", "x") for n in range(1, 1001)]
    entry.result = JobResult(name="bad.ndjson", dataset=DATASET, state=JobState.DONE_WITH_FAILURES, failed=50_000,
                             failures=listed,
                             more_failures=[{"reason": "invalid JSON", "count": 49_000, "lines": [[1001, 50000]]}])
    pane = DetailsPane(panel.ctx)
    pane.show_entry(entry)
    assert pane.failures.rowCount() == 1000
    assert "49,000 more failures" in pane.summary.text() and "1001–50000" in pane.summary.text()


def test_a_finished_file_offers_continuous_shipping_with_vector(panel, sandbox, tmp_path, qtbot, run_until):
    import tomllib

    from app.ui.queue import vector_action

    path = ndjson_file(tmp_path / "app.ndjson", 5)
    entry, = panel.add_jobs([job(path)])
    run_until(qtbot, finished([entry]), 20000)
    panel.select(entry)
    titles = [a.text() for a in panel.selection_menu().actions()]
    assert "Set up continuous shipping…" in titles
    saved = vector_action.export_vector(panel, entry, panel.ctx.client(), save_as=tmp_path / "vector.toml")
    cfg = tomllib.loads(saved.read_text())
    assert cfg["sources"]["files"]["include"] == [str(tmp_path.resolve() / "*.ndjson")]
    assert cfg["sinks"]["axiom"]["dataset"] == DATASET
    assert cfg["sinks"]["axiom"]["token"] == "SECRET[axiom.token]" and sandbox.token not in saved.read_text()
