"""Hostile networks over loopback: bursts of 5xx, rate limits, dropped connections, a server slower
than the client's timeout, 413 caps, non-JSON error bodies, partial failures — and all of them at
once. For each: the counts are exact, and the sandbox holds each event once, or every event it
holds twice lies in a span the result reported as possible duplicates.

(test_upload.py covers the single-fault basics; these add concurrency, large bodies and mixes.)"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter

import pytest

from app.core import axiom
from app.core.plan import Plan
from app.core.job import Backoff, JobState, Source, UploadJob
from app.sandbox import Sandbox


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", auto_create=True).start()
    yield sb
    sb.stop()


def write_ndjson(path, n, pad=0, reject=()):
    with open(path, "w") as f:
        for i in range(1, n + 1):
            ev = {"n": i, "_time": f"2024-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"}
            if pad:
                ev["pad"] = "x" * pad
            if i in reject:
                ev["secret"] = True
            f.write(json.dumps(ev) + "\n")
    return path


def send(sb, path, *, timeout=5.0, attempts=10, compression="zstd", **kw):
    async def go():
        client = axiom.AxiomClient(axiom.Endpoint(sb.url, sb.url), sb.token, timeout=timeout)
        try:
            job = UploadJob(Source.from_path(path), Plan(format="ndjson"), client, "ds", compression=compression,
                            backoff=lambda: Backoff(start=0.01, cap=0.05, max_attempts=attempts), **kw)
            return await job.run()
        finally:
            await client.aclose()

    return asyncio.run(go())


def check(sb, result, n, *, failed=(), exactly_once=False):
    """Exact counts; every event stored (unless failed); duplicates only where reported."""
    assert result.ingested + result.failed + result.not_sent == n
    assert (result.failed, result.not_sent) == (len(failed), 0), result.error
    stored = Counter(e["n"] for e in sb.events("ds"))
    assert set(stored) == set(range(1, n + 1)) - set(failed)
    twice = sorted(k for k, c in stored.items() if c > 1)
    spans = result.possible_duplicate_lines
    assert all(any(a <= k <= b for a, b in spans) for k in twice), (twice[:5], spans)
    assert result.possible_duplicates >= len(twice)  # counts events, not extra copies
    if exactly_once:
        assert not twice
    return stored


def test_bursts_of_500_and_503_with_requests_in_flight(sandbox, tmp_path):
    """A 5xx after the whole body went out may follow a store (a gateway's 504): the batches it
    hit are resent and reported as possible duplicates, though this server stored none twice."""
    sandbox.faults.script = ["500", "503"] * 6 + ["503"] * 4
    path = write_ndjson(tmp_path / "5xx.ndjson", 40_000)
    result = send(sandbox, path, max_events=2_000, in_flight=4, attempts=20)
    assert result.state == JobState.DONE
    assert result.possible_duplicates == 2_000 * len(result.possible_duplicate_lines) > 0
    check(sandbox, result, 40_000, exactly_once=True)
    assert sum(1 for r in result.requests if r["status"] in (500, 503)) == 16


@pytest.mark.parametrize("fault", ["429:reset=1", "429:retry-after=1"])
def test_rate_limits_with_requests_in_flight(sandbox, tmp_path, fault):
    sandbox.faults.script = [fault] * 3
    path = write_ndjson(tmp_path / "rl.ndjson", 12_000)
    states = []
    t0 = time.monotonic()
    result = send(sandbox, path, max_events=1_000, in_flight=4, on_progress=lambda p: states.append(p.state))
    assert time.monotonic() - t0 >= 0.9  # it did wait (not a busy retry loop)
    assert JobState.WAITING in states
    check(sandbox, result, 12_000, exactly_once=True)
    assert sum(1 for r in result.requests if r["status"] == 429) == 3


def test_connection_dropped_in_the_middle_of_a_large_request_body(sandbox, tmp_path):
    sandbox.faults.script = ["drop-request", "drop-request"]
    path = write_ndjson(tmp_path / "big.ndjson", 6_000, pad=1_000)  # ~6 MB: bodies of ~4 MB, uncompressed
    result = send(sandbox, path, compression=None, in_flight=2)
    assert result.state == JobState.DONE
    check(sandbox, result, 6_000, exactly_once=True)  # the server read nothing: nothing stored twice
    assert max(r["bytes"] for r in result.requests) > 3_000_000


def test_dropped_responses_with_requests_in_flight_name_their_lines(sandbox, tmp_path):
    sandbox.faults.script = ["drop-response", "slow=0", "drop-response"]
    path = write_ndjson(tmp_path / "dr.ndjson", 10_000)
    result = send(sandbox, path, max_events=1_000, in_flight=4)
    stored = check(sandbox, result, 10_000)
    assert sum(c - 1 for c in stored.values()) == 2_000  # each dropped answer left one extra copy
    # Which request the second drop hits depends on timing: another batch, or the first one's
    # resend (then 1,000 events are stored three times). Either way every event stored more than
    # once is counted, once, and its lines named.
    twice = sorted(k for k, c in stored.items() if c > 1)
    assert result.possible_duplicates == len(twice) in (1_000, 2_000)
    assert sum(b - a + 1 for a, b in result.possible_duplicate_lines) == len(twice)
    assert 1 <= sum(1 for w in map(str, result.warnings) if "may be stored" in w) <= 2


def test_server_slower_than_the_client_timeout(sandbox, tmp_path):
    sandbox.faults.script = ["slow=2"]
    path = write_ndjson(tmp_path / "slow.ndjson", 3_000)
    t0 = time.monotonic()
    result = send(sandbox, path, timeout=0.5, max_events=1_000, in_flight=1)
    assert result.possible_duplicates == 1_000
    assert any("read timeout" in w or "in time" in w for w in map(str, result.warnings))
    time.sleep(max(0.0, 2.5 - (time.monotonic() - t0)))  # let the slow request finish server-side
    check(sandbox, result, 3_000)


def test_413_over_a_body_cap_splits_and_fails_only_the_event_that_cannot_fit(sandbox, tmp_path):
    sandbox.faults.max_body_bytes = 30_000
    path = write_ndjson(tmp_path / "cap.ndjson", 3_000)
    with open(path, "a") as f:  # line 3001: one event bigger than the cap on its own
        f.write(json.dumps({"n": 3_001, "pad": "y" * 40_000}) + "\n")
    result = send(sandbox, path)
    check(sandbox, result, 3_001, failed={3_001})
    [failure] = result.failures
    assert failure.line == 3_001 and "too large" in failure.error and "413" in failure.error


def test_non_json_error_bodies_until_the_retries_give_out(sandbox, tmp_path):
    sandbox.faults.script = ["html-500"] * 3
    path = write_ndjson(tmp_path / "html.ndjson", 500)
    result = send(sandbox, path, attempts=3)
    assert result.state == JobState.FAILED and result.error_kind == "server"
    assert "<html>" not in result.error and "500" in result.error
    assert (result.ingested, result.failed, result.not_sent) == (0, 0, 500)
    assert result.stopped_at == "line 1"
    assert sandbox.events("ds") == []


def test_partial_failures_mixed_with_retries(sandbox, tmp_path):
    sandbox.faults.reject_field = "secret"
    sandbox.faults.script = ["503", "drop-request", "500"]
    rejected = {5, 1_234, 9_999, 15_000}
    path = write_ndjson(tmp_path / "pf.ndjson", 15_000, reject=rejected)
    result = send(sandbox, path, max_events=2_500, in_flight=3)
    check(sandbox, result, 15_000, failed=rejected, exactly_once=True)
    assert sorted(f.line for f in result.failures) == sorted(rejected)
    assert all("rejected by sandbox" in f.error for f in result.failures)


def test_everything_at_once(sandbox, tmp_path):
    """A seeded mix of every fault over many batches, four requests in flight."""
    rnd = random.Random(20240601)
    menu = ["500", "503", "502", "html-500", "429:retry-after=0.2", "drop-request",
            "drop-response", "413", "slow=0", "slow=0", "slow=0", "slow=0"]  # slow=0: no fault
    sandbox.faults.script = [rnd.choice(menu) for _ in range(50)]
    sandbox.faults.script.insert(7, "429:reset=1")
    sandbox.faults.reject_field = "secret"
    rejected = set(rnd.sample(range(1, 30_001), 25))
    path = write_ndjson(tmp_path / "chaos.ndjson", 30_000, reject=rejected)
    result = send(sandbox, path, max_events=800, in_flight=4, attempts=30)
    check(sandbox, result, 30_000, failed=rejected)
    assert sorted(f.line for f in result.failures) == sorted(rejected)
    assert result.state == JobState.DONE_WITH_FAILURES


def test_a_200_that_acknowledges_nothing_is_resent_as_possible_duplicates(sandbox, tmp_path):
    """A proxy answering 200 without counts says nothing of what was stored: those events may be
    stored, so they are resent at once and reported as possible duplicates (none of them lost,
    none silently doubled), and nothing is left to resume."""
    from app.core import journal

    sandbox.faults.script = ["200"]
    path = write_ndjson(tmp_path / "odd.ndjson", 3_000)
    result = send(sandbox, path, max_events=1_000, in_flight=1)
    assert (result.state, result.ingested, result.not_sent) == (JobState.DONE, 3_000, 0)
    assert result.possible_duplicate_lines == [[1, 1_000]] and result.possible_duplicates == 1_000
    assert any("did not say what it stored" in w for w in map(str, result.warnings))
    check(sandbox, result, 3_000)
    assert journal.unfinished_jobs() == []
