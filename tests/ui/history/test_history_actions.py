"""History you can act on (#14): an entry shows the settings it was sent with and offers resume
(if unfinished), send again, export failed rows and show the file — from its buttons, its
context menu and the keyboard."""

from __future__ import annotations

import csv
from collections import Counter

from PySide6.QtCore import QPoint, Qt

from app.core.job import JobState
from app.ui.widgets import desktop
from tests.ui.history.test_resume_history import DATASET, cancelled_job, ndjson_file, open_window, start_sandbox_job


def _focus(qtbot, widget):
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=3000)


def _select(win, qtbot, run_until, name):
    tab = win.history_tab
    win.tabs.setCurrentWidget(tab)
    tab.reload()
    run_until(qtbot, lambda: any(h.name == name for h in tab.rows()), 10000)
    tab.select_row(next(i for i, h in enumerate(tab.rows()) if h.name == name))
    return tab


def test_a_finished_entry_shows_its_settings_exports_shows_its_file_and_sends_again(
        ctx, sandbox, tmp_path, qtbot, run_until, run_coro, monkeypatch):
    path = ndjson_file(tmp_path / "mixed.ndjson", 30, bad=(4, 9))
    job = start_sandbox_job(sandbox, path)
    assert run_coro(qtbot, job.run(), 20000).state == JobState.DONE_WITH_FAILURES
    run_coro(qtbot, job.client.aclose())
    opened = []
    monkeypatch.setattr(desktop, "opener", lambda url: opened.append(url.toLocalFile()) or True)

    win = open_window(ctx, qtbot, run_until)
    try:
        tab = _select(win, qtbot, run_until, "mixed.ndjson")
        acts = tab.entry_actions.actions
        assert "Settings: NDJSON · UTF-8 · time field _time" in tab.summary.text()
        assert not acts["resume"].isEnabled()  # finished
        assert all(acts[k].isEnabled() for k in ("send again", "export failed rows", "show file"))

        # The context menu offers the same, opened from the keyboard's Menu key position.
        tab.view.customContextMenuRequested.emit(QPoint(5, 5))
        menu = tab.entry_actions.menu
        assert [a.text().replace("&", "") for a in menu.actions() if a.isVisible()] == [
            "Resume", "Send again", "Export failed rows…", "Show file"]
        menu.close()

        task = tab.entry_actions.export(str(tmp_path / "out.ndjson"), "raw")
        run_until(qtbot, task.done, 10000)
        assert (tmp_path / "out.ndjson").read_text().splitlines() == ["[1, 2]", "[1, 2]"]
        with open(tmp_path / "out-reasons.csv", newline="") as f:
            assert [r[0] for r in csv.reader(f)] == ["line", "5", "10"]

        _focus(qtbot, tab.view)
        qtbot.keyClick(tab.view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert opened == [str(tmp_path)]

        asked = []
        win.send_guard.ask = lambda questions: (asked.append(questions), True)[1]
        ctx.set_dataset("somewhere-else")  # send again goes to the entry's own dataset
        acts["send again"].trigger()
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 1, 10000)
        [entry] = win.queue_panel.entries()
        assert len(asked) == 1 and "mixed.ndjson was already sent" in asked[0][0]
        run_until(qtbot, lambda: entry.is_finished, 20000)
        assert entry.dataset == DATASET and entry.ingested == 28
        from app.core import journal
        assert journal.get_job(entry.job_id).runs == 1  # queued, then run once: not "2 runs (resumed)"
    finally:
        win.close_now()


def test_an_unfinished_entry_resumes_from_the_keyboard(ctx, sandbox, tmp_path, qtbot, run_until, run_coro):
    path = ndjson_file(tmp_path / "stopped.ndjson", 500)
    job = cancelled_job(sandbox, path, 200, qtbot, run_coro)

    win = open_window(ctx, qtbot, run_until)
    try:
        assert win.resume_bar.model.rowCount() == 1
        tab = _select(win, qtbot, run_until, "stopped.ndjson")
        assert tab.entry_actions.actions["resume"].isEnabled()
        _focus(qtbot, tab.view)
        qtbot.keyClick(tab.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 1, 10000)
        [entry] = win.queue_panel.entries()
        assert win.resume_bar.model.rowCount() == 0  # not offered twice
        run_until(qtbot, lambda: entry.is_finished, 20000)
        assert entry.result.state == JobState.DONE and entry.ingested == 500
        counts = Counter(e["n"] for e in sandbox.events(DATASET))
        assert sorted(counts) == list(range(500)) and max(counts.values()) == 1
    finally:
        win.close_now()
