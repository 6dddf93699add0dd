"""The client's requests and answers over real loopback sockets: ingest and datasets against the
sandbox, the exact request (headers, query, quoting, routing) against a recording server."""

from __future__ import annotations

import asyncio
import gzip

import orjson
import pytest
import zstandard
from axiom_servers import INGEST_OK, NDJSON, call, ok_json, run, sb_endpoint

from app.core.axiom import AuthError, AxiomClient, AxiomError, Conflict, Endpoint, IngestOptions


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
        # A base URL alone (AXIOM_URL): the listed edge for eu-logs, legacy ingest for the dataset
        # without a region (a custom edge would take both: the user's own setting comes first).
        async with AxiomClient(Endpoint(api.url, api.url, edge=False), "xaat-routing") as client:
            datasets = await client.list_datasets()
            await client.ingest("eu-logs", b"{}\n", content_type=NDJSON)
            await client.ingest("plain", b"{}\n", content_type=NDJSON)
            return datasets

    datasets = run(go())
    eu = next(d for d in datasets if d.name == "eu-logs")
    assert (eu.region, eu.edge_url, eu.can_write) == ("cloud.eu-central-1.aws", edge.url, True)
    assert [r["path"] for r in edge.requests] == ["/v1/ingest/eu-logs"]
    assert edge.requests[0]["headers"]["Authorization"] == "Bearer xaat-routing"
    assert [r["path"] for r in api.requests] == ["/v2/datasets", "/v1/datasets/plain/ingest"]


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


def test_a_request_cancelled_while_the_tls_context_loads_leaves_the_client_usable(recorder):
    """The TLS context loads in a thread; cancelling the first request meanwhile (a user's Cancel)
    must not cancel the load for every later request."""
    async def listing(request, body):
        return ok_json([])

    srv = recorder(listing)

    async def go():
        client = AxiomClient(Endpoint(srv.url, srv.url), "xaat-secret-token-1234")
        first = asyncio.ensure_future(client.list_datasets())
        await asyncio.sleep(0)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        try:
            assert await client.list_datasets() == []  # the next request gets its client
            assert await client.list_datasets() == []
        finally:
            await client.aclose()

    run(go())
    # one HTTP client for both: the second request reuses the first one's kept-alive connection
    assert srv.requests[-2]["peer"] == srv.requests[-1]["peer"]


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
