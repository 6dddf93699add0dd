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


def _refusing(poison: str, first_index: int = 0, words: str = "invalid event at index {index}"):
    """A rule refusing any request holding an event with `poison`, naming its index counted from
    `first_index`."""
    def rule(evs):
        bad = [i for i, e in enumerate(evs) if e.get(poison)]
        return error(400, words.format(index=bad[0] + first_index)) if bad else None
    return rule


def test_400_naming_an_index_sends_that_event_alone_and_fails_it_there():
    server = FakeAxiom()
    server.rule = _refusing("poison")
    result, _ = run(server, events(20, **{"7": {"poison": True}}), in_flight=1)
    assert (result.ingested, result.failed) == (19, 1)
    assert [f.line for f in result.failures] == [7]
    assert server.statuses == [400, 200, 400, 200]  # before it, it alone, after it: no bisection
    assert server.stored_ns() == Counter(i for i in range(1, 21) if i != 7)


@pytest.mark.parametrize("first_index", [1, -1])
def test_400_whose_index_counts_otherwise_fails_no_good_event(first_index):
    """The index's base is not documented: counted from 1 (or one too low) it names a good event,
    which is then accepted alone; the culprit is found all the same, and only it fails."""
    server = FakeAxiom()
    server.rule = _refusing("poison", first_index)
    result, _ = run(server, events(20, **{"7": {"poison": True}}), in_flight=1)
    assert (result.ingested, result.failed, result.not_sent) == (19, 1, 0)
    assert [f.line for f in result.failures] == [7]
    assert server.stored_ns() == Counter(i for i in range(1, 21) if i != 7)  # each good event once
    assert len(server.statuses) < 12


def test_a_400_that_names_an_event_only_once_fails_nothing():
    """A 400 naming index 6 once, then the event is accepted alone: nothing is failed for it."""
    server = FakeAxiom()
    server.script = [error(400, "invalid event at index 6")]
    result, _ = run(server, events(20), in_flight=1)
    assert (result.ingested, result.failed) == (20, 0)
    assert server.stored_ns() == Counter(range(1, 21))


# Axiom's own words for a refused JSON event (axiomhq/cli issue #33, 2021): the index, then jsoniter's
# message with a "bigger context" quoting the events around it, which may hold any text of the user's.
AXIOM_400 = ('invalid event at index {index}: ReadObject: expect {{ or , or }} or n, but found t, error found in #10 '
             'byte of ...|:42 +00{{"time": "17/|..., bigger context ...|{{"time": "17/May/2015:08:05:42 +00{{"time": '
             '"17/May/2015:08:05:42 +0000", "note": "rebuilt index 3 of 9", "remote_ip": "|...')


def test_400_in_axioms_own_words_fails_the_event_it_names():
    """Not the sandbox's wording: the one Axiom answered. The event it names fails (by its line),
    the rest is stored once, and the numbers in the quoted context are not taken for the index."""
    server = FakeAxiom()
    server.rule = _refusing("poison", words=AXIOM_400)
    result, _ = run(server, events(30, **{"18": {"poison": True}}), in_flight=1)
    assert (result.ingested, result.failed, result.not_sent) == (29, 1, 0)
    assert [f.line for f in result.failures] == [18]
    assert "invalid event at index 0: ReadObject" in result.failures[0].error  # its answer when alone
    assert server.statuses == [400, 200, 400, 200]  # index 17 (not 3, nor 9 or 10): no bisection
    assert server.stored_ns() == Counter(i for i in range(1, 31) if i != 18)


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
    result, _ = run(server, events(10), backoff=lambda: Backoff(start=0.001, max_attempts=1, rate_limit_floor=0.001))
    assert (result.state, result.ingested, result.not_sent) == (JobState.DONE, 10, 0)
    assert server.statuses == [429, 429, 429, 200]
    assert [r["status"] for r in result.requests] == [429, 429, 429, 200]
    assert server.stored_ns() == Counter(range(1, 11))


