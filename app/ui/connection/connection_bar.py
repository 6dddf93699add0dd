"""The connection bar (profile, state, where the token is kept) and the token dialog.

Keyring calls go through AppContext (off the GUI thread, with a timeout). Dialogs are opened
with open(), never exec(), so no nested event loop runs inside an asyncio task.
"""

from __future__ import annotations

import asyncio
import html
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import connect, secrets
from app.ui.connection.custom_url import CustomUrlDialog, validate_url
from app.ui.context import KEYRING_TIMEOUT, AppContext, needs_http_confirmation
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.fitting import grow_to_fit

CUSTOM_ITEM = "Custom URL…"


class TokenDialog(QDialog):
    """Paste a token (and the org id for a personal token); keep it in the keyring or for the session.

    `keyring_name`/`keyring_ok` come from secrets.backend_description(), looked up before opening."""

    stored = Signal(str)  # where the token went ("session" or the keyring's name)

    def __init__(self, ctx: AppContext, keyring_name: str, keyring_ok: bool, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.keyring_ok = keyring_ok
        profile = ctx.profile()
        self.setWindowTitle(f"Token for {profile.name}")
        self.setAccessibleName("Token dialog")
        self.setMinimumWidth(520)

        intro = QLabel(
            f"Paste an Axiom API token (<b>xaat-…</b>) or a personal access token (<b>xapt-…</b>) "
            f"for <b>{profile.name}</b>. An API token with ingest permission is enough to send data.",
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.RichText)
        help_text = connect.token_help(profile)  # where to create one, which permissions: core's words
        self.help_label = QLabel("<br>".join(html.escape(t) for t in help_text), self)
        self.help_label.setWordWrap(True)
        self.help_label.setTextFormat(Qt.RichText)
        self.help_label.setAccessibleName("Where to create a token")
        self.help_label.setAccessibleDescription(" ".join(help_text))
        self.help_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.token_edit = QLineEdit(self)
        self.token_edit.setEchoMode(QLineEdit.Password)
        self.token_edit.setPlaceholderText("xaat-…")
        self.token_edit.setAccessibleName("Token")
        self.token_edit.setToolTip("The token is sent only in the Authorization header, never stored in a file")
        self.token_edit.textChanged.connect(self._on_token_changed)

        self.show_button = QPushButton("Show", self)
        self.show_button.setCheckable(True)
        self.show_button.setAccessibleName("Show token")
        self.show_button.setToolTip("Show or hide the token while you check it")
        self.show_button.toggled.connect(
            lambda on: self.token_edit.setEchoMode(QLineEdit.Normal if on else QLineEdit.Password)
        )

        self.org_edit = QLineEdit(profile.org_id, self)
        self.org_edit.setPlaceholderText("your-org-id")
        self.org_edit.setAccessibleName("Organization ID")
        self.org_edit.setToolTip("Personal access tokens need the organization ID (Settings → Organization)")
        self.org_label = QLabel("Organization ID:", self)

        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.show_button)
        form = QFormLayout()
        form.addRow("Token:", token_row)
        form.addRow(self.org_label, self.org_edit)

        if keyring_ok:
            where = f"The token will be stored in <b>{keyring_name}</b>."
        else:
            where = (
                "<b>No secure keyring is available on this system</b> (no Secret Service, Keychain "
                "or Credential Manager). The token can be kept in memory for this session only; "
                "it is never written to a file. You will paste it again next time."
            )
        self.storage_label = QLabel(where, self)
        self.storage_label.setWordWrap(True)
        self.storage_label.setTextFormat(Qt.RichText)
        self.storage_label.setAccessibleName("Where the token will be kept")

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Token problem")
        self.error_label.hide()

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("Save in keyring", QDialogButtonBox.AcceptRole)
        self.save_button.setAccessibleName("Save in keyring")
        self.save_button.setToolTip(f"Store the token in {keyring_name}")
        self.session_button = self.buttons.addButton("Keep for this session only", QDialogButtonBox.AcceptRole)
        self.session_button.setAccessibleName("Keep for this session only")
        self.session_button.setToolTip("Keep the token in memory until Axiom Drop quits")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        self.save_button.setVisible(keyring_ok)
        self.save_button.clicked.connect(lambda: self._store(session_only=False))
        self.session_button.clicked.connect(lambda: self._store(session_only=True))
        self.cancel_button.clicked.connect(self.reject)
        if keyring_ok:
            self.save_button.setDefault(True)
        else:
            self.session_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.help_label)
        layout.addLayout(form)
        layout.addWidget(self.storage_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._on_token_changed("")
        self.task: asyncio.Task | None = None

    def _on_token_changed(self, text: str) -> None:
        personal = text.strip().startswith("xapt-")
        self.org_label.setVisible(personal)
        self.org_edit.setVisible(personal)
        ok = bool(text.strip())
        self.save_button.setEnabled(ok)
        self.session_button.setEnabled(ok)

    def showEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        grow_to_fit(self)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        grow_to_fit(self)

    def _store(self, session_only: bool) -> None:
        token = self.token_edit.text().strip()
        if not token:
            return
        if token.startswith("xapt-") and not self.org_edit.text().strip():
            self.show_error("A personal access token (xapt-…) needs the organization ID.")
            return
        self.save_button.setEnabled(False)
        self.session_button.setEnabled(False)
        self.task = self.ctx.tasks.spawn(self._store_async(token, session_only), "store token")

    async def _store_async(self, token: str, session_only: bool) -> None:
        try:
            where = await self.ctx.store_token(token, org_id=self.org_edit.text(), session_only=session_only)
        except secrets.NoSecureKeyring as e:
            self.keyring_ok = False
            self.save_button.hide()
            self.show_error(f"{e} Choose “Keep for this session only”.")
            self._on_token_changed(token)
            return
        except asyncio.TimeoutError:
            self.show_error("The keyring did not answer within 10 s (is it locked?). Unlock it and try again.")
            self._on_token_changed(token)
            return
        self.token_edit.clear()  # do not leave the token in a widget longer than needed
        self.stored.emit(where)
        self.accept()


class ConnectionBar(QWidget):
    """Profile selector · connection state · token storage · Token… · Sign out."""

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Connection")
        self.profile_combo = QComboBox(self)
        self.profile_combo.setAccessibleName("Profile")
        self.profile_combo.setToolTip("Where to send data: the local sandbox, Axiom US or EU, or a custom URL")
        self.profile_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)

        self.state_label = ElidedLabel("", self, Qt.TextElideMode.ElideRight)  # the full text is its tooltip
        self.state_label.setAccessibleName("Connection state")
        self.state_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.storage_label = QLabel(self)
        self.storage_label.setAccessibleName("Token storage")
        self.storage_label.setToolTip("Where the token for this profile is kept")

        self.reconnect_button = QPushButton("Reconnect", self)
        self.reconnect_button.setAccessibleName("Reconnect")
        self.reconnect_button.setToolTip("Check the connection again and re-list datasets")
        self.token_button = QPushButton("Token…", self)
        self.token_button.setAccessibleName("Token")
        self.token_button.setToolTip("Paste a token for this profile")
        self.signout_button = QPushButton("Sign out", self)
        self.signout_button.setAccessibleName("Sign out")
        self.signout_button.setToolTip("Delete this profile's token from the keyring and from memory")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        profile_label = QLabel("&Profile:", self)
        profile_label.setBuddy(self.profile_combo)
        layout.addWidget(profile_label)
        layout.addWidget(self.profile_combo)
        layout.addWidget(self.state_label, 1)
        layout.addWidget(self.storage_label)
        layout.addWidget(self.reconnect_button)
        layout.addWidget(self.token_button)
        layout.addWidget(self.signout_button)

        self.dialog: TokenDialog | None = None
        self.custom_dialog: CustomUrlDialog | None = None
        self._fill_profiles()
        self.profile_combo.activated.connect(self._on_profile_activated)
        self.token_button.clicked.connect(self.open_token_dialog)
        self.signout_button.clicked.connect(lambda: ctx.tasks.spawn(ctx.sign_out(), "sign out"))
        self.reconnect_button.clicked.connect(ctx.reconnect)
        ctx.connectionChanged.connect(self._refresh)
        ctx.profileChanged.connect(self._fill_profiles)
        self._refresh()

    def _fill_profiles(self) -> None:
        combo = self.profile_combo
        combo.blockSignals(True)
        combo.clear()
        for p in self.ctx.settings.profiles:
            combo.addItem(p.name, p.name)
            tip = {"sandbox": "A local Axiom-compatible server on this machine: try everything without an account",
                   "us": "Axiom cloud, US East", "eu": "Axiom cloud, EU Central"}.get(p.kind, p.url)
            combo.setItemData(combo.count() - 1, tip, Qt.ToolTipRole)
        combo.addItem(CUSTOM_ITEM, None)
        combo.setItemData(combo.count() - 1, "Add an endpoint by its base URL", Qt.ToolTipRole)
        combo.setCurrentIndex(max(0, combo.findData(self.ctx.profile().name)))
        combo.blockSignals(False)

    def _on_profile_activated(self, index: int) -> None:
        name = self.profile_combo.itemData(index)
        if name is None:
            self._fill_profiles()  # back to the current profile until the dialog says otherwise
            self.open_custom_dialog()
        elif name != self.ctx.profile().name:
            self.ctx.set_profile(name)

    def _refresh(self) -> None:
        ctx = self.ctx
        self.state_label.setText(ctx.connection_message)
        self.state_label.setToolTip(f"{ctx.endpoint_label()}\n{ctx.connection_message}")
        self.storage_label.setText(ctx.token_storage_label())
        sandbox = ctx.profile().kind == "sandbox"
        self.token_button.setVisible(not sandbox)
        self.signout_button.setVisible(not sandbox)
        self.signout_button.setEnabled(ctx.token_storage not in ("none", "sandbox"))

    # --- custom URL ---------------------------------------------------------------------
    def open_custom_dialog(self) -> CustomUrlDialog:
        dlg = self.custom_dialog = CustomUrlDialog(self)
        dlg.accepted.connect(lambda: self.add_custom_url(dlg.url_edit.text(), dlg.name_edit.text(),
                                                         edge_url=dlg.edge_edit.text()))
        dlg.open()
        return dlg

    def add_custom_url(self, url: str, name: str = "", confirm_http=None, edge_url: str = "") -> bool:
        """Add and switch to a custom endpoint (with an optional edge URL for ingest). Plain http
        to another host needs a yes from the user; `confirm_http(url) -> bool` replaces the
        question box (tests)."""
        url, edge_url = url.strip().rstrip("/"), edge_url.strip().rstrip("/")
        problem = validate_url(url) or (validate_url(edge_url, "edge URL") if edge_url else None)
        if problem:
            self.ctx.status(problem, 8000)
            if confirm_http is None:  # interactive: say it where the user is looking
                QMessageBox.warning(self, "Custom URL", problem)
            return False
        allow_http = False
        for where in (u for u in (url, edge_url) if u and needs_http_confirmation(u)):
            ask = confirm_http or self._confirm_http
            if not ask(where):
                self.ctx.status("Custom URL not added: plain http was not confirmed", 8000)
                return False
            allow_http = True
        name = name.strip() or (urlsplit(url).hostname or url)
        if any(p.name == name and p.kind != "custom" for p in self.ctx.settings.profiles):
            name = f"{name} (custom)"
        self.ctx.add_custom_profile(name, url, allow_http=allow_http, edge_url=edge_url)
        self.ctx.set_profile(name)
        return True

    def _confirm_http(self, url: str) -> bool:
        box = QMessageBox(QMessageBox.Warning, "Send the token unencrypted?",
                          f"{url} uses plain http to another machine. Your token and data would travel "
                          "unencrypted and could be read on the network.", parent=self)
        yes = box.addButton("Use plain http anyway", QMessageBox.DestructiveRole)
        box.addButton(QMessageBox.Cancel)
        box.setDefaultButton(QMessageBox.Cancel)
        box.exec()
        return box.clickedButton() is yes

    # --- token ----------------------------------------------------------------------------
    def open_token_dialog(self) -> asyncio.Task:
        """Look up the keyring (off the GUI thread), then open the dialog."""
        return self.ctx.tasks.spawn(self._open_token_dialog(), "token dialog")

    async def _open_token_dialog(self) -> TokenDialog:
        self.token_button.setEnabled(False)
        try:
            name, ok = await self.ctx.run_blocking(secrets.backend_description, timeout=KEYRING_TIMEOUT)
        except Exception:
            name, ok = "none", False
        finally:
            self.token_button.setEnabled(True)
        dlg = self.dialog = TokenDialog(self.ctx, name, ok, self)
        dlg.stored.connect(lambda where: self.ctx.status(
            "Token kept for this session only" if where == "session" else f"Token stored in {where}"))
        dlg.open()
        return dlg
