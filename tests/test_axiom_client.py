"""The Axiom client over real loopback sockets: the sandbox for Axiom's behaviour, small aiohttp
servers for what only a test needs to see (request headers, redirects, edge routing, odd bodies)."""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone

import orjson
import pytest
import zstandard
from aiohttp import web

from app.core import config
from app.core.axiom import (
    AuthError,
    AxiomClient,
    AxiomError,
    BadRequest,
    Conflict,
    Endpoint,
    IngestOptions,
    InsecureURL,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
    client_from_env,
)
from app.core.job import wait_for_rate_limit
from app.core.sandbox import Sandbox

NDJSON = "application/x-ndjson"


def run(coro):
    return asyncio.run(coro)


async def _call(endpoint, token, method, *args, org_id=None, timeout=10.0, **kw):
    """Open a client, make one call, close it; return (result or error, client)."""
    client = AxiomClient(endpoint, token, org_id, timeout=timeout)
    try:
        return await getattr(client, method)(*args, **kw), client
    except AxiomError as err:
        return err, client
    finally:
        await client.aclose()


def call(endpoint, token, method, *args, **kw):
    return run(_call(endpoint, token, method, *args, **kw))[0]


# ---------------------------------------------------------------------------------------------
# A tiny recording server for what the sandbox does not emulate


class Recorder:
    """aiohttp on 127.0.0.1 in its own thread; `handler(request, body)` answers, every request
    is recorded (method, path, query, headers, body)."""

    def __init__(self, handler, host="127.0.0.1"):
        self.handler = handler
        self.host = host
        self.requests: list[dict] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())

    async def _serve(self):
        async def handle(request: web.Request):
            body = await request.read()
            self.requests.append(
                {"method": request.method, "path": request.path, "query": dict(request.query),
                 "headers": dict(request.headers), "body": body}
            )
            return await self.handler(request, body)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def ok_json(obj, status=200, headers=None):
    return web.Response(status=status, body=orjson.dumps(obj), content_type="application/json", headers=headers)


INGEST_OK = {"ingested": 2, "failed": 0, "processedBytes": 30, "blocksCreated": 0, "walLength": 0}


@pytest.fixture
def recorder():
    servers = []

    def make(handler=None, host="127.0.0.1"):
        async def default(request, body):
            return ok_json(INGEST_OK)

        server = Recorder(handler or default, host).start()
        servers.append(server)
        return server

    yield make
    for s in servers:
        s.stop()


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path, auto_create=True).start()
    yield sb
    sb.stop()


def sb_endpoint(sb):
    return Endpoint(sb.url, sb.url)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Endpoints and URLs


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


# ---------------------------------------------------------------------------------------------
# Ingest against the sandbox


def test_ingest_ndjson_with_timestamp_field_and_labels(sandbox):
    payload = b'{"ts":"2024-05-01T10:00:00Z","msg":"a","n":1}\n{"ts":"2024-05-01T10:00:01Z","msg":"b","n":2}\n'
    res = call(sb_endpoint(sandbox), sandbox.token, "ingest", "logs", payload, content_type=NDJSON,
               options=IngestOptions(timestamp_field="ts", labels={"source": "test", "host": "h1"}))
    assert (res.ingested, res.failed, res.failures) == (2, 0, [])
    assert res.processed_bytes == len(payload)
    events = sandbox.events("logs")
    assert [e["msg"] for e in events] == ["a", "b"]
    assert events[0]["n"] == 1  # NDJSON keeps JSON types
    assert events[0]["_time"].startswith("2024-05-01T10:00:00")
    assert all(e["source"] == "test" and e["host"] == "h1" for e in events)


def test_ingest_csv_without_header_with_fields_and_delimiter(sandbox):
    payload = b"2024-05-01T10:00:00Z;alice;3\n2024-05-01T10:00:01Z;bob;4\n"
    res = call(sb_endpoint(sandbox), sandbox.token, "ingest", "people", payload, content_type="text/csv",
               options=IngestOptions(csv_fields=["when", "name", "count"], csv_delimiter=";", timestamp_field="when"))
    assert res.ingested == 2
    events = sandbox.events("people")
    assert [(e["name"], e["count"]) for e in events] == [("alice", "3"), ("bob", "4")]  # CSV values are strings


