"""A file whose reading stopped half-way (a cut .gz) is counted in the queue's totals: the summary
row and the header say "1 file not read to the end", never just "0 not sent" (#14, never hide)."""

from __future__ import annotations

import pytest

from app.core.job import JobResult, JobState, Source
from app.core.queue import QueueEntry
from app.ui.queue.queue_panel import QueuePanel
from app.ui.widgets.formatting import human_bytes
from tests.ui.history.test_read_stop_shown import cut_gz
from tests.ui.queue.test_queue_truth import job, ndjson_file

DATASET = "unread-test"


@pytest.fixture
def panel(connected_widget):
    return connected_widget(QueuePanel, DATASET, (1100, 500))


def test_the_summary_row_counts_a_file_not_read_to_the_end(panel, tmp_path, qtbot, run_until):
    cut = cut_gz(tmp_path / "cut.ndjson.gz")
    whole = ndjson_file(tmp_path / "whole.ndjson", 20)
    entries = panel.add_jobs([job(cut), job(whole)])
    run_until(qtbot, lambda: all(e.is_finished for e in entries), 20000)
    qtbot.wait(150)  # a repaint tick: the totals are announced
    sent = entries[0].ingested
    assert 0 < sent < 30_000 and entries[0].not_sent == 0  # nothing counted as not sent: the rest is unread
    size = cut.stat().st_size + whole.stat().st_size
    assert panel.summary_row.text() == (f"Total: 2 / 2 files done · {sent + 20:,} events ingested · 0 failed · "
                                        f"1 file not read to the end · {human_bytes(size)} / {human_bytes(size)}")
    assert panel.summary_row.label.accessibleDescription() == panel.summary_row.text()  # a screen reader too
    assert panel.summary.full_text() == f"2 files · {sent + 20:,} ingested · 0 failed · 1 file not read to the end"


def test_a_long_upload_that_stopped_reading_says_the_rest_was_not_sent(panel):
    messages = []
    panel.ctx.statusMessage.connect(lambda text, ms: messages.append(text))
    entry = QueueEntry(source=Source.from_bytes(b"{}\n", name="cut.ndjson.gz"), plan=None, dataset=DATASET)
    entry.result = JobResult(name="cut.ndjson.gz", dataset=DATASET, state=JobState.DONE_WITH_FAILURES,
                             ingested=1_204, rest_from=1_205, error="cut off (truncated)")
    entry.started, entry.finished = 100.0, 112.5
    panel._job_finished(entry)
    assert messages[-1] == ("cut.ndjson.gz: done with failures — 1,204 ingested, 0 failed, not sent: the rest, "
                            "from line 1,205 (count unknown) — cut off (truncated) in 12 s")
