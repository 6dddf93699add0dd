"""Upload jobs against the sandbox over loopback: every status path ends with exact counts, and
the sandbox's stored events prove nothing was lost or stored twice."""

from __future__ import annotations

import asyncio
import gzip
import json

import orjson
import pytest
import zstandard

from app.core import axiom
from app.core.plan import Plan
from app.core import journal
from app.core.job import Backoff, JobState, Source, UploadJob, resume_job
from app.sandbox import Sandbox
from app.core.sniff import sniff_path


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", auto_create=True).start()
    yield sb
    sb.stop()


def fast_backoff():
    return Backoff(start=0.01, cap=0.05, max_attempts=6)


def client_for(sb, token=None):
    return axiom.AxiomClient(axiom.Endpoint(sb.url, sb.url), token or sb.token, timeout=5)


def write_ndjson(path, n, bad=(), field="n"):
    """n events on lines 1..n; lines in `bad` are replaced by malformed text."""
    lines = []
    for i in range(1, n + 1):
        if i in bad:
            lines.append('{"n": %d, broken' % i)
        else:
            lines.append(json.dumps({field: i, "_time": f"2024-01-01T00:{(i // 60) % 60:02d}:{i % 60:02d}Z",
                                     "msg": f"event {i}"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def run_job(sb, path, dataset="ds", token=None, **kw):
    source = Source.from_path(path)
    plan = Plan.from_sniff(sniff_path(path))
    states = []

    async def go():
        client = client_for(sb, token)
        job = UploadJob(source, plan, client, dataset, backoff=fast_backoff,
                        on_progress=lambda p: states.append(p.state), **kw)
        try:
            return await job.run()
        finally:
            await client.aclose()

    result = asyncio.run(go())
    result.seen_states = states
    return result


def stored_ns(sb, dataset="ds"):
    return sorted(e["n"] for e in sb.events(dataset))


def test_happy_path_stores_every_event_once(sandbox, tmp_path):
    path = write_ndjson(tmp_path / "a.ndjson", 25_000)
    result = run_job(sandbox, path)
    assert (result.state, result.ingested, result.failed, result.not_sent) == (JobState.DONE, 25_000, 0, 0)
    assert stored_ns(sandbox) == list(range(1, 25_001))
    assert len(result.requests) == 3  # 10,000 + 10,000 + 5,000


def test_400_reports_bad_lines_and_sends_the_rest(sandbox, tmp_path):
    path = write_ndjson(tmp_path / "bad.ndjson", 10_000, bad={17, 5000, 9999})
    result = run_job(sandbox, path)
    assert result.ingested == 9_997
    assert result.failed == 3
    assert [f.line for f in result.failures] == [17, 5000, 9999]
    assert all("JSON" in f.error or "json" in f.error for f in result.failures)
    assert result.failures[0].record.startswith('{"n": 17, broken')
    assert stored_ns(sandbox) == [i for i in range(1, 10_001) if i not in {17, 5000, 9999}]
    assert result.state == JobState.DONE_WITH_FAILURES


def test_400_for_non_object_lines_uses_line_numbers(sandbox, tmp_path):
    path = tmp_path / "mixed.ndjson"
    path.write_text('{"n": 1}\n42\n{"n": 3}\n"text"\n[1, 2]\n{"n": 6}\n')
    result = run_job(sandbox, path)
    assert result.ingested == 3
    assert [f.line for f in result.failures] == [2, 4, 5]
    assert stored_ns(sandbox) == [1, 3, 6]


def test_200_with_failures_is_never_resent_and_maps_lines(sandbox, tmp_path):
    sandbox.faults.reject_field = "forbidden"
    path = tmp_path / "partial.ndjson"
    rows = [{"n": i, "_time": f"2024-05-01T10:00:{i:02d}Z"} for i in range(1, 21)]
    rows[4]["forbidden"] = True  # line 5
    rows[11]["forbidden"] = True  # line 12
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run_job(sandbox, path)
    assert (result.ingested, result.failed) == (18, 2)
    assert [f.line for f in result.failures] == [5, 12]
    assert "forbidden" in result.failures[0].error
    assert len(result.requests) == 1  # the stored events were not sent again
    assert stored_ns(sandbox) == [i for i in range(1, 21) if i not in (5, 12)]


def test_413_splits_until_batches_fit(sandbox, tmp_path):
    sandbox.faults.max_body_bytes = 20_000
    path = write_ndjson(tmp_path / "big.ndjson", 2_000)
    result = run_job(sandbox, path)
    assert (result.ingested, result.failed, result.not_sent) == (2_000, 0, 0)
    assert stored_ns(sandbox) == list(range(1, 2_001))
    assert any(r["status"] == 413 for r in result.requests)


def test_429_waits_for_the_reset_then_sends(sandbox, tmp_path):
    sandbox.faults.script = ["429:reset=1"]
    path = write_ndjson(tmp_path / "rl.ndjson", 500)
    result = run_job(sandbox, path)
    assert (result.ingested, result.not_sent) == (500, 0)
    assert JobState.WAITING in result.seen_states
    assert stored_ns(sandbox) == list(range(1, 501))


def test_429_with_retry_after(sandbox, tmp_path):
    sandbox.faults.script = ["429:retry-after=1"]
    path = write_ndjson(tmp_path / "ra.ndjson", 100)
    result = run_job(sandbox, path)
    assert result.ingested == 100
    assert stored_ns(sandbox) == list(range(1, 101))


def test_5xx_burst_is_retried(sandbox, tmp_path):
    sandbox.faults.script = ["500", "503", "502", "html-500"]
    path = write_ndjson(tmp_path / "5xx.ndjson", 30_000)
    result = run_job(sandbox, path)
    assert (result.ingested, result.failed, result.not_sent) == (30_000, 0, 0)
    # each 5xx came after the whole body: those batches may have been stored, so they are reported
    spans = result.possible_duplicate_lines
    assert spans and result.possible_duplicates == sum(b - a + 1 for a, b in spans)
    assert stored_ns(sandbox) == list(range(1, 30_001))  # this server stored them once
    assert JobState.RETRYING in result.seen_states


def test_dropped_request_is_resent_without_duplicates(sandbox, tmp_path):
    sandbox.faults.script = ["drop-request"]
    path = write_ndjson(tmp_path / "drop.ndjson", 1_000)
    result = run_job(sandbox, path)
    assert (result.ingested, result.not_sent) == (1_000, 0)
    assert stored_ns(sandbox) == list(range(1, 1_001))


def test_dropped_response_counts_possible_duplicates(sandbox, tmp_path):
    sandbox.faults.script = ["drop-response"]
    path = write_ndjson(tmp_path / "dup.ndjson", 1_000)
    result = run_job(sandbox, path, in_flight=1)
    assert result.ingested == 1_000
    assert result.possible_duplicates == 1_000
    stored = stored_ns(sandbox)
    assert sorted(set(stored)) == list(range(1, 1_001))
    assert len(stored) == 2_000  # stored twice — exactly the batch reported as possible duplicates
    assert any("may be stored twice" in w for w in map(str, result.warnings))


def test_401_stops_with_a_message_and_stores_nothing(sandbox, tmp_path):
    path = write_ndjson(tmp_path / "auth.ndjson", 300)
    result = run_job(sandbox, path, token="xaat-wrong")
    assert result.state == JobState.FAILED
    assert result.error_kind == "auth"
    assert "token" in result.error.lower()
    assert (result.ingested, result.not_sent) == (0, 300)
    assert "xaat-wrong" not in result.error
    assert sandbox.events("ds") == []


def test_404_unknown_dataset_stops_before_more_batches_and_resumes_once_created(tmp_path):
    sb = Sandbox(tmp_path / "sb").start()  # as Axiom: ingest does not create a dataset
    try:
        path = write_ndjson(tmp_path / "x.ndjson", 5_000)
        result = run_job(sb, path, dataset="nope", in_flight=1, max_events=500)  # ten batches
        assert result.state == JobState.FAILED
        assert result.error_kind == "dataset"
        assert "dataset 'nope' does not exist (404" in result.error
        assert (result.ingested, result.failed, result.not_sent) == (0, 0, 5_000)
        assert [r["status"] for r in sb.requests_log] == [404]  # no further batch was sent
        assert sb.datasets() == []

        sb.create_dataset("nope")
        record = journal.get_job(result.job_id)
        assert record.resumable

        async def resume():
            client = client_for(sb)
            try:
                return await resume_job(record, client, endpoint=sb.url, backoff=fast_backoff).run()
            finally:
                await client.aclose()

        again = asyncio.run(resume())
        assert again.state == JobState.DONE and again.ingested == 5_000
        assert sorted(e["n"] for e in sb.events("nope")) == list(range(1, 5_001))
    finally:
        sb.stop()


def test_430_monthly_limit_stops_the_job(sandbox, tmp_path):
    sandbox.faults.script = ["430"]
    path = write_ndjson(tmp_path / "q.ndjson", 50)
    result = run_job(sandbox, path)
    assert result.error_kind == "quota"
    assert result.not_sent == 50 and result.ingested == 0


def test_cancel_reports_where_it_stopped(sandbox, tmp_path):
    sandbox.faults.delay = 0.3
    path = write_ndjson(tmp_path / "c.ndjson", 60_000)

    async def go():
        client = client_for(sandbox)
        job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                        in_flight=1, max_events=5_000)

        async def cancel_soon():
            while job.progress.ingested < 5_000:
                await asyncio.sleep(0.02)
            job.cancel()

        canceller = asyncio.create_task(cancel_soon())
        result = await job.run()
        await canceller
        await client.aclose()
        return result

    result = asyncio.run(go())
    assert result.state == JobState.CANCELLED
    assert result.stopped_at.startswith("line ")
    stopped_line = int(result.stopped_at.split()[1])
    assert stopped_line == result.ingested + 1  # everything before that line is stored
    assert stored_ns(sandbox) == list(range(1, result.ingested + 1))
    assert result.ingested < 60_000
    assert result.ingested + result.failed + result.not_sent == 60_000  # the unsent rest is counted


def test_pause_and_resume(sandbox, tmp_path):
    path = write_ndjson(tmp_path / "p.ndjson", 30_000)

    async def go():
        client = client_for(sandbox)
        job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds", in_flight=1)
        job.pause()
        task = asyncio.create_task(job.run())
        await asyncio.sleep(0.3)
        assert job.progress.state == JobState.PAUSED and job.progress.ingested == 0
        job.resume()
        result = await task
        await client.aclose()
        return result

    result = asyncio.run(go())
    assert result.ingested == 30_000
    assert stored_ns(sandbox) == list(range(1, 30_001))


@pytest.mark.parametrize("compress", [None, "gzip", "zstd"])
def test_compressed_json_array_input(sandbox, tmp_path, compress):
    data = json.dumps([{"n": i, "v": "x" * 10} for i in range(1, 1_001)], indent=2).encode()
    if compress == "gzip":
        data = gzip.compress(data)
    elif compress == "zstd":
        data = zstandard.ZstdCompressor().compress(data)
    path = tmp_path / "arr.json.bin"
    path.write_bytes(data)
    result = run_job(sandbox, path)
    assert result.ingested == 1_000
    assert stored_ns(sandbox) == list(range(1, 1_001))


def test_semicolon_csv_with_bom(sandbox, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("\ufeffname;city;n\n\"Smith; J\";Zürich;1\nDoe;\"Line\nbreak\";2\n".encode("utf-8"))
    result = run_job(sandbox, path)
    assert result.ingested == 2
    events = sorted(sandbox.events("ds"), key=lambda e: e["n"])
    assert events[0]["name"] == "Smith; J" and events[0]["city"] == "Zürich"
    assert events[1]["city"] == "Line\nbreak"
    assert "\ufeffname" not in events[0]


def test_truncated_json_array_sends_the_good_part_and_names_the_line(sandbox, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('[\n{"n": 1},\n{"n": 2},\n{"n": 3, "x": ')
    result = run_job(sandbox, path)
    assert result.ingested == 2
    assert result.error_kind == "input"
    assert "line 4" in result.error
    assert stored_ns(sandbox) == [1, 2]


def test_unreadable_file_is_a_clear_error(sandbox, tmp_path):
    source = Source.from_path(tmp_path / "missing.ndjson")

    async def go():
        client = client_for(sandbox)
        job = UploadJob(source, Plan(format="ndjson", compression=None, encoding="utf-8"), client, "ds")
        r = await job.run()
        await client.aclose()
        return r

    result = asyncio.run(go())
    assert result.state == JobState.FAILED
    assert "missing.ndjson" in result.error and "no such file" in result.error


def test_pasted_bytes_source(sandbox):
    from app.core.sniff import sniff_bytes

    text = b'{"n": 1}\n{"n": 2}\n'

    async def go():
        client = client_for(sandbox)
        job = UploadJob(Source.from_bytes(text), Plan.from_sniff(sniff_bytes(text)), client, "ds")
        r = await job.run()
        await client.aclose()
        return r

    assert asyncio.run(go()).ingested == 2
    assert stored_ns(sandbox) == [1, 2]


def test_labels_and_timestamp_options_reach_the_server(sandbox, tmp_path):
    path = tmp_path / "t.ndjson"
    path.write_text('{"n": 1, "ts": "2024-03-04T05:06:07Z"}\n')
    plan = Plan.from_sniff(sniff_path(path))
    plan.timestamp_field = "ts"
    plan.labels = {"env": "test"}

    async def go():
        client = client_for(sandbox)
        r = await UploadJob(Source.from_path(path), plan, client, "ds").run()
        await client.aclose()
        return r

    assert asyncio.run(go()).ingested == 1
    event = sandbox.events("ds")[0]
    assert event["_time"].startswith("2024-03-04T05:06:07")
    assert event["env"] == "test"
    assert orjson.dumps(event)


def test_one_line_array_failures_name_the_element(sandbox, tmp_path):
    """A one-line export puts every element on line 1: failures also say which element, whether the
    server refused the request (400) or failed single events in a 200."""
    long_name = "f" * 300
    events = [{"n": 1, "_time": "2024-01-01T00:00:01Z"}, 42,
              {"n": 3, "_time": "2024-01-01T00:00:03Z", long_name: 1}, {"n": 4, "_time": "2024-01-01T00:00:04Z"}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(events, separators=(",", ":")))
    result = run_job(sandbox, path)
    assert (result.ingested, result.failed, result.not_sent) == (2, 2, 0)
    assert [f.line for f in result.failures] == [1, 1]
    errors = sorted(f.error for f in result.failures)
    assert errors[0] == "element 2 of the array: not a JSON object (a number)"
    assert errors[1].startswith("element 3 of the array: field name too long")
    assert stored_ns(sandbox) == [1, 4]


def test_a_job_of_many_batches_keeps_its_requests_in_flight_at_once_and_a_small_one_sends_one(tmp_path):
    """Sender tasks start as batches are queued: a long file still has `in_flight` requests out at
    once (the server holding each answer), and a file of one batch makes one request."""
    from app.sandbox import Faults

    sb = Sandbox(tmp_path / "sb", auto_create=True, faults=Faults(delay=0.15)).start()
    try:
        big = write_ndjson(tmp_path / "big.ndjson", 1_200)
        small = write_ndjson(tmp_path / "small.ndjson", 40)

        async def go(path, dataset="ds"):
            client = client_for(sb)
            now, peak = [0], [0]
            ingest = client.ingest

            async def counted(*a, **kw):  # the real request, counted while it is out
                now[0] += 1
                peak[0] = max(peak[0], now[0])
                try:
                    return await ingest(*a, **kw)
                finally:
                    now[0] -= 1

            client.ingest = counted
            try:
                job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, dataset,
                                backoff=fast_backoff, in_flight=4, max_events=100)
                return await job.run(), peak[0]
            finally:
                await client.aclose()

        result, peak = asyncio.run(go(big))
        assert (result.state, result.ingested, len(result.requests)) == (JobState.DONE, 1_200, 12)
        assert peak == 4
        result, peak = asyncio.run(go(small, "small"))
        assert (result.state, result.ingested, len(result.requests), peak) == (JobState.DONE, 40, 1, 1)
        assert result.requests[0]["bytes"] < small.stat().st_size / 2  # compressed on the loop: still zstd
        assert sorted(e["n"] for e in sb.events("small")) == list(range(1, 41))
    finally:
        sb.stop()