def test_429_with_retry_after_zero_waits_a_floor_that_grows(monkeypatch):
    """The floor (here scaled down a thousandfold) holds however small the server's wait, and
    grows with each 429 in a row."""
    waits = []
    real = Backoff.rate_limit_delay
    monkeypatch.setattr(Backoff, "rate_limit_delay", lambda self, w: waits.append(real(self, w)) or waits[-1])
    server = FakeAxiom()
    server.script = [error(429, "slow down", {"Retry-After": "0"})] * 4
    result, _ = run(server, events(10), backoff=lambda: Backoff(rate_limit_floor=0.001, rate_limit_growth=2))
    assert (result.state, result.ingested) == (JobState.DONE, 10)
    assert waits == [0.001, 0.002, 0.004, 0.008]


def test_429s_that_never_end_stop_the_job_with_a_message_that_it_can_be_resumed(monkeypatch):
    from app.core.job import policy

    monkeypatch.setattr(policy, "MAX_RATE_LIMIT_WAIT", 0.06)
    server = FakeAxiom()
    server.rule = lambda evs: error(429, "slow down", {"Retry-After": "0"})
    result, _ = run(server, events(10), backoff=lambda: Backoff(rate_limit_floor=0.001, rate_limit_growth=2))
    assert (result.state, result.ingested, result.not_sent) == (JobState.FAILED, 0, 10)
    assert len(server.statuses) == 6  # 0.001 + 0.002 + … + 0.032 = 0.063: the sixth wait is over the limit
    assert result.error_kind == "quota" and result.stopped_at == "line 1"
    assert result.error.startswith("rate limited for over 0 s (the last answer: rate limited (429): slow down")
    assert result.error.endswith("The server did not say when its limit resets; the upload can be resumed later: "
                                 "what was already sent is not sent again")