def test_non_ascii_labels_and_csv_field_names(sandbox):
    res = call(sb_endpoint(sandbox), sandbox.token, "ingest", "intl", "21,5;Zürich\n".encode(), content_type="text/csv",
               options=IngestOptions(csv_fields=["température", "名前"], csv_delimiter=";", labels={"lieu": "Genève"}))
    assert res.ingested == 1
    (event,) = sandbox.events("intl")
    assert (event["température"], event["名前"], event["lieu"]) == ("21,5", "Zürich", "Genève")


@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
def test_compressed_bodies_are_accepted(sandbox, encoding):
    raw = b"".join(orjson.dumps({"i": i}) + b"\n" for i in range(500))
    body = gzip.compress(raw) if encoding == "gzip" else zstandard.ZstdCompressor().compress(raw)
    res = call(sb_endpoint(sandbox), sandbox.token, "ingest", "packed", body, content_type=NDJSON, content_encoding=encoding)
    assert res.ingested == 500
    assert res.processed_bytes == len(raw)  # uncompressed bytes, as billed
    assert [e["i"] for e in sandbox.events("packed")] == list(range(500))


def test_rate_limit_headers_are_kept_for_the_status_bar(sandbox):
    async def go():
        async with AxiomClient(sb_endpoint(sandbox), sandbox.token) as client:
            res = await client.ingest("rl", b'{"a":1}\n', content_type=NDJSON)
            return res, client.last_rate_limit, client.last_ingest_limit

    res, rl, il = run(go())
    assert rl is not None and rl.limit and rl.remaining is not None and rl.reset
    assert res.rate_limit == rl
    assert il is not None and il.limit and il.remaining is not None


def test_datasets_list_create_and_conflict(sandbox):
    ep = sb_endpoint(sandbox)
    created = call(ep, sandbox.token, "create_dataset", "web-logs", "from the test")
    assert created.name == "web-logs"
    again = call(ep, sandbox.token, "create_dataset", "web-logs")
    assert isinstance(again, Conflict) and again.status == 409
    assert "already exists" in str(again)
    names = [d.name for d in call(ep, sandbox.token, "list_datasets")]
    assert "web-logs" in names


# ---------------------------------------------------------------------------------------------
# Typed errors


def test_bad_event_gives_bad_request_with_index(sandbox):
    payload = b'{"a":1}\n{"a":2}\n{"a":\n{"a":4}\n'
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "bad", payload, content_type=NDJSON)
    assert isinstance(err, BadRequest) and err.status == 400
    assert err.event_index == 2
    assert sandbox.events("bad") == []  # a 400 stores nothing of the request


def test_wrong_token_is_401_with_actionable_message(sandbox):
    err = call(sb_endpoint(sandbox), "xaat-not-the-right-one", "ingest", "x", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, AuthError) and err.status == 401 and not err.forbidden
    assert str(err) == "the token was refused (401): check it or paste a new one"
    assert "xaat-not-the-right-one" not in str(err) + repr(err)


def test_ingest_only_token_may_not_list_datasets(tmp_path):
    sb = Sandbox(tmp_path, ingest_only=True).start()
    try:
        err = call(sb_endpoint(sb), sb.token, "list_datasets")
        res = call(sb_endpoint(sb), sb.token, "ingest", "typed-name", b'{"a":1}\n', content_type=NDJSON)
    finally:
        sb.stop()
    assert isinstance(err, AuthError) and err.forbidden and err.status == 403
    assert str(err).startswith("the token may not do this (403)") and "type the dataset name" in str(err)
    assert res.ingested == 1  # the first ingest is the check


def test_personal_token_ingests_through_the_legacy_endpoint(tmp_path):
    sb = Sandbox(tmp_path, org_id="acme").start()
    try:
        res = call(sb_endpoint(sb), sb.personal_token, "ingest", "pat-logs", b'{"a":1}\n{"a":2}\n',
                   content_type=NDJSON, org_id="acme")
        user = call(sb_endpoint(sb), sb.personal_token, "current_user", org_id="acme")
        wrong_org = call(sb_endpoint(sb), sb.personal_token, "ingest", "pat-logs", b'{"a":3}\n',
                         content_type=NDJSON, org_id="someone-else")
        paths = [r["path"] for r in sb.requests_log]
        stored = sb.events("pat-logs")
    finally:
        sb.stop()
    assert res.ingested == 2 and [e["a"] for e in stored] == [1, 2]
    assert paths[0] == "/v1/datasets/pat-logs/ingest"
    assert isinstance(user, dict) and user.get("id")
    assert isinstance(wrong_org, AuthError) and wrong_org.forbidden
    assert str(wrong_org) == "the token may not do this (403): it needs ingest permission on dataset 'pat-logs'"


