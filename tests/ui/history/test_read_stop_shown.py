"""A .gz cut short, sent from the window: its queue row, the details pane and History say the
rest was not sent from the line where reading stopped, its count unknown — not "0 not sent"."""

from __future__ import annotations

import gzip
import json

from PySide6.QtCore import Qt

from app.core import sniff
from app.core.job import JobState, Source
from app.core.plan import Plan
from app.ui.history.history_tab import JournalHistoryModel
from app.ui.queue.queue_model import QueueModel


def cut_gz(path, n=30_000):
    data = gzip.compress("".join(json.dumps({"n": i}) + "\n" for i in range(1, n + 1)).encode(), mtime=0)
    path.write_bytes(data[: len(data) // 2])
    return path


def test_the_window_says_the_unread_rest_of_a_cut_gz(window, ctx, tmp_path, qtbot, run_until):
    ctx.set_dataset("cut")
    path = cut_gz(tmp_path / "cut.ndjson.gz")
    [entry] = window.queue_panel.add_jobs([(Source.from_path(path), Plan.from_sniff(sniff.sniff_path(path)))])
    run_until(qtbot, lambda: entry.is_finished, 20000)
    assert entry.state == JobState.DONE_WITH_FAILURES
    sent = entry.ingested
    assert 0 < sent < 30_000
    words = f"not sent: the rest, from line {sent + 1:,} (count unknown)"

    model = window.queue_panel.model
    tip = model.data(model.index(model.row_of(entry), QueueModel.STATUS), Qt.ItemDataRole.ToolTipRole)
    assert words in tip.splitlines() and "0 not sent" not in tip
    run_until(qtbot, lambda: window.queue_panel.details.entry is entry)
    details = window.queue_panel.details.summary.text()
    assert words in details and "cut off (truncated)" in details
    assert f"Stopped at line {sent + 1:,}, not read from there on" in details

    hist = window.history_tab
    window.tabs.setCurrentWidget(hist)
    hist.reload()
    run_until(qtbot, lambda: hist.model.rowCount() == 1, 10000)
    index = hist.model.index(0, JournalHistoryModel.NOT_SENT)
    assert hist.model.data(index) == f"the rest from line {sent + 1:,}"
    assert hist.model.data(index, Qt.ItemDataRole.ToolTipRole) == words
    hist.select_row(0)
    run_until(qtbot, lambda: words in hist.summary.text())
    assert "0 not sent" not in hist.summary.text()
