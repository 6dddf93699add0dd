"""The History tab reads the journal when it is shown: jobs finishing behind another tab cost no
query each, and the tab lists them once the user opens it."""

from __future__ import annotations

from tests.ui.history.test_resume_history import ndjson_file, start_sandbox_job


def test_jobs_finishing_while_history_is_hidden_are_listed_when_it_is_shown(window, ctx, sandbox, tmp_path,
                                                                            qtbot, run_until, run_coro):
    hist = window.history_tab
    window.tabs.setCurrentIndex(0)  # the Files tab
    run_until(qtbot, lambda: hist.load_task is None or hist.load_task.done(), 10000)
    assert not hist.isVisible()
    reads = hist._generation
    for i in range(3):
        job = start_sandbox_job(sandbox, ndjson_file(tmp_path / f"f{i}.ndjson", 5))
        run_coro(qtbot, job.run())
        run_coro(qtbot, job.client.aclose())
        ctx.historyChanged.emit()
    qtbot.wait(400)  # past the debounce: a shown tab would have read the journal by now
    assert hist._generation == reads  # nobody looking: no query
    window.tabs.setCurrentWidget(hist)
    run_until(qtbot, lambda: sorted(h.name for h in hist.rows()) == ["f0.ndjson", "f1.ndjson", "f2.ndjson"], 10000)
    reads = hist._generation
    ctx.historyChanged.emit()  # shown: read again (after the debounce)
    run_until(qtbot, lambda: hist._generation == reads + 1, 5000)
