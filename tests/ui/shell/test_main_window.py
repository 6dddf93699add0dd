"""The main window as a user meets it: title, icon, connection to the local sandbox, shortcuts, quitting."""

import asyncio

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QKeySequence

from app.ui.shell.main_window import MainWindow


def test_title_icon_and_local_sandbox_listing(window, ctx, sandbox, qtbot, run_until, run_coro):
    assert window.windowTitle() == "Axiom Drop"
    assert not window.windowIcon().isNull()
    assert not window.windowIcon().pixmap(64, 64).isNull()
    bar = window.connection_bar
    assert bar.profile_combo.currentText() == "Local sandbox"
    assert ctx.connection_state == "connected"
    assert bar.state_label.text() == "Connected — 1 dataset"  # the sandbox's playground
    assert "sandbox" in bar.storage_label.text()
    assert not bar.token_button.isVisible()  # the sandbox needs no token

    run_coro(qtbot, ctx.client().create_dataset("web-logs", "nginx access logs"))
    window.dataset_picker.refresh_button.click()
    run_until(qtbot, lambda: bar.state_label.text() == "Connected — 2 datasets")
    assert window.dataset_picker.names() == ["playground", "web-logs"]


def test_tabs_and_shortcuts(window):
    assert [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())] == ["Files", "Paste JSON", "History"]
    assert window.open_action.shortcut() == QKeySequence(QKeySequence.Open)
    assert window.quit_action.shortcut() == QKeySequence(QKeySequence.Quit)
    assert window.send_action.shortcut() == QKeySequence("Ctrl+Return")
    for w in (window.connection_bar.profile_combo, window.dataset_picker.combo,
              window.dataset_picker.refresh_button, window.dataset_picker.new_button,
              window.paste_tab.editor, window.paste_tab.send_button, window.paste_tab.search_edit):
        assert w.accessibleName(), w
        assert w.toolTip(), w


def test_paste_json_goes_to_the_paste_tab_and_paths_to_files(window, tmp_path):
    mime = QMimeData()
    mime.setText('{"a": 1}')
    window.paste_mime(mime)
    assert window.tabs.currentWidget() is window.paste_tab
    assert window.paste_tab.editor.toPlainText() == '{"a": 1}'

    f = tmp_path / "x.ndjson"
    f.write_text('{"a": 1}\n')
    received = []
    window.drop_panel.add_paths = received.extend  # whatever the drop zone is, it gets the paths
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    window.paste_mime(mime)
    assert received == [str(f)]
    assert window.tabs.currentIndex() == 0


def test_quit_without_uploads_shuts_down_then_closes(ctx, qtbot, aloop, run_until):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    run_until(qtbot, lambda: ctx.connection_state == "connected", 10000)
    win.close()
    run_until(qtbot, lambda: win.closed.done(), 10000)
    assert not win.isVisible()
    assert ctx.tasks.running() == []


def test_quit_with_a_running_upload_asks(ctx, qtbot, aloop, run_until):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    ctx.tasks.spawn(asyncio.sleep(60), "upload:big.ndjson")
    answers = []
    win.ask_about_uploads = lambda: answers.append(1) or "stay"
    win.close()
    assert answers == [1]
    assert win.isVisible() and not win.closed.done()

    seen = []
    ctx.aboutToShutdown.connect(seen.append)
    win.ask_about_uploads = lambda: "keep"
    win.close()
    run_until(qtbot, lambda: win.closed.done(), 10000)
    assert seen == [False]
    assert ctx.tasks.uploads() == []


def test_a_narrow_window_shortens_status_lines_instead_of_cutting_them(window, ctx, tmp_path, qtbot, run_until):
    """At the window's narrowest, the connection state and the queue's totals end in "…" and
    fit their space (the whole text stays in the tooltip); the queue's buttons stay whole."""
    from app.core.plan import Plan
    from app.core.sniff import sniff_path
    from app.core.job import Source

    f = tmp_path / "some-rather-long-name-for-a-small-file.ndjson"
    f.write_text("".join(f'{{"n": {i}}}\n' for i in range(12_345)))
    queue = window.queue_panel
    (entry,) = queue.add_jobs([(Source.from_path(f), Plan.from_sniff(sniff_path(f)))])
    run_until(qtbot, lambda: entry.is_finished and "in progress" not in queue.summary.full_text(), 10000)  # totals: next tick

    def narrowed() -> bool:  # asked again until it holds: the platform may still apply the first show
        window.resize(200, 700)  # clamped to the window's minimum width
        return window.width() < 800

    run_until(qtbot, narrowed)
    state = window.connection_bar.state_label
    assert state.full_text().startswith("Connected — ")
    assert queue.summary.full_text() == "1 file · 12,345 ingested · 0 failed"
    for label in (state, queue.summary):
        whole = label.full_text()
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), label.text()
        assert label.text() == whole or label.text().endswith("…")
    assert queue.summary.toolTip() == "1 file · 12,345 ingested · 0 failed"
    for button in (queue.pause_button, queue.retry_button, queue.remove_button, queue.clear_button):
        assert button.geometry().right() < queue.width(), button.text()
