"""Files queued in the window but not started are journaled at once: a new start (after a crash
or a kill) offers every one of them in the resume bar, named as the queue named them."""

from __future__ import annotations

import os
import sys

from app.core import journal
from app.core.queue import QueueEntry
from app.ui.history.resume_bar import ResumeBar, UnfinishedModel, load_unfinished
from app.ui.queue.queue_model import QueueModel
from tests.ui.queue.test_queue_panel import cell, job, ndjson_file, panel  # noqa: F401 (fixture)


def test_queued_files_are_offered_by_the_next_start(panel, ctx, sandbox, tmp_path, qtbot, run_until):
    sandbox.faults.delay = 0.3  # the three that start stay running
    names = [f"q{i}.ndjson" for i in range(7)]
    if sys.platform == "linux":
        names.append(os.fsdecode(b"caf\xe9.ndjson"))
    entries: list[QueueEntry] = panel.add_jobs([job(ndjson_file(tmp_path / n, 50)) for n in names])
    assert cell(panel, entries[-1], QueueModel.FILE) == ("caf\\xe9.ndjson" if sys.platform == "linux" else names[-1])
    states = sorted(r.state for r in journal.history())
    assert len(states) == len(names) and states.count("queued") >= len(names) - 3
    # A new start: this window's locks are gone (as when its process dies), the journal is read again.
    running = panel.queue.running()
    run_until(qtbot, lambda: all(e.job.journal.recorder._lock is not None for e in running), 10000)
    for e in running:
        e.job.journal.recorder._lock.release(remove=False)
    panel.queue.journal.close()
    _, items = load_unfinished()
    bar = ResumeBar(ctx, add_jobs=lambda jobs: None)
    qtbot.addWidget(bar)
    bar.set_items(items)
    model = bar.model
    shown = sorted(model.data(model.index(r, UnfinishedModel.FILE)) for r in range(model.rowCount()))
    assert shown == sorted(cell(panel, e, QueueModel.FILE) for e in entries)
    assert "queued" in {model.data(model.index(r, UnfinishedModel.HOW)).split()[0] for r in range(model.rowCount())}
    assert f"{len(names)} uploads did not finish" in bar.title.text()
    panel.queue.cancel_all()
    sandbox.faults.delay = 0
    run_until(qtbot, lambda: all(e.is_finished for e in entries), 20000)
