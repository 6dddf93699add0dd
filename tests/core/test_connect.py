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


def _access(client):
    async def go():
        try:
            return await connect.list_datasets(client)
        finally:
            await client.aclose()
    return asyncio.run(go())


def _client(sb, token, org_id=None):
    return connect.client_for(config.Profile("Mine", "custom", url=sb.url), token, org_id=org_id)


@pytest.mark.parametrize("refused_status", [401, 403])
def test_a_revoked_token_reads_as_refused_never_as_ingest_only(tmp_path, refused_status):
    """Axiom answers 401 or 403 for a bad token: neither may read as "this token can only ingest"."""
    with Sandbox(tmp_path / "sb", refused_status=refused_status) as sb:
        api = _access(_client(sb, "xaat-revoked"))
        personal = _access(_client(sb, "xapt-revoked", org_id=sb.org_id))
        paths = [r["path"] for r in sb.requests_log]
    if refused_status == 401:
        assert (api.state, api.message) == ("error", "The token was refused (401): check it or paste a new one")
    else:  # no endpoint checks an API token: say both readings, let the first upload decide
        assert api.state == "limited" and api.can_list is False
        assert api.message == "Could not list datasets (403); the first upload will check the token"
    assert personal.state == "error" and personal.message.startswith(f"The token was refused ({refused_status})")
    assert "/v2/user" in paths if refused_status == 403 else "/v2/user" not in paths


def test_an_ingest_only_token_is_not_called_ingest_only_without_proof(tmp_path):
    with Sandbox(tmp_path / "sb", ingest_only=True) as sb:
        sb.create_dataset("logs")
        access = _access(_client(sb, sb.token))
    assert (access.state, access.can_list, access.datasets) == ("limited", False, [])
    assert "ingest" not in access.message and "the first upload will check the token" in access.message


def test_a_valid_personal_token_of_another_org_is_told_to_check_the_org_id(tmp_path):
    with Sandbox(tmp_path / "sb", org_id="acme") as sb:
        access = _access(_client(sb, sb.personal_token, org_id="not-acme"))
        ok = _access(_client(sb, sb.personal_token, org_id="acme"))
    assert access.state == "limited" and "check the organization ID" in access.message
    assert ok.state == "connected" and ok.message == "Connected — 0 datasets"


def test_listing_leaves_out_otel_datasets(tmp_path):
    with Sandbox(tmp_path / "sb") as sb:
        sb.create_dataset("logs")
        sb._store.create("traces", "", "otel:traces:v1", who="t")
        access = _access(_client(sb, sb.token))
    assert [d.name for d in access.datasets] == ["logs"] and access.message == "Connected — 1 dataset"


def test_a_personal_token_without_the_org_id_is_told_so(tmp_path):
    with Sandbox(tmp_path / "sb") as sb:
        access = _access(_client(sb, sb.personal_token))
        assert sb.requests_log == []
    assert access.state == "error" and access.message.startswith("A personal access token needs the organization ID")
