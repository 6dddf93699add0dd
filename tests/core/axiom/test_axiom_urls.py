"""Where the token may go: plain http only to this machine (or when confirmed), redirects only
within one origin, and never into a message, a repr, a URL or a log line."""

from __future__ import annotations

import logging
import socket

import pytest
from aiohttp import web
from axiom_servers import INGEST_OK, NDJSON, call, ok_json, run, sb_endpoint

from app.core import config
from app.core.axiom import (AuthError, AxiomClient, AxiomError, CredentialsInURL, Endpoint, ErrorKind, InsecureURL,
                             client_from_env, is_loopback_url)


def test_endpoint_for_each_profile_kind():
    sb = Endpoint.for_profile(config.Profile("Local sandbox", "sandbox"), "http://127.0.0.1:5080/")
    assert (sb.api_url, sb.ingest_url) == ("http://127.0.0.1:5080", "http://127.0.0.1:5080")
    us = Endpoint.for_profile(config.Profile("US", "us"))
    assert (us.api_url, us.ingest_url) == ("https://api.axiom.co", "https://us-east-1.aws.edge.axiom.co")
    eu = Endpoint.for_profile(config.Profile("EU", "eu"))
    assert eu.ingest_url == "https://eu-central-1.aws.edge.axiom.co"
    custom = Endpoint.for_profile(config.Profile("Proxy", "custom", url="https://axiom.example.com/base/"))
    assert (custom.api_url, custom.ingest_url) == ("https://axiom.example.com/base", "https://axiom.example.com/base")
    plain = Endpoint.for_profile(config.Profile("Plain", "custom", url="http://axiom.example.com"))
    with pytest.raises(InsecureURL):
        AxiomClient(plain, "xaat-secret-token-1234")


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.5:8080", "http://axiom.internal/"])
def test_plain_http_to_another_machine_is_refused(url):
    with pytest.raises(InsecureURL, match="unencrypted"):
        AxiomClient(Endpoint(url, url), "xaat-secret-token-1234")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "http://127.1.2.3", "http://localhost:5080", "http://[::1]:5080", "https://example.com"])
def test_loopback_http_and_https_are_accepted(url):
    client = AxiomClient(Endpoint(url, url), "xaat-secret-token-1234")
    run(client.aclose())


def test_plain_http_allowed_when_the_user_confirmed():
    client = AxiomClient(Endpoint("http://axiom.internal", "http://axiom.internal"), "xaat-t", allow_http=True)
    assert client.endpoint.api_url == "http://axiom.internal"
    run(client.aclose())


def test_client_from_env(monkeypatch):
    with pytest.raises(AuthError, match="AXIOM_TOKEN"):
        client_from_env({})
    c = client_from_env({"AXIOM_TOKEN": "xaat-env-secret-999"})
    assert (c.endpoint.api_url, c.endpoint.ingest_url) == (config.API_URL, config.EDGE_URLS["us"])
    run(c.aclose())
    c = client_from_env({"AXIOM_TOKEN": "xapt-env-secret-999", "AXIOM_URL": "http://127.0.0.1:5080/", "AXIOM_ORG_ID": "acme"})
    assert (c.endpoint.api_url, c.endpoint.ingest_url) == ("http://127.0.0.1:5080", "http://127.0.0.1:5080")
    assert c.org_id == "acme" and c.token_kind == "personal"
    assert "xapt-env-secret-999" not in repr(c)
    run(c.aclose())
    monkeypatch.setenv("AXIOM_TOKEN", "xaat-from-os-environ")
    monkeypatch.delenv("AXIOM_URL", raising=False)
    c = client_from_env()
    assert c.token_kind == "api"
    run(c.aclose())
    with pytest.raises(InsecureURL):
        client_from_env({"AXIOM_TOKEN": "xaat-x", "AXIOM_URL": "http://axiom.example.com"})


@pytest.mark.parametrize("url", ["http://user:hunter2@127.0.0.1:9", "https://user:hunter2@axiom.example.com",
                                 "https://hunter2@axiom.example.com/base", "ftp://user:hunter2@example.com",
                                 "http://user:hunter2@axiom.example.com"])
