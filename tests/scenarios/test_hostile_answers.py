"""Issue #11, sections 3, 4 and 7, as a user meets them: `axiom-drop send` against a truthful
server that answers badly. Each test reads what the server really stored and checks that the
summary accounts for it: nothing stored twice without being reported as a possible duplicate, no
hot loop, no hang, and never the token in the output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from hostile import Hostile, ok, respond

TOKEN = "xaat-00000000-hostile-secret-token"


def write_ndjson(path, n):
    path.write_text("".join(json.dumps({"n": i, "_time": "2026-01-01T00:00:00Z"}) + "\n"
                            for i in range(1, n + 1)))
    return path


def send(server, path, *extra, timeout=60):
    env = dict(os.environ, AXIOM_URL=server.url, AXIOM_TOKEN=TOKEN)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "app", "send", str(path), "-d", "ds", "--json",
                           "--compression", "none", *extra],
                          capture_output=True, text=True, env=env, timeout=timeout)
    proc.seconds = time.monotonic() - started
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return proc


@pytest.fixture
def hostile():
    servers = []

    def make(behave):
        servers.append(Hostile(behave).start())
        return servers[-1]

    yield make
    for s in servers:
        s.stop()


def summary(proc):
    return json.loads(proc.stdout)["files"][0]


def test_a_200_that_is_not_json_counts_as_possibly_stored(hostile, tmp_path):
    def behave(n, events, headers):
        if n == 1:
            return events, respond(200, b"<html>upstream says ok</html>"), 0
        return events, ok(events), 0

    server = hostile(behave)
    proc = send(server, write_ndjson(tmp_path / "a.ndjson", 100))
    f = summary(proc)
    stored_twice = len(server.stored) - len({e["n"] for e in server.stored})
    assert {e["n"] for e in server.stored} == set(range(1, 101))
    assert stored_twice == 100 and f["possible_duplicates"] == 100, f


def test_a_504_after_storing_is_reported_as_possible_duplicates(hostile, tmp_path):
    def behave(n, events, headers):
        if n == 1:
            return events, respond(504, {"message": "gateway timeout"}), 0
        return events, ok(events), 0

    server = hostile(behave)
    f = summary(send(server, write_ndjson(tmp_path / "a.ndjson", 100)))
    assert len(server.stored) == 200 and f["ingested"] == 100
    assert f["possible_duplicates"] == 100 and f["possible_duplicate_lines"] == [[1, 100]], f


def test_retry_after_zero_is_not_a_licence_to_hammer(hostile, tmp_path):
    def behave(n, events, headers):
        if n <= 5:
            return [], respond(429, {"message": "rate limit exceeded"}, {"Retry-After": "0"}), 0
        return events, ok(events), 0

    server = hostile(behave)
    proc = send(server, write_ndjson(tmp_path / "a.ndjson", 10))
    f = summary(proc)
    assert f["ingested"] == 10 and len(server.requests) == 6
    gaps = [b - a for a, b in zip(server.requests, server.requests[1:])]
    assert min(gaps) >= 0.5, gaps  # a floor, and it grows
    assert gaps[-1] > gaps[0], gaps


@pytest.mark.slow
@pytest.mark.timeout(300)  # two requests, each cut at its deadline (70 s), then the retries give out
def test_an_answer_trickled_a_byte_a_second_hits_a_deadline(hostile, tmp_path):
    def behave(n, events, headers):
        return [], ok(events), 1.0

    server = hostile(behave)
    proc = send(server, write_ndjson(tmp_path / "a.ndjson", 10), timeout=300)
    f = summary(proc)
    assert proc.returncode == 1 and f["ingested"] == 0 and f["not_sent"] + f["possible_duplicates"] >= 10
    assert proc.seconds < 240, proc.seconds


def test_the_token_echoed_in_a_200s_failures_is_never_shown_or_stored(hostile, tmp_path):
    def behave(n, events, headers):
        echo = f"bad event (Authorization: {headers['authorization']})"
        body = {"ingested": len(events) - 1, "failed": 1, "processedBytes": 1,
                "failures": [{"timestamp": "2026-01-01T00:00:00Z", "error": echo}],
                "messages": [{"priority": "warn", "code": "x", "count": 1, "msg": echo}]}
        return events[1:], respond(200, body), 0

    server = hostile(behave)
    proc = send(server, write_ndjson(tmp_path / "a.ndjson", 3))
    assert summary(proc)["failed"] == 1
    assert TOKEN not in proc.stdout + proc.stderr
    home = os.environ["AXIOM_DROP_HOME"]
    for root, _, files in os.walk(home):
        for name in files:
            assert TOKEN.encode() not in open(os.path.join(root, name), "rb").read(), name


def test_user_info_in_the_url_is_refused_without_repeating_it(tmp_path):
    env = dict(os.environ, AXIOM_URL="http://user:hunter2@127.0.0.1:9", AXIOM_TOKEN=TOKEN)
    proc = subprocess.run([sys.executable, "-m", "app", "send", str(write_ndjson(tmp_path / "a.ndjson", 1)),
                           "-d", "ds"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "hunter2" not in proc.stdout + proc.stderr
    assert "user" in (proc.stdout + proc.stderr).lower()


def test_a_connection_dropped_after_storing_is_reported_as_possible_duplicates(hostile, tmp_path):
    def behave(n, events, headers):
        return events, (None if n == 1 else ok(events)), 0  # stored, then closed without an answer

    server = hostile(behave)
    f = summary(send(server, write_ndjson(tmp_path / "a.ndjson", 100)))
    assert len(server.stored) == 200 and f["ingested"] == 100
    assert f["possible_duplicates"] == 100 and f["possible_duplicate_lines"] == [[1, 100]], f
