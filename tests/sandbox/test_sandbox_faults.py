"""The sandbox's rate-limit headers, scripted faults, fault knobs over HTTP, request log and reset."""

from __future__ import annotations

import time

import httpx
import pytest

from app.sandbox import Faults
from sandbox_support import NDJSON, SEED_CSV, auth, ingest, ndjson


# ---------------------------------------------------------------- rate limits

def _away_from_minute_boundary() -> None:
    if time.time() % 60 > 55:
        time.sleep(60.5 - time.time() % 60)


def test_rate_limit_headers_on_every_response(sb):
    now = time.time()
    for r in (ingest(sb, b'{"a":1}'), ingest(sb, b"[1]"), httpx.get(sb.url + "/v2/datasets", headers=auth(sb.token)),
              httpx.get(sb.url + "/nowhere", headers=auth(sb.token))):
        assert r.headers["X-RateLimit-Scope"] == "organization"
        assert int(r.headers["X-RateLimit-Limit"]) == Faults().rate_limit_per_minute
        assert 0 <= int(r.headers["X-RateLimit-Remaining"]) < int(r.headers["X-RateLimit-Limit"])
        reset = int(r.headers["X-RateLimit-Reset"])
        assert reset % 60 == 0 and now < reset <= now + 61
        assert len(r.headers["X-Axiom-Trace-Id"]) >= 16
    r = ingest(sb, b'{"a":1}')
    limit, remaining = int(r.headers["X-IngestLimit-Limit"]), int(r.headers["X-IngestLimit-Remaining"])
    assert limit - remaining == 2 * len(b'{"a":1}')  # bytes ingested this month
    assert int(r.headers["X-IngestLimit-Reset"]) > now
    assert "X-IngestLimit-Limit" not in httpx.get(sb.url + "/v2/datasets", headers=auth(sb.token)).headers


