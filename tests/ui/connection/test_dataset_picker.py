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
    _refresh(window, ctx, qtbot, run_until, 4)
    picker = window.dataset_picker
    assert picker.names() == ["app-logs", "billing", "playground", "web-logs"]  # playground: the app's sandbox makes it
    assert window.connection_bar.state_label.text() == "Connected — 4 datasets"
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


def test_each_dataset_shows_its_own_region(window, ctx, sandbox, qtbot, run_until):
    sandbox.create_dataset("eu-logs", "", region="cloud.eu-central-1.aws")
    sandbox.create_dataset("us-logs", "", region="cloud.us-east-1.aws")
    _refresh(window, ctx, qtbot, run_until, 3)
    picker = window.dataset_picker
    regions = {picker.model.item(r, 0).text(): picker.model.item(r, 1).text() for r in range(3)}
    assert regions == {"eu-logs": "eu-central-1", "us-logs": "us-east-1", "playground": "local"}  # from edgeDeployment
    assert "Region: EU (eu-central-1)" in picker.model.item(picker.names().index("eu-logs"), 0).toolTip()


def test_new_dataset_is_created_and_errors_are_shown(window, ctx, sandbox, qtbot, run_until):
    picker = window.dataset_picker
    assert ctx.dataset() == "playground"  # a newcomer on the app's sandbox: its ready dataset is chosen
    dlg = picker.open_new_dialog()
    assert dlg.isVisible() and dlg.name_edit.text() == "" and not dlg.create_button.isEnabled()  # it exists
    dlg.name_edit.setText("new-one")
    assert dlg.create_button.isEnabled()
    dlg.name_edit.setText("")
    assert not dlg.create_button.isEnabled()
    dlg.name_edit.setText("events-2026")
    dlg.description_edit.setText("made in a test")
    dlg.create_button.click()
    run_until(qtbot, lambda: not dlg.isVisible(), 10000)
    assert "events-2026" in sandbox.datasets()
    run_until(qtbot, lambda: picker.names() == ["events-2026", "playground"])
    assert ctx.dataset() == "events-2026"
    assert picker.combo.currentText() == "events-2026"

    dlg = picker.open_new_dialog()
    dlg.name_edit.setText("events-2026")
    dlg.create_button.click()
    run_until(qtbot, lambda: dlg.error_label.isVisible(), 10000)
    assert dlg.error_label.text() == "A dataset named “events-2026” already exists."
    # A name Axiom would refuse is said at once, without asking the server.
    asked = len(sandbox.requests_log)
    for name, why in [("bad name!", "only letters, digits"), ("axiom-logs", "reserved by Axiom"),
                      ("x" * 81, "at most 80 characters"), ("logs-", "starts and ends with a letter or a digit")]:
        dlg.name_edit.setText(name)
        dlg.create_button.click()
        assert dlg.error_label.text().startswith(f"“{name}” cannot be a dataset name: ") and why in dlg.error_label.text()
        assert dlg.create_button.isEnabled()
    assert len(sandbox.requests_log) == asked and sandbox.datasets() == ["events-2026", "playground"]
    assert dlg.region_note.text() == "the server's default"  # the sandbox profile has no region
    dlg.reject()


def test_ingest_only_token_types_names_and_offers_recent_ones(window, ctx, sandbox, qtbot, run_until):
    ctx.set_dataset("older")
    ctx.set_dataset("newest")
    sandbox.ingest_only = True
    ctx.reconnect()
    run_until(qtbot, lambda: ctx.connection_state == "limited", 10000)
    bar, picker = window.connection_bar, window.dataset_picker
    # A 403 alone does not prove an ingest-only token (Axiom answers 403 for a bad token too).
    assert bar.state_label.text() == "Could not list datasets (403); the first upload will check the token"
    assert picker.names() == ["newest", "older"]
    assert picker.model.item(0, 2).text() == "used recently"
    assert picker.hint_label.text() == "This token cannot list datasets: type the name"
    assert not picker.new_button.isEnabled()

    picker.combo.setEditText("typed-by-hand")
    picker.combo.lineEdit().editingFinished.emit()
    assert ctx.dataset() == "typed-by-hand"
    assert config.load_settings().profile("Local sandbox").recent_datasets[:3] == ["typed-by-hand", "newest", "older"]