def test_html_error_page_from_the_sandbox(sandbox):
    sandbox.faults.script = ["html-500"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "h", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, ServerError) and err.status == 500
    assert "500 Internal Server Error" in str(err) and "<" not in str(err)


def test_unknown_dataset_is_404_when_not_auto_created(tmp_path):
    sb = Sandbox(tmp_path, auto_create=False).start()
    try:
        err = call(sb_endpoint(sb), sb.token, "ingest", "nope", b'{"a":1}\n', content_type=NDJSON)
    finally:
        sb.stop()
    assert isinstance(err, NotFound) and err.status == 404
    assert "'nope' does not exist" in str(err)


def test_413_is_too_large(sandbox):
    sandbox.faults.script = ["413"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "big", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, TooLarge) and err.status == 413


def test_429_with_reset_header(sandbox):
    sandbox.faults.script = ["429:reset=2"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "rl", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, RateLimited) and err.status == 429 and not err.quota
    assert err.rate_limit is not None and err.rate_limit.reset
    assert 1.0 <= err.wait_seconds <= 3.0
    assert 1.0 <= wait_for_rate_limit(err) <= 3.0


def test_429_with_retry_after(sandbox):
    sandbox.faults.script = ["429:retry-after=1"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "rl", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, RateLimited)
    assert 0.0 < err.wait_seconds <= 1.0
    assert "rate limited (429)" in str(err)


def test_430_is_a_quota_rate_limit(sandbox):
    sandbox.faults.script = ["430"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "q", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, RateLimited) and err.quota and err.status == 430
    assert "monthly ingest limit" in str(err)


@pytest.mark.parametrize("code", ["500", "503"])
def test_5xx_is_server_error(sandbox, code):
    sandbox.faults.script = [code]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "s", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, ServerError) and err.status == int(code)
    # the next request goes through: faults are consumed one per request
    res = call(sb_endpoint(sandbox), sandbox.token, "ingest", "s", b'{"a":1}\n', content_type=NDJSON)
    assert res.ingested == 1


def test_dropped_response_may_have_been_stored(sandbox):
    sandbox.faults.script = ["drop-response"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "dr", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, TransportError) and err.maybe_sent is True
    assert len(sandbox.events("dr")) == 1  # indeed stored: resending would duplicate it


def test_connection_dropped_before_the_body_was_sent_is_not_a_possible_duplicate(sandbox):
    # The sandbox closes the socket before reading; a body far larger than the socket buffers
    # cannot have been written whole, so resending it cannot duplicate anything.
    sandbox.faults.script = ["drop-request"]
    big = b'{"a":1}\n' * 3_000_000
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "dq", big, content_type=NDJSON)
    assert isinstance(err, TransportError) and err.maybe_sent is False
    assert sandbox.events("dq") == []


def test_read_timeout_may_have_been_stored(sandbox):
    sandbox.faults.script = ["slow=3"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "slow", b'{"a":1}\n', content_type=NDJSON, timeout=0.5)
    assert isinstance(err, TransportError) and err.maybe_sent is True
    assert "read timeout" in str(err) and "may have been stored" in str(err)


def test_connection_refused_was_not_sent():
    url = f"http://127.0.0.1:{free_port()}"
    err = call(Endpoint(url, url), "xaat-secret-token-1234", "ingest", "x", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, TransportError) and err.maybe_sent is False
    assert "could not connect" in str(err)
    assert err.__cause__ is None and err.__context__ is None  # no httpx request (with headers) attached


# ---------------------------------------------------------------------------------------------
# Request details, routing, redirects (recording servers)