def test_over_the_rate_limit_is_429(sb):
    _away_from_minute_boundary()
    sb.faults.rate_limit_per_minute = 3
    statuses = [ingest(sb, ndjson({"i": i})) for i in range(5)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert statuses[3].json() == {"message": "rate limit exceeded", "code": 429}
    assert statuses[3].headers["X-RateLimit-Remaining"] == "0"
    assert [r.headers["X-RateLimit-Remaining"] for r in statuses[:3]] == ["2", "1", "0"]
    assert len(sb.events("logs")) == 3


# ---------------------------------------------------------------- scripted faults

@pytest.mark.parametrize("fault, status, message", [
    ("500", 500, "internal server error"), ("502", 502, "bad gateway"), ("503", 503, "service unavailable"),
    ("413", 413, "request entity too large"), ("430", 430, "monthly ingest limit reached"),
])
def test_scripted_status_faults(sb, fault, status, message):
    sb.faults.script = [fault]
    r = ingest(sb, b'{"a":1}')
    assert r.status_code == status and r.json() == {"message": message, "code": status}
    assert sb.events("logs") == []
    if status == 430:
        assert r.headers["X-IngestLimit-Remaining"] == "0"
    assert ingest(sb, b'{"a":1}').status_code == 200  # consumed: the next request is fine
    assert len(sb.events("logs")) == 1
    assert [x["fault"] for x in sb.requests_log] == [fault, None]


def test_scripted_429_variants(sb):
    sb.faults.script = ["429", "429:retry-after=7", "429:reset=30"]
    now = time.time()
    plain = ingest(sb, b'{"a":1}')
    assert plain.status_code == 429 and plain.json()["message"] == "rate limit exceeded"
    assert "Retry-After" not in plain.headers
    assert now + 1 <= int(plain.headers["X-RateLimit-Reset"]) <= now + 3
    assert plain.headers["X-RateLimit-Remaining"] == "0"
    after = ingest(sb, b'{"a":1}')
    assert after.status_code == 429 and after.headers["Retry-After"] == "7"
    reset = ingest(sb, b'{"a":1}')
    assert reset.status_code == 429 and "Retry-After" not in reset.headers
    assert now + 29 <= int(reset.headers["X-RateLimit-Reset"]) <= now + 32
    assert sb.events("logs") == []
    assert ingest(sb, b'{"a":1}').status_code == 200


def test_html_500(sb):
    sb.faults.script = ["html-500"]
    r = ingest(sb, b'{"a":1}')
    assert r.status_code == 500 and r.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        r.json()
    assert sb.events("logs") == []


def test_drop_request_stores_nothing(sb):
    sb.faults.script = ["drop-request"]
    with pytest.raises(httpx.TransportError):
        ingest(sb, ndjson(*({"i": i} for i in range(100))))
    assert sb.events("logs") == []
    assert sb.requests_log[0]["fault"] == "drop-request" and sb.requests_log[0]["status"] is None
    assert ingest(sb, b'{"a":1}').status_code == 200


def test_drop_response_stores_the_events(sb):
    sb.faults.script = ["drop-response"]
    with pytest.raises(httpx.TransportError):
        ingest(sb, ndjson({"i": 1}, {"i": 2}))
    assert [e["i"] for e in sb.events("logs")] == [1, 2]  # stored: a resend would duplicate them
    assert sb.requests_log[0]["stored"] == 2


def test_slow_answers_late_and_stores_after(sb):
    sb.faults.script = ["slow=1"]
    start = time.monotonic()
    r = ingest(sb, b'{"a":1}')
    assert r.status_code == 200 and time.monotonic() - start >= 1.0
    sb.faults.script = ["slow=1.5"]
    with pytest.raises(httpx.ReadTimeout):  # the client gives up, the sandbox stores anyway
        ingest(sb, b'{"a":2}', timeout=0.5)
    assert len(sb.events("logs")) == 1
    time.sleep(1.5)
    assert [e["a"] for e in sb.events("logs")] == [1, 2]


def test_delay_holds_every_response(sb):
    sb.faults.delay = 0.4
    start = time.monotonic()
    assert httpx.get(sb.url + "/v2/datasets", headers=auth(sb.token)).status_code == 200
    assert ingest(sb, b'{"a":1}').status_code == 200
    assert time.monotonic() - start >= 0.8


def test_faults_over_http(sb):
    url = sb.url + "/_sandbox/faults"
    r = httpx.post(url, headers=auth(sb.token), json={"script": ["503"], "reject_field": "pw", "max_fields": 50})
    assert r.status_code == 200 and r.json()["script"] == ["503"]
    assert sb.faults.reject_field == "pw" and sb.faults.max_fields == 50
    assert httpx.get(url, headers=auth(sb.token)).json()["max_fields"] == 50
    assert ingest(sb, b'{"a":1}').status_code == 503
    assert ingest(sb, ndjson({"a": 1}, {"pw": 2})).json()["failed"] == 1
    assert httpx.post(url, json={"delay": 1}).status_code == 401
    bad = httpx.post(url, headers=auth(sb.token), json={"colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["message"]
    assert httpx.post(url, headers=auth(sb.token), json={"script": ["explode"]}).status_code == 400
    assert httpx.post(url, headers=auth(sb.token), json={"delay": -1}).status_code == 400
    log = httpx.get(sb.url + "/_sandbox/requests", headers=auth(sb.token)).json()
    assert [(x["path"], x["status"], x["events"], x["stored"]) for x in log] == [
        ("/v1/ingest/logs", 503, 0, 0), ("/v1/ingest/logs", 200, 2, 1)]
    assert log[1]["content_type"] == NDJSON and log[1]["bytes"] == len(ndjson({"a": 1}, {"pw": 2}))
    assert httpx.get(sb.url + "/_sandbox/requests").status_code == 401


def test_requests_log_records_query_and_headers(sb):
    ingest(sb, SEED_CSV, "text/csv", params={"timestamp-field": "t", "csv-delimiter": ","},
           X_Axiom_Event_Labels='{"a":"b"}')
    [entry] = sb.requests_log
    assert entry["method"] == "POST" and entry["path"] == "/v1/ingest/logs" and entry["status"] == 200
    assert entry["query"] == {"timestamp-field": "t", "csv-delimiter": ","}
    assert "x-axiom-event-labels" in entry["headers"] and entry["events"] == 1 and entry["stored"] == 1


def test_reset_clears_everything(sb):
    sb.faults.script = ["500", "500"]
    ingest(sb, b'{"a":1}')
    sb.faults.script = []
    ingest(sb, b'{"a":1}')
    sb.reset()
    assert sb.events("logs") == [] and sb.requests_log == [] and sb.datasets() == []
    assert sb.faults.script == [] and sb.faults.max_fields == 1024
