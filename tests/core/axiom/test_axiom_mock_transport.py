"""The transport seam: with an httpx.MockTransport in place of the network the client sends the
same requests and parses the answers the same way; and every failure carries its ErrorKind."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest

from app.core.axiom import (
    AuthError,
    AxiomClient,
    AxiomError,
    BadRequest,
    Conflict,
    DatasetMissing,
    Endpoint,
    ErrorKind,
    IngestOptions,
    InsecureURL,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
    kind_for_status,
)

API = Endpoint("https://api.axiom.co", "https://us-east-1.aws.edge.axiom.co")
TOKEN = "xaat-mock-transport-7"


def call(handler, method, *args, endpoint=API, token=TOKEN, org_id=None, **kw):
    """One call on a client whose network is `handler`; the result or the AxiomError."""
    async def go():
        async with AxiomClient(endpoint, token, org_id, transport=httpx.MockTransport(handler)) as client:
            try:
                return await getattr(client, method)(*args, **kw)
            except AxiomError as err:
                return err

    return asyncio.run(go())


def answer(status, body=b"", **headers):
    return lambda request: httpx.Response(status, content=body, headers=headers)


def test_a_mock_transport_answers_and_the_client_parses_it():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"ingested": 3, "failed": 1, "processedBytes": 42,
                "failures": [{"timestamp": "2024-05-01T00:00:00Z", "error": "bad field"}]}
        return httpx.Response(200, content=orjson.dumps(body), headers={
            "X-Axiom-Trace-Id": "t-1", "X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "12",
            "X-RateLimit-Reset": "1900000000", "X-IngestLimit-Limit": "5000"})

    res = call(handler, "ingest", "web logs", b'{"a":1}\n', content_type="application/x-ndjson",
               content_encoding="zstd", options=IngestOptions(timestamp_field="ts", labels={"env": "prod"}))
    assert (res.ingested, res.failed, res.processed_bytes, res.trace_id) == (3, 1, 42, "t-1")
    assert res.failures == [{"timestamp": "2024-05-01T00:00:00Z", "error": "bad field"}]
    assert (res.rate_limit.limit, res.rate_limit.remaining, res.rate_limit.reset) == (600, 12, 1900000000)
    assert res.ingest_limit.limit == 5000
    (req,) = seen
    assert str(req.url) == "https://us-east-1.aws.edge.axiom.co/v1/ingest/web%20logs?timestamp-field=ts"
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    assert req.headers["Content-Encoding"] == "zstd"
    assert req.headers["X-Axiom-Event-Labels"] == '{"env":"prod"}'
    assert req.headers["User-Agent"].startswith("axiom-drop/")
    assert req.content == b'{"a":1}\n'


def test_datasets_through_the_transport_route_ingest_to_their_edge():
    paths = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(f"{request.url.host}{request.url.path}")
        if request.url.path == "/v2/datasets":
            return httpx.Response(200, json=[{"name": "eu", "edgeDeploymentUrl": "https://eu.example.com/"}])
        return httpx.Response(200, json={"ingested": 1, "failed": 0})

    async def go():
        async with AxiomClient(API, TOKEN, transport=httpx.MockTransport(handler)) as client:
            (ds,) = await client.list_datasets()
            await client.ingest("eu", b"{}\n", content_type="application/x-ndjson")
            return ds

    assert asyncio.run(go()).edge_url == "https://eu.example.com"
    assert paths == ["api.axiom.co/v2/datasets", "eu.example.com/v1/ingest/eu"]


def test_a_given_transport_needs_no_tls_context_and_no_proxy(monkeypatch, tmp_path):
    # Either would fail a real client's first request here: unreadable CA certificates, a dead proxy.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert call(answer(200, b"[]"), "list_datasets") == []


@pytest.mark.parametrize("status, kind, cls", [
    (400, ErrorKind.BAD_REQUEST, BadRequest),
    (401, ErrorKind.AUTH, AuthError),
    (403, ErrorKind.FORBIDDEN, AuthError),
    (404, ErrorKind.NOT_FOUND, NotFound),
    (409, ErrorKind.CONFLICT, Conflict),
    (413, ErrorKind.TOO_LARGE, TooLarge),
    (429, ErrorKind.RATE_LIMITED, RateLimited),
    (430, ErrorKind.QUOTA, RateLimited),
    (500, ErrorKind.SERVER, ServerError),
    (502, ErrorKind.SERVER, ServerError),
    (503, ErrorKind.SERVER, ServerError),
    (418, ErrorKind.UNEXPECTED, AxiomError),
    (431, ErrorKind.UNEXPECTED, AxiomError),
])
def test_each_status_becomes_its_kind(status, kind, cls):
    assert kind_for_status(status) is kind
    err = call(answer(status, b'{"message": "no"}'), "ingest", "d", b"{}\n", content_type="application/x-ndjson")
    if status == 404:  # on ingest a 404 means the dataset does not exist (Axiom never makes one there)
        cls, kind = DatasetMissing, ErrorKind.DATASET_MISSING
        other = call(answer(status, b'{"message": "no"}'), "get_dataset", "d")
        assert type(other) is NotFound and other.kind is ErrorKind.NOT_FOUND
    assert type(err) is cls and err.kind is kind and err.status == status
    assert err.detail == "no"


def test_the_flags_agree_with_the_kind():
    forbidden = call(answer(403), "list_datasets")
    refused = call(answer(401), "list_datasets")
    quota = call(answer(430), "list_datasets")
    rate = call(answer(429), "list_datasets")
    assert (forbidden.kind, forbidden.forbidden) == (ErrorKind.FORBIDDEN, True)
    assert (refused.kind, refused.forbidden) == (ErrorKind.AUTH, False)
    assert (quota.kind, quota.quota) == (ErrorKind.QUOTA, True)
    assert (rate.kind, rate.quota) == (ErrorKind.RATE_LIMITED, False)


@pytest.mark.parametrize("exc, maybe_sent", [
    (httpx.ConnectError("refused"), False),
    (httpx.ConnectTimeout("slow"), False),
    (httpx.WriteError("broken pipe"), False),
    (httpx.ReadTimeout("no answer"), True),
    (httpx.RemoteProtocolError("closed without a response"), True),
])
def test_network_failures_are_transport_errors(exc, maybe_sent):
    def handler(request):
        raise exc

    err = call(handler, "ingest", "d", b"{}\n", content_type="application/x-ndjson")
    assert type(err) is TransportError and err.kind is ErrorKind.TRANSPORT
    assert err.maybe_sent is maybe_sent
    assert err.__cause__ is None and err.__context__ is None


def test_redirects_not_followed_are_their_own_kind():
    away = call(answer(307, Location="https://elsewhere.example.com/v2/datasets"), "list_datasets")
    assert type(away) is AxiomError and away.kind is ErrorKind.REDIRECT and away.status == 307
    loop = call(answer(308, Location="/v2/datasets"), "list_datasets")
    assert loop.kind is ErrorKind.REDIRECT and "too many redirects" in str(loop)


def test_an_unreadable_answer_is_unexpected():
    err = call(answer(200, b"<html>maintenance</html>"), "list_datasets")
    assert type(err) is AxiomError and err.kind is ErrorKind.UNEXPECTED and err.status == 200


def test_errors_before_any_request_have_kinds_too(monkeypatch, tmp_path):
    with pytest.raises(InsecureURL) as insecure:
        AxiomClient(Endpoint("http://example.com", "http://example.com"), TOKEN)
    assert insecure.value.kind is ErrorKind.INSECURE_URL
    with pytest.raises(AuthError) as no_token:
        AxiomClient(API, "  ")
    assert no_token.value.kind is ErrorKind.AUTH
    sent = []
    no_org = call(lambda r: sent.append(r) or httpx.Response(200), "list_datasets", token="xapt-personal")
    assert no_org.kind is ErrorKind.AUTH and sent == []
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))

    async def tls():
        async with AxiomClient(API, TOKEN) as client:
            with pytest.raises(AxiomError) as err:
                await client.prepare()
            return err.value

    assert asyncio.run(tls()).kind is ErrorKind.TLS


def test_every_string_the_server_sends_back_is_scrubbed_of_the_token():
    """A server that echoes the Authorization header wherever it can: in a 200's failures and
    messages, a trace id, a reason phrase, a JSON escape, an HTML character reference, a dataset's
    fields. None of it leaves the client with the token in it."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)

    def echo(request: httpx.Request) -> httpx.Response:
        auth = request.headers["Authorization"]
        if request.url.path == "/v2/datasets":
            body = f'[{{"name": "ds", "description": "{escaped}", "kind": "{auth}"}}]'.encode()
            return httpx.Response(200, content=body)
        body = {"ingested": 1, "failed": 1, "processedBytes": 1,
                "failures": [{"timestamp": "2024-05-01T00:00:00Z", "error": f"bad ({auth})"}],
                "messages": [{"priority": "warn", "code": auth, "count": 1, "msg": f"echo {auth}"}]}
        return httpx.Response(200, json=body, headers={"X-Axiom-Trace-Id": auth},
                              extensions={"reason_phrase": auth.encode()})

    res = call(echo, "ingest", "d", b"{}\n{}\n", content_type="application/x-ndjson")
    assert (res.ingested, res.failed) == (1, 1)
    assert res.failures[0]["error"] == "bad (Bearer [token])" and res.warnings[0]["msg"] == "echo Bearer [token]"
    assert res.trace_id == "Bearer [token]"
    assert TOKEN not in repr(res)
    (ds,) = call(echo, "list_datasets")
    assert TOKEN not in repr(ds) and ds.description == "[token]"

    entity = "".join(f"&#{ord(c)};" for c in TOKEN)
    for handler in (answer(500, f"<html><p>{entity}</p></html>".encode()),
                    answer(400, f'{{"message": "bad header {escaped}"}}'.encode()),
                    answer(200, f"<html>{TOKEN}</html>".encode()),
                    answer(503, b"busy", **{"X-Axiom-Trace-Id": TOKEN})):
        err = call(handler, "ingest", "d", b"{}\n", content_type="application/x-ndjson")
        assert isinstance(err, AxiomError)
        seen = " ".join(str(v) for v in (err.message, err.detail, err.trace_id, repr(err)))
        assert TOKEN not in seen and "[token]" in seen, seen