def test_a_429_whose_reset_is_hours_away_stops_at_once_and_says_when(monkeypatch):
    import time as _time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    _time.tzset()
    try:
        reset = int(_time.time()) + 3 * 3600 + 20 * 60 + 10
        server = FakeAxiom()
        server.rule = lambda evs: error(429, "rate limit exceeded",
                                        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
        result, _ = run(server, events(10))
        local = _time.strftime("%H:%M", _time.localtime(reset))
        utc = _time.strftime("%H:%M", _time.gmtime(reset))
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()
    assert server.statuses == [429]
    assert (result.state, result.not_sent, result.error_kind) == (JobState.FAILED, 10, "quota")
    assert f"{local} local time" in result.error and f"{utc} UTC" in result.error, result.error
    assert result.error.startswith("rate limited (429: rate limit exceeded): the server's limit resets in 3 h 20 min")
    assert "stopped without waiting. The upload can be resumed then" in result.error


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
    """A 5xx to a request that arrived whole may come after the server stored it (a gateway's 504
    often does): resent, and its events counted once as possible duplicates (this server stored
    nothing, so nothing is stored twice — but the client cannot know that)."""
    server = FakeAxiom()
    server.script = [error(500, "boom"), error(503, "busy"), error(502, "gateway")]
    result, states = run(server, events(10))
    assert (result.state, result.ingested, result.not_sent, result.possible_duplicates) == (JobState.DONE, 10, 0, 10)
    assert result.possible_duplicate_lines == [[1, 10]]
    assert [str(w) for w in result.warnings] == [
        "lines 1–10: the server answered 500 after the request was sent (the server had a problem (500): boom); "
        "it was sent again, so these 10 events may be stored twice"]
    assert server.statuses == [500, 503, 502, 200]
    assert JobState.RETRYING in states
    assert server.stored_ns() == Counter(range(1, 11))


def test_a_504_after_storing_is_resent_and_reported_as_possible_duplicates():
    server = FakeAxiom()

    def store_then_504(request, evs):
        server.stored.extend(evs)
        return error(504, "gateway timeout")

    server.script = [store_then_504]
    result, _ = run(server, events(30), max_events=10, in_flight=1)
    assert (result.state, result.ingested, result.not_sent, result.possible_duplicates) == (JobState.DONE, 30, 0, 10)
    assert result.possible_duplicate_lines == [[1, 10]]
    assert server.stored_ns() == Counter({**{n: 1 for n in range(1, 31)}, **{n: 2 for n in range(1, 11)}})


class AnswersBeforeTheBody(httpx.AsyncBaseTransport):
    """A server that answers before it has read the body (as a proxy refusing early does): the
    transport's trace says the body did not go out whole."""

    def __init__(self, status: int):
        self.status, self.requests = status, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests == 1:
            await request.extensions["trace"]("http11.send_request_body.failed", {})
            return error(self.status, "not now")
        await request.extensions["trace"]("http11.send_request_body.complete", {})
        return ok(10)


def test_a_5xx_before_the_body_was_sent_is_no_duplicate_risk():
    transport = AnswersBeforeTheBody(503)

    async def go():
        client = AxiomClient(Endpoint(URL, URL), "xaat-mock", transport=transport)
        try:
            return await UploadJob(Source.from_bytes(events(10), "e.ndjson"), Plan(format="ndjson"), client, "logs",
                                   journal=False, backoff=fast_backoff).run()
        finally:
            await client.aclose()

    result = asyncio.run(go())
    assert (result.state, result.ingested, result.possible_duplicates, result.warnings) == (JobState.DONE, 10, 0, [])
    assert transport.requests == 2


@pytest.mark.parametrize("body", [b"<html>upstream says ok</html>", b"", b"[]", b'{"status": "ok"}',
                                  b'{"ingested": "10", "failed": 0}', b'{"ingested": 10}'])
def test_a_200_of_unknown_meaning_is_resent_as_possible_duplicates(body):
    """The server may have stored the events and then said something unreadable (a proxy's page,
    nothing, another shape): resent, and counted as possible duplicates with their lines."""
    server = FakeAxiom()

    def store_then_babble(request, evs):
        server.stored.extend(evs)
        return httpx.Response(200, content=body)

    server.script = [store_then_babble]
    result, _ = run(server, events(10))
    assert (result.state, result.ingested, result.not_sent, result.possible_duplicates) == (JobState.DONE, 10, 0, 10)
    assert result.possible_duplicate_lines == [[1, 10]]
    (warning,) = map(str, result.warnings)
    assert warning.startswith("lines 1–10: the server's answer did not say what it stored (unexpected answer from "
                              "the server (200)") and warning.endswith("these 10 events may be stored twice")
    assert server.stored_ns() == Counter({n: 2 for n in range(1, 11)})


def test_retries_that_give_out_after_a_possibly_stored_request_say_so():
    """Not sent again, so not counted as duplicates in this run; but not hidden either: they
    count as not sent, a warning says they may be stored."""
    server = FakeAxiom()
    server.rule = lambda evs: error(504, "gateway timeout")
    result, _ = run(server, events(10), backoff=lambda: Backoff(start=0.001, cap=0.002, max_attempts=1))
    assert (result.state, result.ingested, result.not_sent, result.possible_duplicates) == (JobState.FAILED, 0, 10, 0)
    assert result.error == "gave up after 1 attempt: the server had a problem (504): gateway timeout"
    assert [str(w) for w in result.warnings] == [
        "lines 1–10: the last request for these 10 events reached the server but its answer did not say what it "
        "stored: they count as not sent, yet may be stored; resuming sends them again, so they may then be stored "
        "twice"]


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
    assert result.error == ("dataset 'logs' does not exist (404; Axiom does not create datasets on ingest): "
                            "create it, then resume — the events not sent are kept for that")
    assert (result.ingested, result.not_sent) == (0, 5)
    assert result.to_json()["error_kind"] == "dataset"
