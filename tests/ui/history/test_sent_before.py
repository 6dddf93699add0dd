"""What the resume bar offers and when a send asks first (#14): a file already sent asks before
it is sent again (and so does "Send again" of a paste); the bar never offers a job whose file was
sent in full since, and a job the user cancelled is offered at one start only."""

from __future__ import annotations

from app.core import history, journal
from app.core.job import JobState, Source
from app.ui.history.resume_bar import UnfinishedModel
from tests.ui.history.test_resume_history import (
    DATASET, cancelled_job, ndjson_file, open_window, plan_for, start_sandbox_job)


def _send_from_window(win, path, qtbot, run_until):
    """A file dropped and sent from the Files tab, as a user does it."""
    win.add_paths([str(path)])
    panel = win.drop_panel
    run_until(qtbot, lambda: any(c.sendable for c in panel.cards()), 10000)
    panel.send()


def test_a_file_already_sent_asks_before_it_is_sent_again(ctx, sandbox, tmp_path, qtbot, run_until):
    path = ndjson_file(tmp_path / "once.ndjson", 120)
    win = open_window(ctx, qtbot, run_until)
    ctx.set_dataset(DATASET)
    asked: list[list[str]] = []
    answers = [False, True]
    win.send_guard.ask = lambda questions: (asked.append(questions), answers.pop(0))[1]
    try:
        _send_from_window(win, path, qtbot, run_until)
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 1 and win.queue_panel.entries()[0].is_finished,
                  20000)
        assert asked == []  # the first send asks nothing
        assert len(sandbox.events(DATASET)) == 120

        _send_from_window(win, path, qtbot, run_until)  # the user says "Don't send them"
        run_until(qtbot, lambda: len(asked) == 1)
        assert "once.ndjson was already sent to resume-ds" in asked[0][0]
        assert "120 events ingested" in asked[0][0]
        qtbot.wait(200)
        assert len(win.queue_panel.entries()) == 1 and len(sandbox.events(DATASET)) == 120

        _send_from_window(win, path, qtbot, run_until)  # now "Send again"
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 2 and win.queue_panel.entries()[-1].is_finished,
                  20000)
        assert len(asked) == 2 and len(sandbox.events(DATASET)) == 240

        path.write_text(path.read_text() + '{"n": 999}\n')  # a changed file is a new file: no question
        _send_from_window(win, path, qtbot, run_until)
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 3, 10000)
        assert len(asked) == 2
    finally:
        win.close_now()


def test_the_resume_bar_never_offers_a_file_sent_in_full_since(ctx, sandbox, tmp_path, qtbot, run_until, run_coro):
    path = ndjson_file(tmp_path / "twice.ndjson", 600)
    job = start_sandbox_job(sandbox, path)
    job.on_progress = lambda p: job.cancel() if p.ingested >= 200 else None
    assert run_coro(qtbot, job.run(), 20000).state == JobState.CANCELLED
    again = start_sandbox_job(sandbox, path)  # then the whole file, as a new send
    assert run_coro(qtbot, again.run(), 20000).state == JobState.DONE
    for j in (job, again):
        run_coro(qtbot, j.client.aclose())
    assert len(journal.unfinished_jobs()) == 1  # the journal still has it

    win = open_window(ctx, qtbot, run_until)
    try:
        assert win.resume_bar.model.rowCount() == 0 and not win.resume_bar.isVisible()
    finally:
        win.close_now()


def test_a_cancelled_job_is_offered_at_one_start_only(ctx, sandbox, tmp_path, qtbot, run_until, run_coro):
    path = ndjson_file(tmp_path / "stopped.ndjson", 600)
    job = cancelled_job(sandbox, path, 200, qtbot, run_coro)

    win = open_window(ctx, qtbot, run_until)
    try:
        run_until(qtbot, lambda: win.resume_bar.model.rowCount() == 1)
        assert win.resume_bar.model.data(win.resume_bar.model.index(0, UnfinishedModel.HOW)).startswith("cancelled ")
        win.resume_bar.later_button.click()
    finally:
        win.close_now()
    win2 = open_window(ctx, qtbot, run_until)
    try:
        assert win2.resume_bar.model.rowCount() == 0 and not win2.resume_bar.isVisible()
        [record] = journal.unfinished_jobs()  # still resumable, from the History tab
        assert record.resumable and history.how_it_ended(record) == "cancelled"
    finally:
        win2.close_now()


