"""The token dialog and the connection bar: keyring, session-only, sign out, custom URLs."""

import os
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.errors
import pytest

from app.core import config, secrets
from app.ui.context import AppContext


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _switch_to_proxy(window, sandbox, qtbot, run_until):
    """A custom-URL profile pointing at the sandbox: needs a token like Axiom's cloud does."""
    bar = window.connection_bar
    assert bar.add_custom_url(sandbox.url + "/", "Test proxy")
    assert bar.profile_combo.currentText() == "Test proxy"
    run_until(qtbot, lambda: window.ctx.connection_state == "disconnected", 10000)
    assert bar.state_label.text() == "No token — use “Token…” to add one"
    assert bar.storage_label.text() == "No token"
    assert bar.token_button.isVisible()


def _open_dialog(window, qtbot, run_until):
    bar = window.connection_bar
    bar.dialog = None
    bar.token_button.click()
    run_until(qtbot, lambda: bar.dialog is not None and bar.dialog.isVisible())
    return bar.dialog


def _all_files_text(root: Path) -> str:
    out = []
    for p in root.rglob("*"):
        if p.is_file():
            out.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def _store_read_delete(window, ctx, sandbox, qtbot, run_until, run_coro, read_back):
    _switch_to_proxy(window, sandbox, qtbot, run_until)
    dlg = _open_dialog(window, qtbot, run_until)
    assert dlg.save_button.isVisible()
    assert "will be stored in" in dlg.storage_label.text()
    assert not dlg.org_edit.isVisible()
    dlg.token_edit.setText(sandbox.token)
    dlg.save_button.click()
    run_until(qtbot, lambda: not dlg.isVisible(), 10000)
    run_until(qtbot, lambda: ctx.connection_state == "connected", 10000)
    bar = window.connection_bar
    assert bar.state_label.text() == "Connected — 1 dataset"  # the sandbox's playground
    assert bar.storage_label.text().startswith("Token in ")
    assert read_back() == sandbox.token

    # A restart finds the token in the keyring again.
    ctx2 = AppContext(config.load_settings(), sandbox=sandbox)
    assert ctx2.profile().name == "Test proxy"
    token, where = run_coro(qtbot, ctx2.read_token())
    assert token == sandbox.token and where != "session"
    run_coro(qtbot, ctx2.aclose())

    # Nothing under AXIOM_DROP_HOME holds the token (settings, history, logs …).
    assert sandbox.token not in _all_files_text(Path(os.environ["AXIOM_DROP_HOME"]))

    bar.signout_button.click()
    run_until(qtbot, lambda: ctx.connection_state == "disconnected", 10000)
    assert bar.storage_label.text() == "No token"
    assert read_back() is None


def test_token_dialog_stores_reads_and_deletes_with_a_keyring(memory_keyring, window, ctx, sandbox, qtbot, run_until, run_coro):
    _store_read_delete(window, ctx, sandbox, qtbot, run_until, run_coro,
                       lambda: memory_keyring.store.get((secrets.SERVICE, "Test proxy")))


@pytest.mark.keyring
def test_real_secret_service_round_trip(window, ctx, sandbox, qtbot, run_until, run_coro):
    backend = secrets._backend()  # the one keyring really uses (through a chainer, if any)
    if type(backend).__module__ != "keyring.backends.SecretService":
        message = f"no Secret Service here ({type(backend).__module__}); run under tests/with_keyring.sh"
        if os.environ.get("AXIOM_DROP_REQUIRE_KEYRING") == "1":
            pytest.fail(message)
        pytest.skip(message)
    assert secrets.backend_description()[1]
    try:
        _store_read_delete(window, ctx, sandbox, qtbot, run_until, run_coro,
                           lambda: keyring.get_password(secrets.SERVICE, "Test proxy"))
        assert "Secret Service" in secrets.backend_description()[0]
    finally:
        try:
            keyring.delete_password(secrets.SERVICE, "Test proxy")
        except keyring.errors.PasswordDeleteError:
            pass
    assert sandbox.token not in _all_files_text(Path(os.environ["AXIOM_DROP_HOME"]))


def test_without_a_keyring_the_dialog_offers_session_only(no_keyring, window, ctx, sandbox, qtbot, run_until):
    _switch_to_proxy(window, sandbox, qtbot, run_until)
    dlg = _open_dialog(window, qtbot, run_until)
    assert "No secure keyring is available on this system" in dlg.storage_label.text()
    assert "never written to a file" in dlg.storage_label.text()
    assert not dlg.save_button.isVisible()
    assert dlg.session_button.isVisible()
    dlg.token_edit.setText(sandbox.token)
    dlg.session_button.click()
    run_until(qtbot, lambda: ctx.connection_state == "connected", 10000)
    bar = window.connection_bar
    assert bar.storage_label.text() == "Token kept for this session only"
    assert secrets.SESSION_TOKENS.get("Test proxy") == sandbox.token
    assert sandbox.token not in _all_files_text(Path(os.environ["AXIOM_DROP_HOME"]))
    bar.signout_button.click()
    run_until(qtbot, lambda: ctx.connection_state == "disconnected", 10000)
    assert secrets.SESSION_TOKENS.get("Test proxy") is None


def test_personal_token_asks_for_the_org_id(memory_keyring, window, ctx, sandbox, qtbot, run_until):
    _switch_to_proxy(window, sandbox, qtbot, run_until)
    dlg = _open_dialog(window, qtbot, run_until)
    dlg.token_edit.setText("xapt-0000")
    assert dlg.org_edit.isVisible()
    dlg.save_button.click()
    assert dlg.error_label.isVisible()
    assert "organization ID" in dlg.error_label.text()
    dlg.token_edit.setText("xaat-0000")
    assert not dlg.org_edit.isVisible()


def test_plain_http_to_another_host_needs_confirmation(window, ctx, qtbot):
    bar = window.connection_bar
    asked = []
    assert not bar.add_custom_url("http://10.1.2.3:8080", "LAN", confirm_http=lambda u: asked.append(u) or False)
    assert asked == ["http://10.1.2.3:8080"]
    assert "LAN" not in [p.name for p in ctx.settings.profiles]
    assert bar.add_custom_url("http://10.1.2.3:8080", "LAN", confirm_http=lambda u: True)
    assert ctx.profile().name == "LAN" and ctx.profile().allow_http
    # https and loopback need no question
    assert bar.add_custom_url("https://axiom.example.com", "", confirm_http=lambda u: pytest.fail("asked"))
    assert ctx.profile().name == "axiom.example.com"
    assert not bar.add_custom_url("ftp://x", "bad", confirm_http=lambda u: True)


def test_switching_back_to_the_local_sandbox_connects(window, ctx, sandbox, qtbot, run_until):
    _switch_to_proxy(window, sandbox, qtbot, run_until)
    bar = window.connection_bar
    idx = bar.profile_combo.findText("Local sandbox")
    bar.profile_combo.setCurrentIndex(idx)
    bar.profile_combo.activated.emit(idx)
    run_until(qtbot, lambda: ctx.connection_state == "connected", 10000)
    assert bar.state_label.text().startswith("Connected — ")
    assert config.load_settings().current_profile == "Local sandbox"