def test_ingest_request_carries_headers_and_query(recorder):
    srv = recorder()
    res = call(Endpoint(srv.url, srv.url), "xaat-header-check", "ingest", "my logs/2024", gzip.compress(b"1,2\n"),
               content_type="text/csv", content_encoding="gzip",
               options=IngestOptions(timestamp_field="when", timestamp_format="2006-01-02 15:04:05",
                                     csv_delimiter=";", csv_fields=["a", "b"], labels={"env": "prod", "team": "x"}))
    assert res.ingested == 2
    (req,) = srv.requests
    assert req["method"] == "POST"
    assert req["path"] == "/v1/ingest/my logs/2024"  # quoted on the wire (my%20logs%2F2024)
    h = req["headers"]
    assert h["Authorization"] == "Bearer xaat-header-check"
    assert h["Content-Type"] == "text/csv"
    assert h["Content-Encoding"] == "gzip"
    assert h["X-Axiom-CSV-Fields"] == "a,b"
    assert h["X-Axiom-Event-Labels"] == '{"env":"prod","team":"x"}'
    assert h["User-Agent"].startswith("axiom-drop/")
    assert "X-Axiom-Org-Id" not in h
    assert req["query"] == {"timestamp-field": "when", "timestamp-format": "2006-01-02 15:04:05", "csv-delimiter": ";"}


def test_dataset_name_is_quoted_in_the_url(recorder):
    seen = []

    async def handler(request, body):
        seen.append(request.raw_path)
        return ok_json(INGEST_OK)

    srv = recorder(handler)
    call(Endpoint(srv.url, srv.url), "xaat-x", "ingest", "a b/c?d", b"{}\n", content_type=NDJSON)
    assert seen == ["/v1/ingest/a%20b%2Fc%3Fd"]


