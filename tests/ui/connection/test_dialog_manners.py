"""The connection's dialogs sized for their text, saying what a person needs: the Custom URL
dialog (with its edge URL, routed as AXIOM_EDGE_URL is), the token dialog (where to create a
token, which permissions), the New dataset error (whole, "(400)" once), and connection errors
in words ("No connection to …: the name could not be resolved"), "connecting…" while retrying."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QLineEdit

from app.core import config, connect, secrets
from app.core.job import JobState, Source
from app.core.plan import Plan
from app.core.sniff import sniff_path


def _fits(edit: QLineEdit) -> bool:
    """The placeholder is shown whole: the field is wider than its text."""
    return edit.width() > edit.fontMetrics().horizontalAdvance(edit.placeholderText())


def test_custom_url_dialog_fits_its_placeholders(window, qtbot, run_until):
    dlg = window.connection_bar.open_custom_dialog()
    run_until(qtbot, dlg.isVisible)
    edits = (dlg.url_edit, dlg.edge_edit, dlg.name_edit)
    assert [e.accessibleName() for e in edits] == ["Base URL", "Edge URL", "Profile name"]
    assert all(_fits(e) for e in edits), [(e.width(), e.placeholderText()) for e in edits]
    assert dlg.width() >= dlg.sizeHint().width() and dlg.height() >= dlg.layout().totalHeightForWidth(dlg.width())
    assert dlg.width() > 214 * 1.5  # it was 214×102 with cut placeholders
    dlg.reject()


def test_an_edge_url_sends_ingest_there_and_api_calls_to_the_base(window, ctx, sandbox, tmp_path, qtbot, run_until,
                                                                   run_coro):
    bar = window.connection_bar
    dlg = bar.open_custom_dialog()
    dlg.url_edit.setText(sandbox.url)
    dlg.edge_edit.setText(sandbox.url + "/")  # the one-port sandbox serves both roles
    dlg.name_edit.setText("Proxy with edge")
    dlg.accept()
    run_until(qtbot, lambda: ctx.profile().name == "Proxy with edge" and ctx.connection_state == "disconnected", 10000)
    p = ctx.profile()
    assert (p.kind, p.url, p.edge_url) == ("custom", sandbox.url, sandbox.url)
    assert config.load_settings().profile("Proxy with edge").edge_url == sandbox.url  # kept in the settings
    secrets.SESSION_TOKENS.set(p.name, sandbox.token)
    ctx.reconnect()
    run_until(qtbot, lambda: ctx.connection_state == "connected", 10000)
    path = tmp_path / "a.ndjson"
    path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(3)))
    ctx.set_dataset("edge-logs")
    [e] = window.queue_panel.add_jobs([(Source.from_path(path), Plan.from_sniff(sniff_path(path)))])
    run_until(qtbot, lambda: e.result is not None, 10000)
    assert e.result.state == JobState.DONE
    paths = [r["path"] for r in sandbox.requests_log]
    assert "/v1/ingest/edge-logs" in paths and "/v1/datasets/edge-logs/ingest" not in paths
    assert "/v2/datasets" in paths


def test_a_plain_http_edge_to_another_host_must_be_confirmed(window, ctx):
    asked = []
    bar = window.connection_bar
    assert not bar.add_custom_url("https://axiom.example.com", "LAN edge", confirm_http=lambda u: asked.append(u) or False,
                                  edge_url="http://10.1.2.3:8080")
    assert asked == ["http://10.1.2.3:8080"]
    assert not bar.add_custom_url("https://axiom.example.com", "bad edge", confirm_http=lambda u: True,
                                  edge_url="edge.example.com")
    assert all(p.name not in ("LAN edge", "bad edge") for p in ctx.settings.profiles)


@pytest.mark.parametrize("profile", ["Axiom US", "Axiom EU"])
def test_the_token_dialog_says_where_to_create_a_token_and_which_permissions(window, ctx, profile, qtbot, run_until):
    ctx.set_profile(profile)
    bar = window.connection_bar
    bar.dialog = None
    bar.token_button.click()
    run_until(qtbot, lambda: bar.dialog is not None and bar.dialog.isVisible())
    dlg = bar.dialog
    text = dlg.help_label.text()
    assert "app.axiom.co: Settings → API tokens → New API token" in text
    assert "ingest permission" in text and "read (list, query) and create datasets" in text
    assert ("EU region (eu-central-1) need an API token" in text) == (profile == "Axiom EU")
    label = dlg.help_label
    assert label.height() >= label.heightForWidth(label.width())  # every line shown, none clipped
    assert dlg.height() >= dlg.layout().totalHeightForWidth(dlg.width())  # its contents at its width
    dlg.reject()


def test_new_dataset_errors_are_shown_whole_and_say_the_status_once(window, ctx, qtbot, run_until):
    dlg = window.dataset_picker.open_new_dialog()
    run_until(qtbot, dlg.isVisible)
    dlg.name_edit.setText("x" * 81)
    dlg.create_button.click()
    label = dlg.error_label
    run_until(qtbot, label.isVisible)
    assert "at most 80 characters" in label.text()
    run_until(qtbot, lambda: label.height() >= label.heightForWidth(label.width()))
    assert dlg.height() >= dlg.layout().totalHeightForWidth(dlg.width())  # its contents at its width
    dlg.reject()


def test_create_failure_names_the_status_once():
    from app.core.axiom import AxiomError, ErrorKind

    err = AxiomError("the server refused the request (400): invalid dataset name", kind=ErrorKind.BAD_REQUEST,
                     status=400)
    assert connect.create_failure_text("x", err) == "Could not create “x”: the server refused the request (400): invalid dataset name"
    err = AxiomError("nope", status=500)
    assert connect.create_failure_text("x", err) == "Could not create “x” (500): nope"


def test_no_connection_is_said_for_people_with_connecting_while_it_retries(window, ctx, qtbot, run_until, monkeypatch):
    monkeypatch.setattr(connect, "CONNECT_RETRY_DELAYS", (1.0,))
    secrets.SESSION_TOKENS.set("Nowhere", "xaat-some-token")
    bar = window.connection_bar
    seen = []
    ctx.connectionChanged.connect(lambda: seen.append((ctx.connection_state, bar.state_label.full_text())))
    assert bar.add_custom_url("https://no-such-host.invalid", "Nowhere")
    run_until(qtbot, lambda: ctx.connection_state == "error", 15000)
    problem = "No connection to no-such-host.invalid: the name could not be resolved — check the network, or the URL"
    assert ("connecting", f"{problem}. Connecting to Nowhere again in 1 s…") in seen
    assert bar.state_label.full_text() == f"{problem} — press Reconnect to try again"
    assert "Errno" not in bar.state_label.full_text()
