"""The token store: the keyring API for real, and a refusal (not a file) when none is secure."""

import pytest

from app.core import secrets


def test_token_round_trip_through_keyring(memory_keyring):
    secrets.set_token("Axiom US", "xaat-test-token")
    assert memory_keyring.store[("axiom-drop", "Axiom US")] == "xaat-test-token"
    assert secrets.get_token("Axiom US") == "xaat-test-token"
    secrets.delete_token("Axiom US")
    assert secrets.get_token("Axiom US") is None
    secrets.delete_token("Axiom US")  # signing out twice is fine


def test_no_secure_keyring_is_refused_not_written_to_a_file(tmp_path):
    import keyring.backends.fail

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        assert secrets.backend_description() == ("none", False)
        with pytest.raises(secrets.NoSecureKeyring, match="session only"):
            secrets.set_token("Axiom US", "xaat-secret")
    finally:
        keyring.set_keyring(previous)


def test_session_tokens_live_in_memory():
    store = secrets.SessionTokens()
    store.set("p", "xaat-1")
    assert store.get("p") == "xaat-1"
    store.delete("p")
    assert store.get("p") is None
