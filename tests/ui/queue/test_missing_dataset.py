"""An upload into a dataset that does not exist: the sandbox answers 404 as Axiom does, the row
stops with its events counted as not sent, and the window asks "Dataset X does not exist. Create
it?" — yes makes it and the upload goes on, no leaves it unsent. A real QueuePanel, sandbox and
QMessageBox, clicked as a user does."""

from __future__ import annotations

import json

import pytest

from app.core import sniff
from app.core.job import JobState, Source
from app.core.plan import Plan
from app.ui.queue.queue_panel import QueuePanel

DATASET = "brand-new"


def ndjson_file(path, n):
    path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(n)))
    return path


def job(path):
    return Source.from_path(path), Plan.from_sniff(sniff.sniff_path(path))


@pytest.fixture
def panel(ctx, sandbox, qtbot, run_until):
    sandbox.auto_create = False  # as Axiom: ingest into an unknown dataset is a 404
    ctx.set_dataset(DATASET)
    ctx.reconnect()
    run_until(qtbot, lambda: ctx.client() is not None and ctx.connection_state == "connected", 10000)
    p = QueuePanel(ctx)
    qtbot.addWidget(p)
    p.resize(1000, 500)
    p.show()
    return p


def _asked(panel, qtbot, run_until):
    prompt = panel.missing_dataset
    run_until(qtbot, lambda: prompt.box is not None and prompt.box.isVisible(), 10000)
    return prompt.box


def test_accepting_creates_the_dataset_and_sends_every_event(panel, ctx, sandbox, tmp_path, qtbot, run_until):
    [entry] = panel.add_jobs([job(ndjson_file(tmp_path / "a.ndjson", 30))])
    box = _asked(panel, qtbot, run_until)
    assert box.text() == "Dataset “brand-new” does not exist. Create it?"
    assert "then the upload goes on" in box.informativeText()
    assert entry.result.not_sent == 30 and entry.result.ingested == 0  # counted, not lost
    assert sandbox.datasets() == ["playground"]
    panel.missing_dataset.create_button.click()
    run_until(qtbot, lambda: entry.result is not None and entry.result.state == JobState.DONE, 15000)
    assert DATASET in sandbox.datasets()
    assert sorted(e["n"] for e in sandbox.events(DATASET)) == list(range(30))
    assert entry.ingested == 30 and entry.not_sent == 0


def test_declining_leaves_them_unsent_and_creates_nothing(panel, ctx, sandbox, tmp_path, qtbot, run_until):
    messages = []
    ctx.statusMessage.connect(lambda text, ms: messages.append(text))
    [entry] = panel.add_jobs([job(ndjson_file(tmp_path / "a.ndjson", 12))])
    box = _asked(panel, qtbot, run_until)
    [no] = [b for b in box.buttons() if b.text() == "Not now"]
    no.click()
    run_until(qtbot, lambda: any("does not exist" in m for m in messages))
    assert "12 events not sent: dataset “brand-new” does not exist" in messages[-1]
    assert sandbox.datasets() == ["playground"] and sandbox.events(DATASET) == []
    assert entry.result.state == JobState.FAILED and entry.result.not_sent == 12
    assert "does not exist" in entry.result.error
    assert panel.missing_dataset.box is None


def test_two_files_into_the_same_missing_dataset_ask_once(panel, sandbox, tmp_path, qtbot, run_until):
    entries = panel.add_jobs([job(ndjson_file(tmp_path / "a.ndjson", 5)), job(ndjson_file(tmp_path / "b.ndjson", 7))])
    run_until(qtbot, lambda: all(e.result is not None for e in entries), 10000)
    _asked(panel, qtbot, run_until)
    assert sorted(map(id, panel.missing_dataset.waiting[DATASET])) == sorted(map(id, entries))  # one question
    panel.missing_dataset.create_button.click()
    run_until(qtbot, lambda: all(e.result is not None and e.result.state == JobState.DONE for e in entries), 15000)
    assert len(sandbox.events(DATASET)) == 12
    assert panel.missing_dataset.box is None and panel.missing_dataset.waiting == {}