def test_ingest_response_parsed_leniently(recorder):
    async def handler(request, body):
        return ok_json(
            {"ingested": 3, "failed": 1, "processedBytes": 99,
             "failures": [{"timestamp": "2024-05-01T00:00:00Z", "error": "too many fields"}],
             "messages": [{"priority": "warn", "code": "dropped", "count": 1, "msg": 'field "x" dropped'}]},
            headers={"X-Axiom-Trace-Id": "trace-123", "X-RateLimit-Scope": "organization", "X-RateLimit-Limit": "600",
                     "X-RateLimit-Remaining": "599", "X-RateLimit-Reset": "1900000000",
                     "X-IngestLimit-Limit": "5000", "X-IngestLimit-Remaining": "4000", "X-IngestLimit-Reset": "1900000001"},
        )

    srv = recorder(handler)
    res = call(Endpoint(srv.url, srv.url), "xaat-x", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert (res.ingested, res.failed, res.processed_bytes) == (3, 1, 99)
    assert res.failures[0]["error"] == "too many fields"
    assert res.warnings[0]["msg"] == 'field "x" dropped'
    assert res.trace_id == "trace-123"
    assert (res.rate_limit.scope, res.rate_limit.limit, res.rate_limit.remaining, res.rate_limit.reset) == ("organization", 600, 599, 1900000000)
    assert (res.ingest_limit.limit, res.ingest_limit.remaining, res.ingest_limit.reset) == (5000, 4000, 1900000001)


def test_html_500_body_becomes_a_short_readable_message(recorder):
    page = "<html><head><title>502</title><style>body{color:red}</style></head><body><h1>Bad Gateway</h1>" + "<p>x</p>" * 200 + "</body></html>"

    async def handler(request, body):
        return web.Response(status=500, text=page, content_type="text/html", headers={"X-Axiom-Trace-Id": "t-500"})

    srv = recorder(handler)
    err = call(Endpoint(srv.url, srv.url), "xaat-x", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert isinstance(err, ServerError) and err.status == 500 and err.trace_id == "t-500"
    assert "Bad Gateway" in str(err) and "<h1>" not in str(err) and "color:red" not in str(err)
    assert len(err.detail) <= 201


def test_error_key_and_empty_body_fallbacks(recorder):
    answers = [
        web.Response(status=400, body=b'{"error":"invalid event at index 7: bad"}', content_type="application/json"),
        web.Response(status=503, body=b""),
        web.Response(status=500, text="upstream exploded"),
    ]

    async def handler(request, body):
        return answers.pop(0)

    srv = recorder(handler)
    ep = Endpoint(srv.url, srv.url)
    e1 = call(ep, "xaat-x", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert isinstance(e1, BadRequest) and e1.event_index == 7 and "invalid event at index 7" in str(e1)
    e2 = call(ep, "xaat-x", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert isinstance(e2, ServerError) and "Service Unavailable" in str(e2)
    e3 = call(ep, "xaat-x", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert isinstance(e3, ServerError) and "upstream exploded" in str(e3)


def test_403_says_what_permission_is_missing(recorder):
    async def handler(request, body):
        return ok_json({"message": "forbidden", "code": 403}, status=403)

    srv = recorder(handler)
    ep = Endpoint(srv.url, srv.url)
    err = call(ep, "xaat-ingest-elsewhere", "ingest", "secure", b"{}\n", content_type=NDJSON)
    assert isinstance(err, AuthError) and err.forbidden and err.status == 403
    assert str(err) == "the token may not do this (403): it needs ingest permission on dataset 'secure'"
    err = call(ep, "xaat-ingest-elsewhere", "list_datasets")
    assert isinstance(err, AuthError) and err.forbidden and "type the dataset name" in str(err)


def test_429_with_http_date_retry_after(recorder):
    when = format_datetime(datetime.fromtimestamp(time.time() + 20, timezone.utc), usegmt=True)

    async def handler(request, body):
        return ok_json({"message": "rate limit exceeded"}, status=429, headers={"Retry-After": when})

    srv = recorder(handler)
    err = call(Endpoint(srv.url, srv.url), "xaat-x", "ingest", "d", b"{}\n", content_type=NDJSON)
    assert isinstance(err, RateLimited)
    assert 15 <= err.wait_seconds <= 21


def test_edge_routing_from_the_dataset_listing(recorder):
    edge = recorder()

    async def api_handler(request, body):
        if request.path == "/v2/datasets":
            return ok_json([
                {"id": "eu-logs", "name": "eu-logs", "kind": "axiom:events:v1", "edgeDeployment": "cloud.eu-central-1.aws",
                 "edgeDeploymentUrl": edge.url + "/", "canWrite": True, "created": "2024-01-01T00:00:00Z"},
                {"id": "plain", "name": "plain", "kind": "axiom:events:v1"},
            ])
        return ok_json(INGEST_OK)

    api = recorder(api_handler)

    async def go():
        async with AxiomClient(Endpoint(api.url, api.url), "xaat-routing") as client:
            datasets = await client.list_datasets()
            await client.ingest("eu-logs", b"{}\n", content_type=NDJSON)
            await client.ingest("plain", b"{}\n", content_type=NDJSON)
            return datasets

    datasets = run(go())
    eu = next(d for d in datasets if d.name == "eu-logs")
    assert (eu.region, eu.edge_url, eu.can_write) == ("cloud.eu-central-1.aws", edge.url, True)
    assert [r["path"] for r in edge.requests] == ["/v1/ingest/eu-logs"]
    assert edge.requests[0]["headers"]["Authorization"] == "Bearer xaat-routing"
    assert [r["path"] for r in api.requests] == ["/v2/datasets", "/v1/ingest/plain"]


def test_personal_token_uses_legacy_endpoint_with_org_id(recorder):
    srv = recorder()
    ep = Endpoint(srv.url + "/api", srv.url + "/edge")
    res = call(ep, "xapt-personal-1", "ingest", "logs", b"{}\n", content_type=NDJSON, org_id="acme-123")
    assert res.ingested == 2
    (req,) = srv.requests
    assert req["path"] == "/api/v1/datasets/logs/ingest"
    assert req["headers"]["X-Axiom-Org-Id"] == "acme-123"
    assert req["headers"]["Authorization"] == "Bearer xapt-personal-1"


def test_personal_token_without_org_id_fails_before_sending(recorder):
    srv = recorder()
    err = call(Endpoint(srv.url, srv.url), "xapt-personal-1", "ingest", "logs", b"{}\n", content_type=NDJSON)
    assert isinstance(err, AuthError)
    assert "a personal access token needs the organization ID" in str(err)
    assert srv.requests == []


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


def test_a_request_cancelled_while_the_tls_context_loads_leaves_the_client_usable():
    """The TLS context loads in a thread; cancelling the first request meanwhile (a user's Cancel)
    must not cancel the load for every later request."""
    async def go():
        client = AxiomClient(Endpoint("https://api.axiom.co", "https://api.axiom.co"), "xaat-secret-token-1234")
        first = asyncio.ensure_future(client._client())
        await asyncio.sleep(0)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        http = await client._client()  # the next request gets its client
        assert http is await client._client()
        await client.aclose()

    asyncio.run(go())


def test_unreadable_ca_certificates_are_a_clear_error_at_the_first_request(monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    client = AxiomClient(Endpoint("https://api.axiom.co", "https://api.axiom.co"), "xaat-secret-token-1234")

    async def go():
        try:
            with pytest.raises(AxiomError, match="CA certificates could not be loaded"):
                await client.list_datasets()
        finally:
            await client.aclose()

    asyncio.run(go())
