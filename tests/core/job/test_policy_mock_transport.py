"""The job's retry policy, driven through httpx.MockTransport: an in-memory Axiom, no sockets.

Each test scripts what the "server" answers and checks what a user sees: the counts, the failed
lines and their messages, what the server stored (and how often), the warnings.
(The sandbox-over-loopback tests in test_upload.py / test_hostile_network.py stay beside these.)
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter

import httpx
import orjson
import pytest
import zstandard

from app.core.axiom import AxiomClient, Endpoint
from app.core.plan import Plan
from app.core.job import Backoff, JobState, Source, UploadJob

URL = "https://axiom.example.test"
STAMP = "2024-05-01T10:{:02d}:{:02d}Z"


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch):
    """httpx would route through an environment proxy ahead of the mock transport."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


class FakeAxiom:
    """Answers ingest requests: `script` answers first (one per request), then `rule` decides."""

    def __init__(self):
        self.stored: list[dict] = []
        self.statuses: list[int | str] = []
        self.script: list = []
        self.rule = None  # events -> httpx.Response | None (None: store them all)

    def events(self, request: httpx.Request) -> list[dict]:
        """The request's events (a line that is not JSON is kept as {"raw": line})."""
        body = request.content
        if request.headers.get("Content-Encoding") == "zstd":
            body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
        out = []
        for line in body.splitlines():
            try:
                out.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                out.append({"raw": line.decode()})
        return out

    def handler(self, request: httpx.Request) -> httpx.Response:
        events = self.events(request)
        step = self.script.pop(0) if self.script else None
        if callable(step):
            step = step(request, events)
        if isinstance(step, httpx.Response):
            self.statuses.append(step.status_code)
            return step
        answer = self.rule(events) if self.rule else None
        if answer is not None:
            self.statuses.append(answer.status_code)
            return answer
        self.stored.extend(events)
        self.statuses.append(200)
        return ok(len(events))

    def stored_ns(self) -> Counter:
        return Counter(e["n"] for e in self.stored)


def ok(ingested: int, failures: list[dict] = ()) -> httpx.Response:
    return httpx.Response(200, json={"ingested": ingested, "failed": len(failures), "failures": list(failures),
                                     "processedBytes": 0, "blocksCreated": 0, "walLength": 0})


def error(status: int, message: str = "nope", headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, json={"message": message}, headers=headers or {})


