"""The queue says the truth at scale: rows not started say "queued" (at most three run), new jobs
are selected and scrolled to, a summary row totals them, progress counts events acknowledged,
the row and the details agree on a countdown, and speed is what this run sent."""

from __future__ import annotations

import json
import re
import time

import pytest
from PySide6.QtCore import Qt

from app.core import sniff
from app.core.job import JobState, Progress, Source
from app.core.plan import Plan
from app.core.queue import MAX_CONCURRENT
from app.ui.queue.queue_model import QueueModel
from app.ui.queue.queue_panel import QueuePanel

DATASET = "truth-test"


def ndjson_file(path, n):
    path.write_text("".join(json.dumps({"_time": "2024-01-02T03:04:05Z", "n": i}) + "\n" for i in range(n)))
    return path


def job(path):
    return Source.from_path(path), Plan.from_sniff(sniff.sniff_path(path))


@pytest.fixture
def panel(connected_widget):
    return connected_widget(QueuePanel, DATASET, (1100, 500))


def cell(panel, entry, col, role=Qt.ItemDataRole.DisplayRole):
    m = panel.model
    return m.data(m.index(m.row_of(entry), col), role)


def test_rows_not_started_say_queued_and_at_most_three_run(panel, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.delay = 0.3
    running, most = set(), [0]

    def started(e):
        running.add(e)
        most[0] = max(most[0], len(running))

    panel.model.jobStarted.connect(started)
    panel.model.jobFinished.connect(lambda e: running.discard(e))
    entries = panel.add_jobs([job(ndjson_file(tmp_path / f"f{i}.ndjson", 20)) for i in range(7)])
    run_until(qtbot, lambda: len(running) == MAX_CONCURRENT, 5000)
    qtbot.wait(150)  # a repaint tick
    waiting = entries[MAX_CONCURRENT:]
    assert [cell(panel, e, QueueModel.STATUS) for e in waiting] == ["queued"] * 4
    assert [cell(panel, e, QueueModel.PROGRESS) for e in waiting] == [""] * 4  # no "0 %" bar
    assert [cell(panel, e, QueueModel.PROGRESS, QueueModel.ProgressRole) for e in waiting] == [None] * 4
    assert [cell(panel, e, QueueModel.TIME) for e in waiting] == [""] * 4
    assert panel.summary_row.text().startswith("Total: 0 / 7 files done · 3 uploading · 4 queued · ")
    run_until(qtbot, lambda: all(e.is_finished for e in entries), 30000)
    assert most[0] == MAX_CONCURRENT
    qtbot.wait(150)
    size = sum(e.source.size for e in entries)
    from app.ui.widgets.formatting import human_bytes
    assert panel.summary_row.text() == (f"Total: 7 / 7 files done · 140 events ingested · 0 failed · "
                                        f"{human_bytes(size)} / {human_bytes(size)}")
    assert all(cell(panel, e, QueueModel.PROGRESS) == "100 %" for e in entries)
    assert all(re.fullmatch(r"0:0\d", cell(panel, e, QueueModel.TIME)) for e in entries)
    assert all(cell(panel, e, QueueModel.SPEED).endswith("/s") for e in entries)


def test_new_jobs_are_selected_and_scrolled_to(panel, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.delay = 0.2
    first = panel.add_jobs([job(ndjson_file(tmp_path / "a.ndjson", 5))])
    panel.select(first[0])
    later = panel.add_jobs([job(ndjson_file(tmp_path / f"b{i}.ndjson", 5)) for i in range(40)])
    assert panel.selected_entries() == [later[0]]
    assert panel.details.entry is later[0]
    qtbot.wait(50)
    rect = panel.view.visualRect(panel.model.index(panel.model.row_of(later[0]), 0))
    assert panel.view.viewport().rect().intersects(rect)  # on screen
    more = panel.add_jobs([job(ndjson_file(tmp_path / f"c{i}.ndjson", 5)) for i in range(3)])
    qtbot.wait(50)
    assert panel.selected_entries() == [more[0]]
    rect = panel.view.visualRect(panel.model.index(panel.model.row_of(more[0]), 0))
    assert panel.view.viewport().rect().intersects(rect)
    panel.cancel_all()


def _running_entry(panel, progress: Progress):
    """A row whose job reports `progress` (the job itself is not what is tested here)."""
    panel.queue.max_concurrent = 0  # nothing starts: the row is driven by its progress reports
    [entry] = panel.add_jobs([(Source.from_bytes(b'{"a":1}\n' * 40, name="x.ndjson"), Plan(format="ndjson"))])
    entry.job = type("Running", (), {"job_id": None, "cancel": lambda self: None})()
    panel.queue.progress_callback(entry)(progress)
    panel.model.entry_changed(entry, now=True)
    panel.select(entry)
    return entry


def test_the_row_and_the_details_agree_on_the_countdown(panel, qtbot):
    # The job said "retrying in 10 s" when the wait began; 2.6 s later both say 7 s.
    p = Progress(state=JobState.RETRYING, total_bytes=320, bytes_read=320, events_read=40,
                 wait_until=time.time() + 7.4, message="retrying in 10 s: 503 Service Unavailable",
                 reason="503 Service Unavailable")
    entry = _running_entry(panel, p)
    qtbot.wait(120)
    assert cell(panel, entry, QueueModel.STATUS) == "retrying in 7 s"
    details = panel.details.summary.text()
    assert "retrying in 7 s: 503 Service Unavailable" in details and "10 s" not in details
    assert cell(panel, entry, QueueModel.PROGRESS) == "0 %"  # all read, nothing stored: not 100 %
    entry.job = None


def test_progress_is_events_acknowledged_and_speed_what_was_sent(panel, qtbot):
    p = Progress(state=JobState.UPLOADING, total_bytes=1000, bytes_read=290, events_read=29, ingested=9,
                 bytes_sent=90, events_acked=9, elapsed=1.0, bytes_per_s=90.0)
    entry = _running_entry(panel, p)
    qtbot.wait(120)
    assert cell(panel, entry, QueueModel.PROGRESS) == "9 %"  # not 29 %: the bytes read ahead
    assert cell(panel, entry, QueueModel.SPEED) == "90 B/s"
    # A resume that skipped 271 MB and has sent nothing yet shows no speed.
    entry.progress = Progress(state=JobState.UPLOADING, total_bytes=300_000_000, bytes_read=271_000_000,
                              events_read=1000, ingested=900, elapsed=1.0)
    panel.model.entry_changed(entry, now=True)
    assert cell(panel, entry, QueueModel.SPEED) == ""
    entry.job = None


def test_a_cancelled_job_that_sent_nothing_shows_no_speed(panel, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.script = ["503"] * 20  # every request answered 503: the job reads, retries, stores nothing
    [entry] = panel.add_jobs([job(ndjson_file(tmp_path / "refused.ndjson", 50))])
    run_until(qtbot, lambda: entry.state == JobState.RETRYING, 10000)
    assert entry.progress.bytes_read > 0
    panel.queue.cancel(entry)
    run_until(qtbot, lambda: entry.is_finished, 15000)
    qtbot.wait(120)
    assert entry.ingested == 0 and entry.not_sent == 50
    assert cell(panel, entry, QueueModel.SPEED) == ""  # read, never sent: no speed
    assert cell(panel, entry, QueueModel.PROGRESS) == "0 %"
