"""What the resume and journal tests share: a sandbox per test, a client to it, quick retries,
NDJSON inputs, and a job "killed" partway (its task cancelled, as a dying process leaves it)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from app.core import axiom
from app.core.job import Backoff, Source, UploadJob, resume_job
from app.core.plan import Plan
from app.core.sniff import sniff_path
from app.sandbox import Sandbox


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", auto_create=True).start()
    yield sb
    sb.stop()


def fast_backoff():
    return Backoff(start=0.01, cap=0.05, max_attempts=8)


def client_for(sb):
    return axiom.AxiomClient(axiom.Endpoint(sb.url, sb.url), sb.token, timeout=5)


def write_ndjson(path, n, bad=()):
    with open(path, "w") as f:
        for i in range(1, n + 1):
            f.write('{"n": %d, broken\n' % i if i in bad else '{"n": %d, "_time": "2024-01-01T00:00:00Z"}\n' % i)
    return path


def counts(sb, dataset="ds"):
    return Counter(e["n"] for e in sb.events(dataset))


async def _run_and_crash(sb, path, *, after_ingested, **kw):
    """Run a job and cancel its task (like a process dying) once `after_ingested` are stored."""
    client = client_for(sb)
    job = UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds",
                    backoff=fast_backoff, **kw)
    task = asyncio.create_task(job.run())
    while job.progress.ingested < after_ingested and not task.done():
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.aclose()
    return job


def crash(sb, path, after_ingested, **kw):
    return asyncio.run(_run_and_crash(sb, path, after_ingested=after_ingested, **kw))


def resume(sb, record, **kw):
    async def go():
        client = client_for(sb)
        try:
            return await resume_job(record, client, backoff=fast_backoff, **kw).run()
        finally:
            await client.aclose()

    return asyncio.run(go())
