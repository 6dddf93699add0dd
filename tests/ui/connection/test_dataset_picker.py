"""The dataset picker: listing with region and description, search, create, ingest-only tokens."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter

from app.core import config


def _refresh(window, ctx, qtbot, run_until, n):
    window.dataset_picker.refresh_button.click()
    run_until(qtbot, lambda: len(window.dataset_picker.names()) == n and ctx.connection_state == "connected")


def test_lists_datasets_with_region_and_description_and_filters(window, ctx, sandbox, qtbot, run_until,
                                                                 qtmodeltester):
    sandbox.create_dataset("web-logs", "nginx access logs")
    sandbox.create_dataset("app-logs", "")
    sandbox.create_dataset("billing", "invoices")
    _refresh(window, ctx, qtbot, run_until, 3)
    picker = window.dataset_picker
    assert picker.names() == ["app-logs", "billing", "web-logs"]
    assert window.connection_bar.state_label.text() == "Connected — 3 datasets"
    row = picker.names().index("web-logs")
    assert picker.model.item(row, 1).text() == "local"
    assert picker.model.item(row, 2).text() == "nginx access logs"
    assert "nginx access logs" in picker.model.item(row, 0).toolTip()
    qtmodeltester.check(picker.model)  # the combo's and the completer's three-column model

    # Searching matches anywhere in the name.
    picker.completer.setCompletionPrefix("logs")
    assert picker.completer.completionCount() == 2
    assert picker.completer.filterMode() == Qt.MatchContains
    assert picker.completer.completionMode() == QCompleter.PopupCompletion

    # Choosing is remembered for the profile.
    picker.combo.setCurrentIndex(picker.names().index("billing"))
    picker.combo.activated.emit(picker.names().index("billing"))
    assert ctx.dataset() == "billing"
    assert config.load_settings().profile("Local sandbox").dataset == "billing"


def test_new_dataset_is_created_and_errors_are_shown(window, ctx, sandbox, qtbot, run_until):
    picker = window.dataset_picker
    assert ctx.dataset() == "playground"  # a newcomer's empty sandbox: a name is pre-filled
    dlg = picker.open_new_dialog()
    assert dlg.isVisible() and dlg.name_edit.text() == "playground" and dlg.create_button.isEnabled()
    dlg.name_edit.setText("")
    assert not dlg.create_button.isEnabled()
    dlg.name_edit.setText("events-2026")
    dlg.description_edit.setText("made in a test")
    dlg.create_button.click()
    run_until(qtbot, lambda: not dlg.isVisible(), 10000)
    assert "events-2026" in sandbox.datasets()
    run_until(qtbot, lambda: picker.names() == ["events-2026"])
    assert ctx.dataset() == "events-2026"
    assert picker.combo.currentText() == "events-2026"

    dlg = picker.open_new_dialog()
    dlg.name_edit.setText("events-2026")
    dlg.create_button.click()
    run_until(qtbot, lambda: dlg.error_label.isVisible(), 10000)
    assert dlg.error_label.text() == "A dataset named “events-2026” already exists."
    dlg.name_edit.setText("bad name!")
    dlg.create_button.click()
    run_until(qtbot, lambda: "400" in dlg.error_label.text(), 10000)
    assert "invalid dataset name" in dlg.error_label.text()
    dlg.reject()


def test_ingest_only_token_types_names_and_offers_recent_ones(window, ctx, sandbox, qtbot, run_until):
    ctx.set_dataset("older")
    ctx.set_dataset("newest")
    sandbox.ingest_only = True
    ctx.reconnect()
    run_until(qtbot, lambda: ctx.connection_state == "limited", 10000)
    bar, picker = window.connection_bar, window.dataset_picker
    assert bar.state_label.text() == (
        "This token can ingest but not list datasets; it will be checked by the first upload")
    assert picker.names() == ["newest", "older"]
    assert picker.model.item(0, 2).text() == "used recently"
    assert picker.hint_label.text() == "This token cannot list datasets: type the name"
    assert not picker.new_button.isEnabled()

    picker.combo.setEditText("typed-by-hand")
    picker.combo.lineEdit().editingFinished.emit()
    assert ctx.dataset() == "typed-by-hand"
    assert config.load_settings().profile("Local sandbox").recent_datasets[:3] == ["typed-by-hand", "newest", "older"]
