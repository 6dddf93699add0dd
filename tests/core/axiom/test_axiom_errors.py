"""Typed errors: each failure the sandbox or a recording server produces becomes its AxiomError
subclass, with a sentence a user can act on, and the network's failures say whether the request
may have been stored."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from aiohttp import web
from axiom_servers import NDJSON, call, free_port, ok_json, sb_endpoint

from app.core.axiom import (
    DEFAULT_RATE_LIMIT_WAIT,
    AuthError,
    BadRequest,
    Endpoint,
    ErrorKind,
    IngestLimit,
    NotFound,
    RateLimit,
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
    parse_ingest_limit,
    parse_rate_limit,
    parse_retry_after,
    rate_limit_wait,
)
from app.core.job import wait_for_rate_limit
from app.sandbox import Sandbox


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
    sb.create_dataset("typed-name")  # made in Axiom's UI: ingest does not create datasets
    try:
        err = call(sb_endpoint(sb), sb.token, "list_datasets")
        res = call(sb_endpoint(sb), sb.token, "ingest", "typed-name", b'{"a":1}\n', content_type=NDJSON)
    finally:
        sb.stop()
    assert isinstance(err, AuthError) and err.forbidden and err.status == 403
    assert str(err).startswith("the token was refused or lacks a permission (403)") and "type the dataset name" in str(err)
    assert res.ingested == 1  # the first ingest is the check


def test_personal_token_ingests_through_the_legacy_endpoint(tmp_path):
    sb = Sandbox(tmp_path, org_id="acme").start()
    sb.create_dataset("pat-logs")
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
    assert str(wrong_org) == "the token was refused or lacks a permission (403): it needs ingest permission on dataset 'pat-logs'"


def test_html_error_page_from_the_sandbox(sandbox):
    sandbox.faults.script = ["html-500"]
    err = call(sb_endpoint(sandbox), sandbox.token, "ingest", "h", b'{"a":1}\n', content_type=NDJSON)
    assert isinstance(err, ServerError) and err.status == 500
    assert "500 Internal Server Error" in str(err) and "<" not in str(err)


def test_unknown_dataset_is_404_and_reads_as_a_missing_dataset(tmp_path):
    sb = Sandbox(tmp_path).start()  # as Axiom: ingest never creates a dataset
    try:
        err = call(sb_endpoint(sb), sb.token, "ingest", "nope", b'{"a":1}\n', content_type=NDJSON)
        other = call(sb_endpoint(sb), sb.token, "get_dataset", "nope")
    finally:
        sb.stop()
    assert isinstance(err, NotFound) and err.status == 404
    assert err.kind is ErrorKind.DATASET_MISSING and err.dataset == "nope"
    assert "'nope' does not exist" in str(err)
    assert isinstance(other, NotFound) and other.kind is ErrorKind.NOT_FOUND  # a 404 elsewhere is only that


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
    assert str(err).startswith(f"no connection to 127.0.0.1:{url.rsplit(':', 1)[1]}: nothing answers there "
                               "(connection refused)")
    assert err.__cause__ is None and err.__context__ is None  # no httpx request (with headers) attached


def test_a_name_that_does_not_resolve_is_said_for_people():
    url = "https://no-such-host.invalid"  # .invalid never resolves (RFC 2606)
    err = call(Endpoint(url, url), "xaat-secret-token-1234", "list_datasets")
    assert isinstance(err, TransportError) and err.maybe_sent is False
    assert str(err) == "no connection to no-such-host.invalid: the name could not be resolved — check the network, or the URL"
    assert "Errno" not in str(err) and "xaat-" not in str(err)


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
    assert str(err) == "the token was refused or lacks a permission (403): it needs ingest permission on dataset 'secure'"
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


# ---------------------------------------------------------------------------------------------
# The limit headers and the wait they imply


def test_limit_headers_parse_leniently():
    assert parse_rate_limit({}) is None and parse_ingest_limit({}) is None
    rl = parse_rate_limit({"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "oops", "X-RateLimit-Reset": "17.9"})
    assert (rl.scope, rl.limit, rl.remaining, rl.reset) == (None, 600, None, 17)
    il = parse_ingest_limit({"X-IngestLimit-Remaining": " 42 "})
    assert (il.limit, il.remaining, il.reset) == (None, 42, None)


def test_retry_after_in_seconds_or_as_a_date():
    now = 1_700_000_000.0
    assert parse_retry_after("30", now) == now + 30
    assert parse_retry_after("-5", now) == now  # never in the past
    assert parse_retry_after(format_datetime(datetime.fromtimestamp(now + 90, timezone.utc), usegmt=True), now) == now + 90
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_the_wait_prefers_retry_after_then_the_limit_reset():
    now = 1_000.0
    assert rate_limit_wait(RateLimited("", retry_at=now + 4, rate_limit=RateLimit(None, 1, 0, 1_060)), now) == 4
    assert rate_limit_wait(RateLimited("", rate_limit=RateLimit(None, 1, 0, 1_060)), now) == 60
    assert rate_limit_wait(RateLimited("", rate_limit=RateLimit(None, 1, 0, 999)), now) == 1.0  # a reset just passed
    quota = RateLimited("", quota=True, rate_limit=RateLimit(None, 1, 0, 1_060), ingest_limit=IngestLimit(1, 0, 4_600))
    assert rate_limit_wait(quota, now) == 3_600  # a 430 waits for the monthly reset
    assert rate_limit_wait(RateLimited(""), now) == DEFAULT_RATE_LIMIT_WAIT
