"""The token store: the OS keyring, or memory for this session only. Never a file.

These functions block (a keyring may prompt to unlock): the window calls them off the GUI
thread with a timeout. The backend is looked up on every call, not once at start-up, so a
keyring that appears later (a user unlocking their session) is used.
"""

from __future__ import annotations

import threading

import keyring
import keyring.errors

SERVICE = "axiom-drop"

# Backends that store nothing safely: keyrings.alt's plaintext and "encrypted" files, the fail and
# null backends. Using one of them would put the token in a file; we refuse instead.
_INSECURE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer")


class NoSecureKeyring(Exception):
    """No secure OS keyring is reachable (a headless Linux box without a Secret Service)."""


def _backend():
    backend = keyring.get_keyring()
    # The chainer delegates to the first usable backend; report what it really uses.
    backends = getattr(backend, "backends", None)
    if backends:
        secure = [b for b in backends if not type(b).__module__.startswith(_INSECURE_MODULES)]
        if secure:
            return secure[0]
    return backend


def backend_description() -> tuple[str, bool]:
    """(A name a person understands, whether it stores secrets securely)."""
    backend = _backend()
    module = type(backend).__module__
    secure = not module.startswith(_INSECURE_MODULES) and getattr(backend, "priority", 0) > 0
    names = {
        "keyring.backends.SecretService": "Secret Service (GNOME Keyring / KWallet)",
        "keyring.backends.kwallet": "KWallet",
        "keyring.backends.macOS": "macOS Keychain",
        "keyring.backends.Windows": "Windows Credential Manager",
        "keyring.backends.libsecret": "Secret Service (libsecret)",
    }
    name = names.get(module, getattr(backend, "name", type(backend).__name__))
    return (name if secure else "none"), secure


def _secure_backend():
    backend = _backend()
    if not backend_description()[1]:
        raise NoSecureKeyring(
            "No secure keyring is available on this system (no Secret Service, Keychain or "
            "Credential Manager). The token can be kept for this session only."
        )
    return backend


def get_token(profile_name: str) -> str | None:
    try:
        return _secure_backend().get_password(SERVICE, profile_name)
    except keyring.errors.KeyringError as e:
        raise NoSecureKeyring(f"The keyring could not be read: {type(e).__name__}") from None


def set_token(profile_name: str, token: str) -> None:
    try:
        _secure_backend().set_password(SERVICE, profile_name, token)
    except keyring.errors.KeyringError as e:
        raise NoSecureKeyring(f"The keyring refused to store the token: {type(e).__name__}") from None


def delete_token(profile_name: str) -> None:
    try:
        _secure_backend().delete_password(SERVICE, profile_name)
    except keyring.errors.PasswordDeleteError:
        pass  # nothing stored: already signed out
    except keyring.errors.KeyringError as e:
        raise NoSecureKeyring(f"The keyring could not delete the token: {type(e).__name__}") from None


class SessionTokens:
    """Tokens the user chose to keep for this session only: in memory, gone at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, str] = {}

    def get(self, profile_name: str) -> str | None:
        with self._lock:
            return self._tokens.get(profile_name)

    def set(self, profile_name: str, token: str) -> None:
        with self._lock:
            self._tokens[profile_name] = token

    def delete(self, profile_name: str) -> None:
        with self._lock:
            self._tokens.pop(profile_name, None)


SESSION_TOKENS = SessionTokens()
