"""Desktop manners (#14): a notification when uploads finish in the background, "Open in Axiom",
the Help menu (About, shortcuts, where the data is, the sandbox's storage), one open-files dialog
that remembers its folder, and a theme choice that stays."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from PySide6.QtWidgets import QApplication, QWidget

import app
from app.core import config, journal
from app.core.axiom.console import dataset_page
from app.core.job import JobState, Source
from app.ui.widgets import desktop, theme
from app.ui.widgets.appearance import apply_theme
from tests.ui.history.test_read_stop_shown import cut_gz
from tests.ui.history.test_resume_history import DATASET, ndjson_file, open_window, plan_for, start_sandbox_job


class FakeNotifier:
    def __init__(self):
        self.said = []

    def notify(self, title, text, problem=False):
        self.said.append((title, text, problem))


def _send(win, paths, qtbot, run_until):
    entries = win.queue_panel.add_jobs([(Source.from_path(p), plan_for(p)) for p in paths])
    run_until(qtbot, lambda: all(e.is_finished for e in entries), 20000)
    return entries


def test_uploads_finishing_in_the_background_notify_once_with_the_counts(ctx, sandbox, tmp_path, qtbot, run_until):
    a = ndjson_file(tmp_path / "a.ndjson", 40)
    b = ndjson_file(tmp_path / "b.ndjson", 20, bad=(3,))
    win = open_window(ctx, qtbot, run_until)
    fake = FakeNotifier()
    win.finish_watcher.notifier = fake
    ctx.set_dataset(DATASET)
    other = QWidget()  # the user switched to another window
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    run_until(qtbot, lambda: not win.isActiveWindow())
    try:
        _send(win, [a, b], qtbot, run_until)
        run_until(qtbot, lambda: fake.said)
        assert fake.said == [("2 uploads finished with problems", f"59 events ingested, 1 failed into {DATASET}", True)]

        win.activateWindow()  # in front: the queue says it, no notification
        run_until(qtbot, win.isActiveWindow)
        _send(win, [ndjson_file(tmp_path / "c.ndjson", 5)], qtbot, run_until)
        qtbot.wait(100)
        assert len(fake.said) == 1
    finally:
        win.close_now()


def test_the_notification_says_a_file_was_not_read_to_the_end(ctx, sandbox, tmp_path, qtbot, run_until):
    cut = cut_gz(tmp_path / "cut.ndjson.gz")
    whole = ndjson_file(tmp_path / "whole.ndjson", 3)
    win = open_window(ctx, qtbot, run_until)
    fake = FakeNotifier()
    win.finish_watcher.notifier = fake
    ctx.set_dataset(DATASET)
    other = QWidget()  # the user switched to another window
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    run_until(qtbot, lambda: not win.isActiveWindow())
    try:
        entries = _send(win, [cut, whole], qtbot, run_until)
        run_until(qtbot, lambda: fake.said)
        sent = entries[0].ingested
        assert 0 < sent < 30_000 and entries[0].not_sent == 0  # the unread rest is not counted: it is said
        assert fake.said == [("2 uploads finished with problems",
                              f"{sent + 3:,} events ingested, 1 file not read to the end into {DATASET}", True)]
    finally:
        win.close_now()


def test_open_in_axiom_is_offered_for_axiom_profiles_only(ctx, sandbox, tmp_path, qtbot, run_until, run_coro,
                                                          monkeypatch):
    from app.core.axiom import AxiomClient, Endpoint
    from app.core.job import UploadJob

    path = ndjson_file(tmp_path / "to-axiom.ndjson", 10)
    client = AxiomClient(Endpoint(sandbox.url, sandbox.url), sandbox.token)
    job = UploadJob(Source.from_path(path), plan_for(path), client, "web-logs", profile="Axiom EU",
                    endpoint="https://api.eu.axiom.co")  # as journaled by the EU profile
    assert run_coro(qtbot, job.run(), 20000).state == JobState.DONE
    run_coro(qtbot, client.aclose())
    ctx.settings.profile("Axiom EU").org_id = "acme-x1y2"
    opened = []
    monkeypatch.setattr(desktop, "opener", lambda url: opened.append(url.toString()) or True)

    win = open_window(ctx, qtbot, run_until)
    try:
        tab = win.history_tab
        win.tabs.setCurrentWidget(tab)
        tab.reload()
        run_until(qtbot, lambda: len(tab.rows()) == 1, 10000)
        tab.select_row(0)
        action = tab.entry_actions.actions["open in axiom"]
        assert action.isVisible() and action.isEnabled()
        action.trigger()
        [url] = opened
        parsed = urlparse(url)
        assert (parsed.scheme, parsed.netloc, parsed.path) == ("https", "app.axiom.co", "/acme-x1y2/explorer")
        assert json.loads(parse_qs(parsed.query)["initForm"][0]) == {"apl": "['web-logs']"}
    finally:
        win.close_now()
    assert dataset_page("sandbox", None, "web-logs") is None and dataset_page("custom", "o", "d") is None
    assert dataset_page("us", "", "web-logs") == "https://app.axiom.co/"


def test_help_menu_about_shortcuts_and_where_the_data_is(window, ctx, sandbox, tmp_path, qtbot, run_until):
    about = window.help_actions["about"]
    about.trigger()
    text = window._help_dialog.text.toPlainText()
    assert f"{app.APP_NAME} {app.__version__}" in text
    assert "PySide6" in text and "LGPL-3.0" in text and "httpx" in text and "BSD-3-Clause" in text
    window._help_dialog.close()

    window.help_actions["shortcuts"].trigger()
    text = window._help_dialog.text.toPlainText()
    assert "Open" in text and "Ctrl+O" in text and "Export failed rows" in text and "Ctrl+E" in text
    window._help_dialog.close()

    ctx.set_dataset(DATASET)
    _send(window, [ndjson_file(tmp_path / "s.ndjson", 50)], qtbot, run_until)
    window.help_actions["data"].trigger()
    dialog = window._help_dialog
    labels = [w.text() for w in dialog.findChildren(type(dialog.size_label))]
    assert str(journal.db_path()) in labels and str(config.settings_path()) in labels
    assert str(sandbox.data_dir) in labels
    assert " dataset" in dialog.size_label.text() and not dialog.size_label.text().startswith("0 B")
    assert dialog.clear_button.isEnabled()

    dialog.confirm_clear = lambda: False
    assert not dialog.clear() and len(sandbox.events(DATASET)) == 50
    dialog.confirm_clear = lambda: True
    assert dialog.clear()
    assert sandbox.events(DATASET) == [] and dialog.size_label.text().startswith("0 B in 0 datasets")
    assert not dialog.clear_button.isEnabled()
    dialog.close()


def test_open_and_browse_offer_the_same_filters_and_remember_the_folder(window, ctx, tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "x.log").write_text('{"a":1}\n')
    window.open_files()
    first = window._file_dialog
    filters = first.nameFilters()
    for pattern in ("*.log", "*.gz", "*.zst", "*.ndjson", "*.csv"):
        assert pattern in filters[0]
    first.filesSelected.emit([str(folder / "x.log")])
    first.close()
    assert config.load_settings().last_folder == str(folder)  # kept across a restart

    window.drop_panel.browse()
    second = window.drop_panel._file_dialog
    assert second.nameFilters() == filters
    assert second.directory().absolutePath() == str(folder)
    second.close()


def test_the_theme_choice_is_applied_and_kept(window, ctx):
    try:
        assert window.theme_actions["system"].isChecked()
        window.theme_actions["dark"].trigger()
        assert theme.is_dark() and window.theme_actions["dark"].isChecked()
        assert config.load_settings().theme == "dark"
        window.theme_actions["light"].trigger()
        assert not theme.is_dark() and config.load_settings().theme == "light"
    finally:
        apply_theme("system")
    assert QApplication.instance().palette() is not None


def test_a_finished_upload_of_an_axiom_profile_opens_in_axiom_from_the_queue(window, ctx, sandbox, tmp_path,
                                                                             qtbot, run_until, run_coro, monkeypatch):
    from app.core.axiom import AxiomClient, Endpoint
    from app.core.job import UploadJob

    opened = []
    monkeypatch.setattr(desktop, "opener", lambda url: opened.append(url.toString()) or True)
    ctx.set_dataset(DATASET)
    panel = window.queue_panel
    [local] = _send(window, [ndjson_file(tmp_path / "local.ndjson", 5)], qtbot, run_until)
    panel.select(local)
    assert not panel.details.axiom_button.isVisible()  # the sandbox has no console

    ctx.settings.profile("Axiom US").org_id = "acme"
    path = ndjson_file(tmp_path / "us.ndjson", 5)
    client = AxiomClient(Endpoint(sandbox.url, sandbox.url), sandbox.token)
    [entry] = panel.add_prepared([UploadJob(Source.from_path(path), plan_for(path), client, "us-logs",
                                            profile="Axiom US", endpoint="https://api.axiom.co")])
    run_until(qtbot, lambda: entry.is_finished, 20000)
    panel.select(entry)
    run_until(qtbot, panel.details.axiom_button.isVisible)
    panel.details.axiom_button.click()
    assert opened and opened[0].startswith("https://app.axiom.co/acme/explorer?initForm=")
    run_coro(qtbot, client.aclose())
