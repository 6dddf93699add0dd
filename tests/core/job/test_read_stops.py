"""Reading that stops before the end of a file, against the sandbox over loopback: what was read
is sent, and the rest is "not sent from line N" with its count unknown — in the result, the
journal (for History) and the words every front end shows."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import random

import pytest

from app.core import journal
from app.core.job import JobState, Source, UploadJob, not_sent_text, rest_from_stop
from app.core.job import reading
from app.core.job.results import stop_text
from app.core.plan import Plan
from app.core.sniff import sniff_path
from app.sandbox import Sandbox

from tests.core.job.test_upload import client_for, fast_backoff, stored_ns

N = 30_000


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", datasets=("ds",)).start()
    yield sb
    sb.stop()


def events(n=N, start=1) -> bytes:
    return "".join(json.dumps({"n": i, "msg": f"event {i}"}) + "\n" for i in range(start, start + n)).encode()


def run(sb, source: Source, plan: Plan, **kw):
    async def go():
        client = client_for(sb)
        try:
            job = UploadJob(source, plan, client, "ds", backoff=fast_backoff, max_events=2_000, **kw)
            return await job.run()
        finally:
            await client.aclose()
    return asyncio.run(go())


def test_a_truncated_gz_counts_the_rest_as_not_sent_from_its_line(sandbox, tmp_path):
    data = gzip.compress(events(), mtime=0)
    path = tmp_path / "cut.ndjson.gz"
    path.write_bytes(data[: len(data) // 2])
    result = run(sandbox, Source.from_path(path), Plan.from_sniff(sniff_path(path)))
    sent = result.ingested
    assert 0 < sent < N and stored_ns(sandbox) == list(range(1, sent + 1))  # every whole event before the cut
    assert result.state == JobState.DONE_WITH_FAILURES
    assert (result.failed, result.not_sent, result.rest_from) == (0, 0, sent + 1)
    assert result.not_sent_text == f"not sent: the rest, from line {sent + 1:,} (count unknown)"
    assert result.stopped_at == f"line {sent + 1:,}, not read from there on"
    # the journal keeps it, so History can say it after a restart
    record = journal.find_jobs(result.job_id)[0]
    assert rest_from_stop(record.stopped_at) == sent + 1
    assert not_sent_text(record.not_sent, rest_from_stop(record.stopped_at)) == result.not_sent_text


def test_binary_data_midway_stops_reading_there(sandbox, tmp_path):
    path = tmp_path / "damaged.ndjson"
    path.write_bytes(events(1_000) + random.Random(7).randbytes(1 << 20) + b"\n" + events(500, start=1_001))
    result = run(sandbox, Source.from_path(path), Plan(format="ndjson", compression=None, encoding="utf-8"))
    assert result.ingested == 1_000 and result.rest_from == 1_001
    assert "binary data" in result.error
    assert result.not_sent_text == "not sent: the rest, from line 1,001 (count unknown)"


class BreaksAfter(io.RawIOBase):
    """A file whose reads fail past `limit` bytes (a disk or network share that went away)."""

    def __init__(self, data: bytes, limit: int):
        self.f, self.limit = io.BytesIO(data), limit

    def readable(self):
        return True

    def readinto(self, b):
        if self.f.tell() >= self.limit:
            raise OSError(5, "Input/output error")
        chunk = self.f.read(min(len(b), self.limit - self.f.tell()))
        b[: len(chunk)] = chunk
        return len(chunk)

    def tell(self):
        return self.f.tell()


def test_a_read_error_names_the_line_not_only_the_byte(sandbox, tmp_path):
    data = events(200_000)  # ~7 MB: the reader's blocks before the failing read are whole
    path = tmp_path / "share.ndjson"
    path.write_bytes(data)
    source = Source.from_path(path)
    source.open_raw = lambda: io.BufferedReader(BreaksAfter(data, len(data) // 2), 1 << 16)
    result = run(sandbox, source, Plan(format="ndjson", compression=None, encoding="utf-8"))
    sent = result.ingested
    assert 0 < sent < 200_000 and result.rest_from == sent + 1
    assert "Input/output error" in result.error and "reading stopped at byte" in result.error
    assert result.stopped_at == f"line {sent + 1:,}, not read from there on"


def test_a_rest_too_long_to_count_after_a_cancel_is_said_so(sandbox, tmp_path, monkeypatch):
    """After a cancel the unsent rest is read to count it; past the time allowed, the rest
    from there on is "count unknown", beside what was counted."""
    monkeypatch.setattr(reading, "REST_COUNT_SECONDS", -1.0)  # no time at all to count
    path = tmp_path / "big.ndjson"
    path.write_bytes(events(20_000))
    source, plan = Source.from_path(path), Plan(format="ndjson", compression=None, encoding="utf-8")

    async def go():
        client = client_for(sandbox)
        job = UploadJob(source, plan, client, "ds", backoff=fast_backoff, max_events=2_000, in_flight=1)
        job.cancel()
        try:
            return await job.run()
        finally:
            await client.aclose()
    result = asyncio.run(go())
    assert result.state == JobState.CANCELLED and result.ingested == 0
    assert result.rest_from == 2_001 and result.not_sent == 2_000  # the first batch counted, then time ran out
    assert result.not_sent_text == "2,000 not sent, and the rest from line 2,001 (count unknown)"
    assert result.stopped_at == "line 1, not read from line 2,001 on"
    assert rest_from_stop(result.stopped_at) == 2_001


@pytest.mark.parametrize("stopped, rest, text", [
    ("line 10", None, "line 10"),
    (None, None, None),
    ("line 1204", 1204, "line 1,204, not read from there on"),
    (None, 7, "line 7, not read from there on"),
    ("line 3", 1204, "line 3, not read from line 1,204 on"),
])
def test_stop_text_reads_back(stopped, rest, text):
    assert stop_text(stopped, rest) == text
    assert rest_from_stop(text) == rest


def test_not_sent_words():
    assert not_sent_text(0, None) is None
    assert not_sent_text(1204, None) == "1,204 not sent"
    assert not_sent_text(0, 1204) == "not sent: the rest, from line 1,204 (count unknown)"
    assert not_sent_text(5, 1204) == "5 not sent, and the rest from line 1,204 (count unknown)"