def test_user_info_in_a_url_is_refused_without_repeating_it(url):
    """httpx would sign in with them instead of the token; the message must not show the password."""
    with pytest.raises(CredentialsInURL) as err:
        AxiomClient(Endpoint(url, url), "xaat-secret-token-1234", allow_http=True)
    assert "hunter2" not in str(err.value) and "user name or password" in str(err.value)
    assert err.value.kind is ErrorKind.INSECURE_URL
    with pytest.raises(CredentialsInURL):
        client_from_env({"AXIOM_TOKEN": "xaat-x", "AXIOM_URL": url})


def test_a_same_host_redirect_with_user_info_is_not_followed(recorder):
    async def handler(request, body):
        host, port = request.host.split(":")
        raise web.HTTPTemporaryRedirect(f"http://user:hunter2@{host}:{port}/v1/ingest/other")

    srv = recorder(handler)
    err = call(Endpoint(srv.url, srv.url), "xaat-keep-bearer", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert err.kind is ErrorKind.REDIRECT and "hunter2" not in str(err)
    assert len(srv.requests) == 1


def test_redirect_to_another_host_does_not_carry_the_token(recorder):
    other = recorder(host="localhost") if _localhost_works() else recorder()

    async def redirector(request, body):
        raise web.HTTPTemporaryRedirect(f"{other.url}/v1/ingest/stolen")

    first = recorder(redirector)
    err = call(Endpoint(first.url, first.url), "xaat-do-not-leak", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert type(err) is AxiomError and err.status == 307
    assert "redirected to another host" in str(err)
    assert len(first.requests) == 1
    assert other.requests == []  # not followed at all, so nothing (and no token) reached it
    assert "xaat-do-not-leak" not in str(err)


def _localhost_works():
    try:
        socket.getaddrinfo("localhost", 80)
        return True
    except OSError:
        return False


def test_same_host_redirect_is_followed_with_the_token(recorder):
    async def handler(request, body):
        if request.path.startswith("/old"):
            raise web.HTTPPermanentRedirect("/new" + request.path[4:])
        return ok_json(INGEST_OK)

    srv = recorder(handler)
    res = call(Endpoint(srv.url + "/old", srv.url + "/old"), "xaat-follow", "ingest", "d", b'{"a":1}\n', content_type=NDJSON)
    assert res.ingested == 2
    assert [r["path"] for r in srv.requests] == ["/old/v1/ingest/d", "/new/v1/ingest/d"]
    assert srv.requests[1]["headers"]["Authorization"] == "Bearer xaat-follow"
    assert srv.requests[1]["body"] == b'{"a":1}\n'


def test_token_never_in_messages_or_repr(recorder):
    token = "xaat-super-secret-0042"

    async def handler(request, body):
        return ok_json({"message": f"token {token} is revoked"}, status=401)

    srv = recorder(handler)
    client = AxiomClient(Endpoint(srv.url, srv.url), token)
    assert token not in repr(client) and "hidden" in repr(client)
    run(client.aclose())
    err = call(Endpoint(srv.url, srv.url), token, "ingest", "d", b"{}\n", content_type=NDJSON)
    assert isinstance(err, AuthError)
    assert token not in str(err) and token not in repr(err) and token not in (err.detail or "")
    assert all(token not in r["path"] and token not in str(r["query"]) for r in srv.requests)


def test_token_not_in_debug_logs(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    call(sb_endpoint(sandbox), sandbox.token, "ingest", "logged", b'{"a":1}\n', content_type=NDJSON)
    call(sb_endpoint(sandbox), sandbox.token, "list_datasets")
    sandbox.faults.script = ["drop-response"]
    call(sb_endpoint(sandbox), sandbox.token, "ingest", "logged", b'{"a":2}\n', content_type=NDJSON)
    assert "httpcore" in caplog.text or "httpx" in caplog.text  # the HTTP stack did log
    assert sandbox.token not in caplog.text


@pytest.mark.parametrize("url", ["http://localhost:5080", "http://LOCALHOST", "http://sandbox.localhost:5080/x",
                                 "http://127.0.0.1:9", "http://127.1.2.3", "http://[::1]:5080", "https://localhost"])
def test_loopback_urls(url):
    """The one loopback check: what either of the two former copies accepted (the client's with
    *.localhost, the window's without) is this machine."""
    assert is_loopback_url(url)


@pytest.mark.parametrize("url", [None, "", "http://example.com", "http://10.0.0.5:8080", "http://localhost.example.com",
                                 "http://mylocalhost", "http://[::2]", "not a url"])
def test_not_loopback_urls(url):
    assert not is_loopback_url(url)
