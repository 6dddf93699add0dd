"""Resume at start-up, "Keep for resuming" on quit, the History tab, and the dataset list after an
upload — through the window, against the real sandbox over loopback."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import Counter

import pytest

from app.core.connect import SANDBOX_ENDPOINT
from app.core import journal, sniff
from app.core.plan import Plan
from app.core.job import JobState, Source, UploadJob
from app.sandbox import Sandbox
from app.ui.context import AppContext
from app.ui.history.history_tab import HistoryRow, JournalHistoryModel
from app.ui.shell.main_window import MainWindow
from app.ui.history.resume_bar import Unfinished, UnfinishedModel

DATASET = "resume-ds"


def ndjson_file(path, n, bad=()):
    with open(path, "w") as f:
        for i in range(n):
            if i in bad:
                f.write("[1, 2]\n")  # not an object: fails with its line
            else:
                f.write(json.dumps({"_time": f"2024-05-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z", "n": i}) + "\n")
    return path


def plan_for(path):
    return Plan.from_sniff(sniff.sniff_path(path))


def assert_each_once(events, n, dup_spans=()):
    """Every event 0..n-1 is stored; a second copy only on lines reported as possible duplicates."""
    counts = Counter(e["n"] for e in events)
    assert sorted(counts) == list(range(n))
    for value, c in counts.items():
        if c > 1:
            line = value + 1
            assert any(a <= line <= b for a, b in dup_spans), (value, c)


def open_window(ctx, qtbot, run_until):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    run_until(qtbot, lambda: ctx.connection_state == "connected", 10000)
    run_until(qtbot, lambda: win.journal_task.done(), 10000)
    return win


def start_sandbox_job(sandbox, path, **kw) -> UploadJob:
    """A job as the CLI's --sandbox (or the window's sandbox profile) journals it."""
    from app.core.axiom import AxiomClient, Endpoint

    client = AxiomClient(Endpoint(sandbox.url, sandbox.url), sandbox.token)
    return UploadJob(Source.from_path(path), plan_for(path), client, DATASET, profile="Local sandbox",
                     endpoint=SANDBOX_ENDPOINT, max_events=100, in_flight=1, **kw)


def cancelled_job(sandbox, path, after: int, qtbot, run_coro) -> UploadJob:
    """A sandbox job cancelled once `after` events are ingested: unfinished in the journal."""
    job = start_sandbox_job(sandbox, path)
    job.on_progress = lambda p: job.cancel() if p.ingested >= after else None
    assert run_coro(qtbot, job.run(), 20000).state == JobState.CANCELLED
    run_coro(qtbot, job.client.aclose())
    return job


@pytest.fixture
def unfinished(sandbox, tmp_path, qtbot, aloop, run_coro):
    """Two unfinished jobs: one cancelled after 300 events, one interrupted (its task killed)."""
    a = ndjson_file(tmp_path / "cancelled.ndjson", 1000)
    b = ndjson_file(tmp_path / "killed.ndjson", 800)
    job_a = start_sandbox_job(sandbox, a)
    job_a.on_progress = lambda p: job_a.cancel() if p.ingested >= 300 else None
    res_a = run_coro(qtbot, job_a.run(), 20000)
    assert res_a.state == JobState.CANCELLED and res_a.not_sent > 0

    sandbox.faults.delay = 0.1
    job_b = start_sandbox_job(sandbox, b)
    task = asyncio.ensure_future(job_b.run())
    qtbot.waitUntil(lambda: job_b.progress.ingested >= 200, timeout=20000)
    task.cancel()  # as if the process died: the journal still says "running"
    qtbot.waitUntil(task.done, timeout=10000)
    sandbox.faults.delay = 0.0
    run_coro(qtbot, job_a.client.aclose())
    run_coro(qtbot, job_b.client.aclose())
    return {"cancelled": (a, 1000, res_a.ingested), "killed": (b, 800, job_b.progress.ingested)}


def test_start_up_offers_unfinished_jobs_and_resume_all_completes_them(ctx, sandbox, unfinished, qtbot, run_until):
    win = open_window(ctx, qtbot, run_until)
    try:
        bar = win.resume_bar
        run_until(qtbot, lambda: bar.isVisible())
        model = bar.model
        assert model.rowCount() == 2
        rows = {model.data(model.index(r, UnfinishedModel.FILE)): r for r in range(2)}
        assert set(rows) == {"cancelled.ndjson", "killed.ndjson"}
        r = rows["cancelled.ndjson"]
        assert model.data(model.index(r, UnfinishedModel.DATASET)) == DATASET
        assert model.data(model.index(r, UnfinishedModel.INGESTED)) == f"{unfinished['cancelled'][2]:,}"
        assert model.data(model.index(r, UnfinishedModel.STOPPED)).startswith("line ")
        assert model.data(model.index(r, UnfinishedModel.HOW)).startswith("cancelled ")
        k = rows["killed.ndjson"]
        assert model.data(model.index(k, UnfinishedModel.HOW)).startswith("interrupted ")
        assert model.data(model.index(k, UnfinishedModel.NOTE)) == ""
        assert "2 uploads did not finish" in bar.title.text()
        assert bar.resume_all_button.isEnabled()

        bar.resume_all_button.click()
        assert not bar.isVisible()
        entries = win.queue_panel.entries()
        assert sorted(e.name for e in entries) == ["cancelled.ndjson", "killed.ndjson"]
        run_until(qtbot, lambda: all(e.is_finished for e in entries), 20000)
        events = sandbox.events(DATASET)
        by_name = {e.name: e for e in entries}
        for name, (path, n, _) in (("cancelled.ndjson", unfinished["cancelled"]),
                                   ("killed.ndjson", unfinished["killed"])):
            e = by_name[name]
            assert e.result.state == JobState.DONE, e.result
            assert e.ingested == n  # what was stored before plus what was sent now
            assert e.not_sent == 0
        n_a, n_b = unfinished["cancelled"][1], unfinished["killed"][1]
        assert len([ev for ev in events if ev["n"] < n_a]) >= n_a
        # each file's events: split by which run stored them is not visible, so count per value
        dup_b = by_name["killed.ndjson"].result.possible_duplicate_lines
        counts = Counter(ev["n"] for ev in events)
        for i in range(max(n_a, n_b)):
            expected = (1 if i < n_a else 0) + (1 if i < n_b else 0)
            extra = counts[i] - expected
            assert extra >= 0, i
            if extra:  # only a killed batch that was in flight may be stored twice, and it was reported
                assert any(a <= i + 1 <= b for a, b in dup_b), i
        assert journal.unfinished_jobs() == []
    finally:
        win.close_now()


def test_discard_removes_it_and_it_is_not_offered_again(ctx, sandbox, unfinished, qtbot, run_until, run_coro):
    win = open_window(ctx, qtbot, run_until)
    try:
        bar = win.resume_bar
        run_until(qtbot, lambda: bar.model.rowCount() == 2)
        first = bar.items()[0]
        bar.select_items([first])
        task = bar.discard_selected()
        assert bar.model.rowCount() == 1 and first not in bar.items()
        run_coro(qtbot, task)
        assert [r.id for r in journal.unfinished_jobs()] == [bar.items()[0].record.id]
        bar.select_items(bar.items())
        run_coro(qtbot, bar.discard_selected())
        assert not bar.isVisible()
        assert journal.unfinished_jobs() == []
        assert len(journal.history()) == 2  # still in the history
    finally:
        win.close_now()


def test_other_profile_and_changed_file_are_explained(ctx, sandbox, tmp_path, qtbot, run_until, run_coro):
    us = ndjson_file(tmp_path / "for-us.ndjson", 50)
    changed = ndjson_file(tmp_path / "changed.ndjson", 500)
    j = journal.Journal()
    try:
        j.create_job(kind="file", name=str(us), identity=journal.identify(us), dataset="prod", profile="Axiom US",
                     endpoint="https://us-east-1.aws.edge.axiom.co", plan=plan_for(us), max_events=100,
                     max_bytes=1 << 20, compression="zstd")
    finally:
        j.close()
    job = start_sandbox_job(sandbox, changed)
    job.on_progress = lambda p: job.cancel() if p.ingested >= 100 else None
    assert run_coro(qtbot, job.run(), 20000).state == JobState.CANCELLED
    run_coro(qtbot, job.client.aclose())
    with open(changed, "a") as f:
        f.write('{"n": 999999}\n')

    win = open_window(ctx, qtbot, run_until)
    try:
        bar = win.resume_bar
        run_until(qtbot, lambda: bar.model.rowCount() == 2)
        m = bar.model
        notes = {m.data(m.index(r, UnfinishedModel.FILE)): m.data(m.index(r, UnfinishedModel.NOTE)) for r in range(2)}
        assert notes["for-us.ndjson"] == "switch to profile “Axiom US” to resume it"
        assert notes["changed.ndjson"] == ""
        assert bar.switch_button.isVisibleTo(bar) and bar.switch_button.text() == "Switch to Axiom US"

        bar.resume_all_button.click()
        assert [it.record.name for it in bar.items()] == [str(us)]  # left with its note
        entry = win.queue_panel.entries()[0]
        run_until(qtbot, lambda: entry.is_finished, 10000)
        assert entry.state == JobState.FAILED
        assert "changed since the upload started" in entry.result.error
        tip = win.queue_panel.model.data(win.queue_panel.model.index(0, 7), 3)  # status tooltip
        assert "changed since the upload started" in tip
        assert "changed since the upload started" in win.queue_panel.details.summary.text()
    finally:
        win.close_now()


def test_keep_for_resuming_on_quit_then_resume_after_a_restart(ctx, sandbox, tmp_path, qtbot, run_until, aloop):
    n = 6000
    path = ndjson_file(tmp_path / "big.ndjson", n)
    win = open_window(ctx, qtbot, run_until)
    panel = win.queue_panel
    panel.queue.job_options = {"max_events": 200, "in_flight": 2}
    ctx.set_dataset(DATASET)
    sandbox.faults.delay = 0.15
    [entry] = panel.add_jobs([(Source.from_path(path), plan_for(path))])
    run_until(qtbot, lambda: entry.ingested >= 800, 20000)

    win.ask_about_uploads = lambda: "keep"  # what the "Keep for resuming" button answers
    win.close()
    run_until(qtbot, lambda: win.closed.done(), 30000)
    sandbox.faults.delay = 0.0

    [record] = journal.unfinished_jobs()
    assert record.endpoint == SANDBOX_ENDPOINT and record.profile == "Local sandbox"
    assert record.state == "paused" and record.not_sent > 0 and record.ingested >= 800
    stored_before = len(sandbox.events(DATASET))
    assert stored_before == record.ingested  # every request in flight finished and was acknowledged

    # A restart: a new context and window on the same home, the sandbox on another port.
    sandbox2 = Sandbox(sandbox.data_dir).start()
    assert sandbox2.url != sandbox.url
    ctx2 = AppContext(sandbox=sandbox2)
    win2 = open_window(ctx2, qtbot, run_until)
    try:
        bar = win2.resume_bar
        run_until(qtbot, lambda: bar.isVisible() and bar.model.rowCount() == 1)
        assert bar.model.data(bar.model.index(0, UnfinishedModel.FILE)) == "big.ndjson"
        assert bar.model.data(bar.model.index(0, UnfinishedModel.INGESTED)) == f"{record.ingested:,}"
        assert bar.model.data(bar.model.index(0, UnfinishedModel.HOW)).startswith("kept for resuming ")
        bar.resume_selected_button.click()
        [resumed] = win2.queue_panel.entries()
        run_until(qtbot, lambda: resumed.is_finished, 30000)
        assert resumed.result.state == JobState.DONE
        assert resumed.ingested == n and resumed.result.possible_duplicates == 0
        assert_each_once(sandbox2.events(DATASET), n, resumed.result.possible_duplicate_lines)
        assert len(sandbox2.events(DATASET)) == n
        assert journal.unfinished_jobs() == []
    finally:
        win2.close_now()
        asyncio.ensure_future(ctx2.aclose())
        qtbot.waitUntil(lambda: not ctx2.tasks.running(), timeout=10000)
        sandbox2.stop()


def test_cancel_uploads_on_quit_is_not_offered_again(ctx, sandbox, tmp_path, qtbot, run_until):
    path = ndjson_file(tmp_path / "big.ndjson", 4000)
    win = open_window(ctx, qtbot, run_until)
    win.queue_panel.queue.job_options = {"max_events": 200, "in_flight": 1}
    ctx.set_dataset(DATASET)
    sandbox.faults.delay = 0.1
    [entry] = win.queue_panel.add_jobs([(Source.from_path(path), plan_for(path))])
    run_until(qtbot, lambda: entry.ingested >= 200, 20000)
    win.ask_about_uploads = lambda: "cancel"
    win.close()
    run_until(qtbot, lambda: win.closed.done(), 30000)
    assert journal.unfinished_jobs() == []
    [h] = journal.history()
    assert h.state == "cancelled" and h.not_sent > 0


def test_history_lists_files_and_pastes_searches_shows_failures_and_prunes(
        window, ctx, sandbox, tmp_path, qtbot, run_until, run_coro):
    ctx.set_dataset("hist")
    good = ndjson_file(tmp_path / "good.ndjson", 20)
    bad = ndjson_file(tmp_path / "with-bad-lines.ndjson", 10, bad={3, 7})
    entries = window.queue_panel.add_jobs([(Source.from_path(good), plan_for(good)),
                                           (Source.from_path(bad), plan_for(bad))])
    run_until(qtbot, lambda: all(e.is_finished for e in entries), 15000)
    tab = window.paste_tab
    tab.editor.setPlainText('{"pasted": 1}\n{"pasted": 2}')
    run_until(qtbot, lambda: tab.send_button.isEnabled())
    run_coro(qtbot, tab.send())
    assert tab.history_model.rowCount() == 1  # the paste tab's own history still works

    hist = window.history_tab
    window.tabs.setCurrentWidget(hist)
    run_until(qtbot, lambda: hist.model.rowCount() == 3)
    m = hist.model

    def table():
        return [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]

    rows = {row[JournalHistoryModel.NAME]: row for row in table()}
    assert set(rows) == {"good.ndjson", "with-bad-lines.ndjson", "Pasted JSON"}
    assert rows["good.ndjson"][JournalHistoryModel.DATASET:] == ["hist", "20", "0", "0", "done"]
    assert rows["with-bad-lines.ndjson"][JournalHistoryModel.DATASET:] == ["hist", "8", "2", "0",
                                                                         "done with failures"]
    assert rows["Pasted JSON"][JournalHistoryModel.DATASET:] == ["hist", "2", "0", "0", "done"]
    assert table()[0][JournalHistoryModel.NAME] == "Pasted JSON"  # newest first

    # The failures of the selected entry, by line.
    i = [r[JournalHistoryModel.NAME] for r in table()].index("with-bad-lines.ndjson")
    hist.select_row(i)
    run_until(qtbot, lambda: hist.failures.rowCount() == 2)
    assert [hist.failures.data(hist.failures.index(r, 0)) for r in range(2)] == ["4", "8"]
    assert hist.failures.data(hist.failures.index(0, 1)) == "not a JSON object (an array)"
    assert hist.failures.data(hist.failures.index(0, 2)) == "[1, 2]"
    assert "with-bad-lines.ndjson" in hist.summary.text() and "2 failed" in hist.summary.text()

    # Search (debounced, off the GUI thread).
    qtbot.keyClicks(hist.search_edit, "good")
    run_until(qtbot, lambda: [r[JournalHistoryModel.NAME] for r in table()] == ["good.ndjson"])
    hist.search_edit.setText("no-such-thing")
    run_until(qtbot, lambda: m.rowCount() == 0 and hist.stack.currentWidget() is hist.empty)
    assert "Nothing matches" in hist.empty.text()
    hist.search_edit.clear()
    run_until(qtbot, lambda: m.rowCount() == 3)

    # Keep history for N days: an entry from 40 days ago goes when the setting says 30.
    old_id = next(h.record.id for h in hist.rows() if h.name == "good.ndjson")
    conn = sqlite3.connect(journal.db_path())
    with conn:
        past = time.time() - 40 * 86400
        conn.execute("UPDATE jobs SET created=?, updated=? WHERE id=?", (past, past, old_id))
    conn.close()
    hist.reload()
    run_until(qtbot, lambda: hist.model.rows() and hist.model.rows()[-1].record.id == old_id)
    hist.keep_spin.setValue(60)
    run_coro(qtbot, hist.apply_keep_days())
    assert m.rowCount() == 3 and ctx.settings.history_keep_days == 60
    hist.keep_spin.setValue(30)
    run_coro(qtbot, hist.apply_keep_days())
    run_until(qtbot, lambda: m.rowCount() == 2)
    assert old_id not in [h.record.id for h in hist.rows()]
    from app.core import config

    assert config.load_settings().history_keep_days == 30  # saved


def test_prune_at_start_up_uses_the_setting(ctx, sandbox, tmp_path, qtbot, run_until, run_coro):
    path = ndjson_file(tmp_path / "old.ndjson", 5)
    job = start_sandbox_job(sandbox, path)
    run_coro(qtbot, job.run())
    run_coro(qtbot, job.client.aclose())
    conn = sqlite3.connect(journal.db_path())
    with conn:
        conn.execute("UPDATE jobs SET created=?, updated=?", (time.time() - 10 * 86400,) * 2)
    conn.close()
    ctx.settings.history_keep_days = 7
    win = open_window(ctx, qtbot, run_until)
    try:
        assert journal.history() == []
        run_until(qtbot, lambda: win.history_tab.model.rowCount() == 0 and win.history_tab.load_task.done())
    finally:
        win.close_now()


def test_jobs_of_the_window_are_journaled_for_resuming_across_ports(window, ctx, sandbox, tmp_path, qtbot,
                                                                  run_until, run_coro):
    path = ndjson_file(tmp_path / "a.ndjson", 5)
    ctx.set_dataset(DATASET)
    [e] = window.queue_panel.add_jobs([(Source.from_path(path), plan_for(path))])
    run_until(qtbot, lambda: e.is_finished, 10000)
    tab = window.paste_tab
    tab.editor.setPlainText('{"a": 1}')
    run_until(qtbot, lambda: tab.send_button.isEnabled())
    run_coro(qtbot, tab.send())
    records = journal.history()
    assert {(r.kind, r.profile, r.endpoint) for r in records} == {
        ("file", "Local sandbox", SANDBOX_ENDPOINT), ("pasted", "Local sandbox", SANDBOX_ENDPOINT)}


def test_a_newcomer_sends_to_the_sandboxs_ready_dataset(window, ctx, sandbox, tmp_path, qtbot, run_until):
    sandbox.auto_create = False  # as Axiom, and as the app's own sandbox: "playground" exists from the start
    bar, picker = window.connection_bar, window.dataset_picker
    assert bar.state_label.text() == "Connected — 1 dataset"
    assert ctx.dataset() == "playground" and picker.combo.currentText() == "playground"
    assert picker.names() == ["playground"] and picker.hint_label.text() == ""
    path = ndjson_file(tmp_path / "sample.ndjson", 3)
    [e] = window.queue_panel.add_jobs([(Source.from_path(path), plan_for(path))])
    run_until(qtbot, lambda: e.is_finished, 10000)
    assert e.result.state == JobState.DONE and e.dataset == "playground"
    assert len(sandbox.events("playground")) == 3


def test_no_playground_when_a_dataset_was_chosen_before(ctx, sandbox, qtbot, run_until):
    ctx.profile().remember_dataset("mine")
    ctx._dataset = "mine"
    win = open_window(ctx, qtbot, run_until)
    try:
        assert ctx.dataset() == "mine"
    finally:
        win.close_now()


def test_models_pass_qtmodeltester(qtmodeltester, tmp_path):
    rec = journal.JobRecord(
        id="abc", created=1.7e9, updated=1.7e9, finished=None, state="running", kind="file", name="/x/a.ndjson",
        path="/x/a.ndjson", size=10, mtime_ns=1, head_sha256="0", dataset="d", profile="Local sandbox",
        endpoint=SANDBOX_ENDPOINT, plan={}, max_events=10, max_bytes=100, compression=None, ingested=5, failed=1,
        not_sent=0, possible_duplicates=0, resumable=True, error=None, error_kind=None, stopped_at=None,
        warnings=[], runs=1)
    um = UnfinishedModel()
    um.set_items([Unfinished(rec, "line 6"), Unfinished(rec, "line 1", note="x", problem=True)])
    qtmodeltester.check(um)
    um.remove(um.item(0))
    qtmodeltester.check(um)
    hm = JournalHistoryModel()
    hm.set_rows([HistoryRow(rec, "interrupted"), HistoryRow(rec, "done")])
    qtmodeltester.check(hm)


def test_history_says_the_failures_counted_but_not_listed(window, ctx, tmp_path, qtbot, run_until):
    """Past the first 1,000 failures kept in full, the History tab says how many more, and where."""
    ctx.set_dataset("hist")
    bad = ndjson_file(tmp_path / "many-bad.ndjson", 1_200, bad=set(range(1_100)))
    [entry] = window.queue_panel.add_jobs([(Source.from_path(bad), plan_for(bad))])
    run_until(qtbot, lambda: entry.is_finished, 15000)
    hist = window.history_tab
    window.tabs.setCurrentWidget(hist)
    run_until(qtbot, lambda: hist.model.rowCount() == 1)
    hist.select_row(0)
    run_until(qtbot, lambda: hist.failures.rowCount() == 1_000)
    run_until(qtbot, lambda: "100 more failures" in hist.summary.text())
    assert "lines 1001–1100" in hist.summary.text()
