"""connect: profile → token → client, for the window and the CLI alike."""

from __future__ import annotations

import asyncio

import keyring
import pytest

from app.core import config, connect, secrets
from app.sandbox import Sandbox


def lists_datasets(client) -> bool:
    """The client reaches its server with a token the server accepts."""
    async def go():
        try:
            return isinstance(await client.list_datasets(), list)
        finally:
            await client.aclose()
    return asyncio.run(go())


@pytest.fixture
def sandbox(tmp_path):
    with Sandbox(tmp_path / "sb") as sb:
        yield sb


def test_sandbox_client(sandbox):
    sb = sandbox
    client = connect.sandbox_client(sb)
    assert (client.endpoint.api_url, client.endpoint.ingest_url) == (sb.url, sb.url)
    assert lists_datasets(client)
    profile = config.Profile(connect.SANDBOX_PROFILE, "sandbox")
    assert connect.client_for(profile, sb.token, sandbox_url=sb.url + "/").endpoint == client.endpoint
    with pytest.raises(ValueError, match="not running"):
        connect.client_for(profile, "xaat-x")


def test_env_token_comes_first(memory_keyring, monkeypatch, sandbox):
    secrets.set_token("Axiom US", "xaat-stored")
    monkeypatch.setenv("AXIOM_TOKEN", "xaat-env")
    assert connect.token_for(config.Profile("Axiom US", "us")) == "xaat-env"
    assert connect.env_client().endpoint.ingest_url == config.EDGE_URLS["us"]
    monkeypatch.setenv("AXIOM_URL", sandbox.url)
    monkeypatch.setenv("AXIOM_TOKEN", sandbox.token)
    assert lists_datasets(connect.env_client())


def test_profile_token_from_the_keyring(memory_keyring, sandbox):
    profile = config.Profile("Mine", "custom", url=sandbox.url)
    secrets.set_token(profile.name, sandbox.token)
    assert connect.token_for(profile) == sandbox.token
    assert connect.read_token(profile.name) == (sandbox.token, secrets.backend_description()[0])
    assert lists_datasets(connect.client_for(profile, connect.token_for(profile)))
    eu = config.Profile("Axiom EU", "eu", org_id="org-1")
    client = connect.client_for(eu, "xapt-x", org_id="org-from-env")
    assert client.endpoint.ingest_url == config.EDGE_URLS["eu"]
    assert client.org_id == "org-1"  # the profile's org ID wins over AXIOM_ORG_ID
    assert connect.client_for(config.Profile("Axiom EU", "eu"), "xapt-x", org_id="org-2").org_id == "org-2"


def test_session_token_before_the_keyring(memory_keyring):
    secrets.set_token("p", "xaat-stored")
    secrets.SESSION_TOKENS.set("p", "xaat-session")
    try:
        assert connect.read_token("p") == ("xaat-session", "session")
    finally:
        secrets.SESSION_TOKENS.delete("p")
    assert connect.read_token("nobody") == (None, "none")


def test_missing_token_messages(memory_keyring):
    with pytest.raises(connect.ConnectError) as e:
        connect.token_for(config.Profile("Axiom US", "us"))
    assert e.value.message == "no token stored for profile 'Axiom US': add one in the window, or set AXIOM_TOKEN"
    with pytest.raises(connect.ConnectError) as e:
        connect.env_client()
    assert e.value.message == ("no token: set AXIOM_TOKEN (and AXIOM_URL, AXIOM_ORG_ID as needed), "
                               "or use --profile NAME, or --sandbox to try it locally")


def test_no_secure_keyring(monkeypatch):
    import keyring.backends.null

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.null.Keyring())
    try:
        with pytest.raises(connect.ConnectError, match="No secure keyring.*Set AXIOM_TOKEN instead.$"):
            connect.token_for(config.Profile("Axiom US", "us"))
    finally:
        keyring.set_keyring(previous)


def test_unknown_profile():
    with pytest.raises(connect.ConnectError) as e:
        connect.find_profile(config.Settings(), "nope")
    assert e.value.message == "no profile named 'nope' (there are: Local sandbox, Axiom US, Axiom EU)"


def test_plain_http_to_a_remote_host_needs_consent():
    from app.core import axiom

    profile = config.Profile("proxy", "custom", url="http://axiom.example.com")
    with pytest.raises(axiom.InsecureURL):
        connect.client_for(profile, "xaat-x")
    assert connect.client_for(profile, "xaat-x", allow_http=True).endpoint.api_url == "http://axiom.example.com"
    profile.allow_http = True
    assert connect.client_for(profile, "xaat-x").allow_http