def test_send_again_of_a_paste_asks_first(window, ctx, sandbox, qtbot, run_until):
    ctx.set_dataset(DATASET)
    tab = window.paste_tab
    window.tabs.setCurrentWidget(tab)
    asked: list[str] = []
    tab.ask_send_again = lambda q: (asked.append(q), False)[1]
    tab.set_text('{"a": 1}\n{"a": 2}\n')
    task = tab.send()
    run_until(qtbot, task.done, 10000)
    assert len(sandbox.events(DATASET)) == 2
    run_until(qtbot, lambda: tab.selected_entry() is not None or tab.history_view.model().rowCount() > 0)
    tab.history_view.setCurrentIndex(tab.history_view.model().index(0, 0))
    assert tab.send_again() is None
    assert len(asked) == 1 and "2 events ingested" in asked[0] and "twice" in asked[0]
    assert len(sandbox.events(DATASET)) == 2
    tab.ask_send_again = lambda q: True
    task = tab.send_again()
    run_until(qtbot, task.done, 10000)
    assert len(sandbox.events(DATASET)) == 4


def test_the_real_question_is_a_window_modal_box_that_does_not_block_the_loop(ctx, sandbox, tmp_path, qtbot,
                                                                                run_until):
    from PySide6.QtWidgets import QApplication, QMessageBox

    path = ndjson_file(tmp_path / "twice.ndjson", 30)
    win = open_window(ctx, qtbot, run_until)
    ctx.set_dataset(DATASET)
    try:
        _send_from_window(win, path, qtbot, run_until)
        run_until(qtbot, lambda: win.queue_panel.entries() and win.queue_panel.entries()[0].is_finished, 20000)
        _send_from_window(win, path, qtbot, run_until)

        def box():
            return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()),
                        None)
        run_until(qtbot, lambda: box() is not None)
        assert "twice.ndjson was already sent" in box().informativeText()
        assert win.history_tab.reload() is not None  # the loop still runs other tasks meanwhile
        next(b for b in box().buttons() if b.text() == "Send again").click()
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 2 and win.queue_panel.entries()[1].is_finished,
                  20000)
        assert len(sandbox.events(DATASET)) == 60
    finally:
        win.close_now()


def test_a_folder_sent_with_a_file_asks_about_the_folder_files_already_sent(ctx, sandbox, tmp_path, qtbot, run_until):
    """A folder card's jobs carry their dataset ((Source, Plan, dataset)); sent beside a file card,
    the check still reads them (it once failed on the mix and asked nothing)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    ndjson_file(folder / "a.ndjson", 30)
    ndjson_file(folder / "b.ndjson", 40)
    win = open_window(ctx, qtbot, run_until)
    ctx.set_dataset(DATASET)
    asked: list[list[str]] = []
    win.send_guard.ask = lambda questions: (asked.append(questions), False)[1]
    panel = win.drop_panel
    try:
        win.add_paths([str(folder)])
        run_until(qtbot, lambda: panel.folder_cards() and panel.folder_cards()[0].sendable, 10000)
        panel.send()
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 2
                  and all(e.is_finished for e in win.queue_panel.entries()), 20000)
        assert asked == [] and len(sandbox.events(DATASET)) == 70

        single = ndjson_file(tmp_path / "new.ndjson", 5)
        win.add_paths([str(folder), str(single)])
        run_until(qtbot, lambda: panel.folder_cards() and panel.folder_cards()[0].sendable
                  and any(c.sendable for c in panel.cards()), 10000)
        panel.send()  # the user says "Don't send them" to the folder's two files
        run_until(qtbot, lambda: len(asked) == 1, 10000)
        assert len(asked[0]) == 2, asked
        assert any("a.ndjson was already sent" in q for q in asked[0]), asked
        run_until(qtbot, lambda: len(win.queue_panel.entries()) == 3 and win.queue_panel.entries()[-1].is_finished,
                  20000)
        assert win.queue_panel.entries()[-1].name == "new.ndjson"
        assert len(sandbox.events(DATASET)) == 75
    finally:
        win.close_now()