def events(n: int, **extra_at: dict) -> bytes:
    """n NDJSON events on lines 1..n, each with its own timestamp; extra_at["5"] adds fields to line 5."""
    rows = []
    for i in range(1, n + 1):
        row = {"n": i, "_time": STAMP.format(i // 60 % 60, i % 60)}
        row.update(extra_at.get(str(i), {}))
        rows.append(json.dumps(row))
    return ("\n".join(rows) + "\n").encode()


def run(server: FakeAxiom, data: bytes, *, backoff=None, **kw):
    states: list[JobState] = []

    async def go():
        client = AxiomClient(Endpoint(URL, URL), "xaat-mock", transport=httpx.MockTransport(server.handler))
        job = UploadJob(Source.from_bytes(data, "events.ndjson"), Plan(format="ndjson"), client, "logs",
                        journal=False, backoff=backoff or fast_backoff,
                        on_progress=lambda p: states.append(p.state), **kw)
        try:
            return await job.run()
        finally:
            await client.aclose()

    result = asyncio.run(go())
    return result, states


def fast_backoff():
    return Backoff(start=0.001, cap=0.005, max_attempts=5, rng=random.Random(7))


def test_everything_stored_once():
    server = FakeAxiom()
    result, _ = run(server, events(250), max_events=100)
    assert (result.state, result.ingested, result.failed, result.not_sent, result.possible_duplicates) == \
        (JobState.DONE, 250, 0, 0, 0)
    assert server.stored_ns() == Counter(range(1, 251))
    assert server.statuses == [200, 200, 200]


# -- 400 ------------------------------------------------------------------------------------------


def test_400_bisects_to_the_bad_events_and_sends_the_rest():
    """The server refuses a whole request for an event nothing local finds wrong: the batch is
    halved until each culprit is alone, and only the culprits fail, named by line."""
    server = FakeAxiom()
    server.rule = lambda evs: error(400, "bad field value") if any(e.get("poison") for e in evs) else None
    result, _ = run(server, events(64, **{"9": {"poison": True}, "40": {"poison": True}}), in_flight=1)
    assert (result.ingested, result.failed, result.not_sent) == (62, 2, 0)
    assert [f.line for f in result.failures] == [9, 40]
    assert all(f.error == "the server refused the request (400): bad field value" for f in result.failures)
    assert '"poison": true' in result.failures[0].record
    assert server.stored_ns() == Counter(i for i in range(1, 65) if i not in (9, 40))  # each once
    assert result.state == JobState.DONE_WITH_FAILURES


def test_400_naming_an_index_fails_that_event_without_bisecting():
    server = FakeAxiom()
    server.script = [error(400, "invalid event at index 6")]
    result, _ = run(server, events(20))
    assert (result.ingested, result.failed) == (19, 1)
    assert [f.line for f in result.failures] == [7]
    assert server.statuses == [400, 200]
    assert server.stored_ns() == Counter(i for i in range(1, 21) if i != 7)


def test_400_for_locally_invalid_lines_names_them_from_local_validation():
    server = FakeAxiom()
    server.script = [error(400, "invalid JSON")]
    data = events(5).replace(b'{"n": 3,', b'{"n": 3 broken', 1)
    result, _ = run(server, data)
    assert (result.ingested, result.failed) == (4, 1)
    assert [f.line for f in result.failures] == [3]
    assert server.statuses == [400, 200]


# -- 200 with failures -------------------------------------------------------------------------------


def test_200_with_failures_maps_them_to_lines_and_never_resends():
    server = FakeAxiom()

    def partial(evs):
        bad = [e for e in evs if e.get("forbidden")]
        server.stored.extend(e for e in evs if not e.get("forbidden"))
        return ok(len(evs) - len(bad), [{"timestamp": e["_time"], "error": "field 'forbidden' is not allowed"}
                                        for e in bad])

    server.rule = partial
    result, _ = run(server, events(30, **{"4": {"forbidden": 1}, "22": {"forbidden": 1}}))
    assert (result.ingested, result.failed, result.not_sent, result.possible_duplicates) == (28, 2, 0, 0)
    assert [(f.line, f.error) for f in result.failures] == [(4, "field 'forbidden' is not allowed"),
                                                          (22, "field 'forbidden' is not allowed")]
    assert server.statuses == [200]  # the stored events were not sent again
    assert server.stored_ns() == Counter(i for i in range(1, 31) if i not in (4, 22))


def test_200_acknowledging_fewer_events_counts_the_rest_as_not_sent():
    server = FakeAxiom()
    server.script = [lambda request, evs: ok(len(evs) - 3)]
    result, _ = run(server, events(10))
    assert (result.ingested, result.failed, result.not_sent) == (7, 0, 3)
    assert [str(w) for w in result.warnings] == [
        "lines 1–10: the server acknowledged 7 of 10 events; 3 are counted as not sent"]


# -- 413 ------------------------------------------------------------------------------------------


def test_413_splits_until_the_halves_fit():
    server = FakeAxiom()
    server.rule = lambda evs: error(413, "body too large") if len(evs) > 10 else None
    result, _ = run(server, events(40), in_flight=1)
    assert (result.ingested, result.failed, result.not_sent) == (40, 0, 0)
    assert server.statuses.count(413) == 3  # 40 → 20 + 20 → 10 + 10 + 10 + 10
    assert server.statuses.count(200) == 4
    assert server.stored_ns() == Counter(range(1, 41))


def test_413_for_a_single_event_fails_it_with_its_line():
    server = FakeAxiom()
    server.rule = lambda evs: error(413, "body too large") if any("big" in e for e in evs) else None
    result, _ = run(server, events(8, **{"5": {"big": "x" * 100}}), in_flight=1)
    assert (result.ingested, result.failed, result.not_sent) == (7, 1, 0)
    (failure,) = result.failures
    assert failure.line == 5
    assert failure.error == ("the event is too large for one request "
                             "(413: the request is too large for the server (413): body too large)")


# -- 429 / 430 ----------------------------------------------------------------------------------------


def test_429_waits_and_resends_without_using_up_the_backoff():
    """Rate limits are waited out (here Retry-After: 0), not counted as failed attempts: a backoff
    that gives up at the first failure still gets every event through."""
    server = FakeAxiom()
    server.script = [error(429, "slow down", {"Retry-After": "0"})] * 3
    result, _ = run(server, events(10), backoff=lambda: Backoff(start=0.001, max_attempts=1))
    assert (result.state, result.ingested, result.not_sent) == (JobState.DONE, 10, 0)
    assert server.statuses == [429, 429, 429, 200]
    assert [r["status"] for r in result.requests] == [429, 429, 429, 200]
    assert server.stored_ns() == Counter(range(1, 11))


def test_430_monthly_quota_stops_the_job():
    server = FakeAxiom()
    server.rule = lambda evs: error(430, "monthly limit", {"Retry-After": "0"})
    result, _ = run(server, events(10))
    assert (result.state, result.ingested, result.not_sent) == (JobState.FAILED, 0, 10)
    assert result.error_kind == "quota"
    assert result.error.startswith("the monthly ingest limit is reached (430): monthly limit")
    assert result.stopped_at == "line 1"
    assert server.statuses == [430]


# -- 5xx ------------------------------------------------------------------------------------------


def test_5xx_is_retried_with_backoff():
    server = FakeAxiom()
    server.script = [error(500, "boom"), error(503, "busy"), error(502, "gateway")]
    result, states = run(server, events(10))
    assert (result.state, result.ingested, result.not_sent, result.possible_duplicates) == (JobState.DONE, 10, 0, 0)
    assert server.statuses == [500, 503, 502, 200]
    assert JobState.RETRYING in states
    assert server.stored_ns() == Counter(range(1, 11))


def test_5xx_until_the_backoff_gives_up_stops_with_the_count():
    server = FakeAxiom()
    server.rule = lambda evs: error(503, "down")
    result, _ = run(server, events(10), backoff=lambda: Backoff(start=0.001, cap=0.002, max_attempts=3))
    assert (result.state, result.ingested, result.not_sent) == (JobState.FAILED, 0, 10)
    assert result.error == "gave up after 3 attempts: the server had a problem (503): down"
    assert result.error_kind == "server"
    assert server.statuses == [503, 503, 503]


# -- network errors ---------------------------------------------------------------------------------


def test_ambiguous_send_is_resent_and_reported_as_possible_duplicates():
    """The body went out, the server stored it, the answer never came (read timeout): the events
    are sent again, so they may be stored twice — and the job says which lines."""
    server = FakeAxiom()

    def store_then_time_out(request, evs):
        server.stored.extend(evs)
        raise httpx.ReadTimeout("timed out", request=request)

    server.script = [store_then_time_out]
    result, states = run(server, events(10))
    assert (result.state, result.ingested, result.not_sent, result.possible_duplicates) == (JobState.DONE, 10, 0, 10)
    assert result.possible_duplicate_lines == [[1, 10]]
    assert server.stored_ns() == Counter({n: 2 for n in range(1, 11)})  # exactly the reported ones, twice
    assert [str(w) for w in result.warnings] == [
        "lines 1–10: the connection failed after the request was sent (no answer from https://axiom.example.test "
        "in time (read timeout); the request was sent, so its events may have been stored); it was sent again, "
        "so these 10 events may be stored twice"]
    assert JobState.RETRYING in states


def test_connect_error_is_resent_without_possible_duplicates():
    server = FakeAxiom()

    def refuse(request, evs):
        raise httpx.ConnectError("refused", request=request)

    server.script = [refuse]
    result, _ = run(server, events(10))
    assert (result.ingested, result.not_sent, result.possible_duplicates) == (10, 0, 0)
    assert result.warnings == [] and result.possible_duplicate_lines == []
    assert server.stored_ns() == Counter(range(1, 11))


# -- stops -----------------------------------------------------------------------------------------


def test_401_stops_and_counts_everything_as_not_sent():
    server = FakeAxiom()
    server.rule = lambda evs: error(401, "bad token")
    result, _ = run(server, events(25), max_events=10)
    assert (result.state, result.ingested, result.not_sent) == (JobState.FAILED, 0, 25)
    assert result.error_kind == "auth"
    assert result.error == "the token was refused (401): check it or paste a new one"
    assert server.stored == []


def test_404_names_the_dataset():
    server = FakeAxiom()
    server.rule = lambda evs: error(404, "no such dataset")
    result, _ = run(server, events(5))
    assert result.error_kind == "dataset"
    assert result.error == "dataset 'logs' not found (404): create it first, or pick another"
    assert result.to_json()["error_kind"] == "dataset"
