"""The job's own progress counters against the real sandbox: what this run sent (bytes, events
acknowledged) is what speed and ETA are made of; a resume does not count what it skipped."""

from __future__ import annotations

import asyncio

from app.core import journal, progress
from app.core.job import JobState, resume_job
from tests.journal_support import client_for, crash, fast_backoff, sandbox, write_ndjson  # noqa: F401 (sandbox: a fixture)


def test_a_resume_counts_only_what_it_sent(sandbox, tmp_path):
    sandbox.faults.delay = 0.1
    path = write_ndjson(tmp_path / "big.ndjson", 20_000)
    crash(sandbox, path, after_ingested=6_000, max_events=2_000, in_flight=1)
    [record] = journal.unfinished_jobs()
    sandbox.faults.delay = 0
    reports = []

    async def go():
        client = client_for(sandbox)
        try:
            job = resume_job(record, client, backoff=fast_backoff, on_progress=reports.append)
            result = await job.run()
            return job, result
        finally:
            await client.aclose()

    job, result = asyncio.run(go())
    assert result.state == JobState.DONE and result.ingested == 20_000
    last = job.progress
    size = path.stat().st_size
    assert last.bytes_read == size
    # Sent this run: the batches not acknowledged before, never the skipped ones.
    assert 0 < last.bytes_sent <= size * (20_000 - record.ingested) / 20_000 + 2_000 * 45
    assert last.events_acked == 20_000 - record.ingested + (last.possible_duplicates or 0)
    assert abs(last.bytes_per_s * last.elapsed - last.bytes_sent) < 1  # speed: what was sent, per second
    # While it ran, progress never ran ahead of what was acknowledged.
    for p in reports:
        f = progress.fraction(p.state, p, None)
        total = progress.events_total(p)
        if f not in (None, progress.UNKNOWN) and total:
            assert f <= (p.ingested + p.failed) / total + 1e-9
