"""The window at start-up after the journal was damaged under a killed upload: the bar says what
happened, and offers the upload again with what it may have stored counted as possible duplicates."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3

from app.core import config, journal
from app.core.job import JobState
from app.ui.history.resume_bar import UnfinishedModel
from tests.ui.history.test_resume_history import DATASET, ndjson_file, open_window, start_sandbox_job


def test_a_truncated_journal_is_said_and_its_killed_upload_offered(ctx, sandbox, tmp_path, qtbot, run_until,
                                                                   run_coro):
    for i in range(20):  # some history, so there is a file to cut
        small = ndjson_file(tmp_path / f"s{i}.ndjson", 5)
        job = start_sandbox_job(sandbox, small)
        run_coro(qtbot, job.run(), 20000)
        run_coro(qtbot, job.client.aclose())
    path = ndjson_file(tmp_path / "killed.ndjson", 3000)
    sandbox.faults.delay = 0.05
    job = start_sandbox_job(sandbox, path)
    task = asyncio.ensure_future(job.run())
    qtbot.waitUntil(lambda: job.progress.ingested >= 500, timeout=20000)
    task.cancel()  # as if the process died
    qtbot.waitUntil(task.done, timeout=10000)
    qtbot.waitUntil(lambda: job.journal.recorder._journal is None, timeout=10000)  # its connection closed
    run_coro(qtbot, job.client.aclose())
    sandbox.faults.delay = 0.0
    conn = sqlite3.connect(journal.db_path())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    db = journal.db_path()
    with open(db, "r+b") as f:
        f.truncate(os.path.getsize(db) // 2)

    win = open_window(ctx, qtbot, run_until)
    try:
        bar = win.resume_bar
        run_until(qtbot, lambda: bar.isVisible())
        assert "Journal problem" in bar.title.text() and "moved aside" in bar.title.text()
        assert "1 upload did not finish" in bar.title.text()
        model = bar.model
        assert model.data(model.index(0, UnfinishedModel.FILE)) == "killed.ndjson"
        assert "may already be stored" in model.data(model.index(0, UnfinishedModel.NOTE))
        assert list(config.data_dir().glob("journal.sqlite3.damaged-*"))
        bar.resume_all_button.click()
        [entry] = [e for e in win.queue_panel.entries() if e.name == "killed.ndjson"]
        run_until(qtbot, lambda: entry.is_finished, 20000)
        assert entry.result.state == JobState.DONE and entry.ingested == 3000
        assert entry.possible_duplicates >= 500  # what it had sent before is counted, not hidden
        assert json.dumps(entry.result.possible_duplicate_lines)
    finally:
        win.close_now()
