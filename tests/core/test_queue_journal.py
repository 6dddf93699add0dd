"""Files queued but not started are journaled when they are queued, so a crash or a kill offers
them all again; a queued entry that starts continues its own journal entry; removing or
cancelling a queued row forgets it. Real jobs against the sandbox over loopback."""

from __future__ import annotations

import asyncio
from collections import Counter

from app.core import axiom, journal
from app.core.job import Backoff, JobState, Source, resume_job
from app.core.plan import Plan
from app.core.queue import UploadQueue
from app.sandbox import Sandbox
from tests.core.test_queue import Events

import pytest


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", auto_create=True).start()
    yield sb
    sb.stop()


def files(tmp_path, count, n=200):
    out = []
    for k in range(count):
        p = tmp_path / f"f{k}.ndjson"
        p.write_text("".join('{"f": %d, "n": %d}\n' % (k, i) for i in range(n)))
        out.append(p)
    return out


def make_queue(client, **kw):
    q = UploadQueue(client=lambda: client, dataset=lambda: "ds", where=lambda: {"profile": None, "endpoint": None},
                    spawn=lambda coro, name: asyncio.ensure_future(coro), events=Events(), **kw)
    q.job_options = {"max_events": 50, "in_flight": 1, "backoff": lambda: Backoff(start=0.01, cap=0.05)}
    return q


def test_queued_files_are_offered_after_a_crash_and_resume_sends_each_once(sandbox, tmp_path):
    paths = files(tmp_path, 8)
    sandbox.faults.delay = 0.1

    async def go():
        client = axiom.AxiomClient(axiom.Endpoint(sandbox.url, sandbox.url), sandbox.token, timeout=5)
        q = make_queue(client, max_concurrent=2)
        entries = q.add_all([(Source.from_path(p), Plan(format="ndjson")) for p in paths])
        while sum(e.ingested for e in entries) < 50:
            await asyncio.sleep(0.01)
        rows = journal.history()
        assert len(rows) == 8 and Counter(r.state for r in rows) == {"running": 2, "queued": 6}
        assert journal.unfinished_jobs() == []  # the queue is alive: nothing to offer
        for e in q.running():  # the process dies: its tasks end where they are, its locks go
            e.task.cancel()
        await asyncio.sleep(0.05)
        q.journal.close()
        await client.aclose()

    asyncio.run(go())
    offered = journal.unfinished_jobs()
    assert sorted(r.path for r in offered) == sorted(str(p.resolve()) for p in paths)
    assert Counter(r.state for r in offered) == {"running": 2, "queued": 6}
    assert all("not started" in r.describe() for r in offered if r.state == "queued")
    sandbox.faults.delay = 0

    async def resume_all():
        client = axiom.AxiomClient(axiom.Endpoint(sandbox.url, sandbox.url), sandbox.token, timeout=5)
        try:
            return [await resume_job(r, client).run() for r in offered]
        finally:
            await client.aclose()

    results = asyncio.run(resume_all())
    assert all(r.state == JobState.DONE for r in results)
    stored = Counter((e["f"], e["n"]) for e in sandbox.events("ds"))
    assert set(stored) == {(k, i) for k in range(8) for i in range(200)}
    queued_ids = {r.id for r in offered if r.state == "queued"}
    assert all(r.possible_duplicates == 0 for r in results if r.job_id in queued_ids)
    queued_files = [paths.index(next(p for p in paths if str(p.resolve()) == r.path))
                    for r in offered if r.id in queued_ids]
    assert len(queued_files) == 6 and all(stored[(k, i)] == 1 for k in queued_files for i in range(200))
    assert len(journal.history()) == 8 and journal.unfinished_jobs() == []  # no second row for any file


def test_a_queued_entry_continues_its_journal_entry_and_removed_ones_are_forgotten(sandbox, tmp_path):
    paths = files(tmp_path, 6)
    sandbox.faults.delay = 0.05

    async def go():
        client = axiom.AxiomClient(axiom.Endpoint(sandbox.url, sandbox.url), sandbox.token, timeout=5)
        q = make_queue(client, max_concurrent=1)
        entries = q.add_all([(Source.from_path(p), Plan(format="ndjson")) for p in paths])
        queued_ids = [e.resume_record.id for e in entries[1:]]
        q.remove(entries[1])
        q.cancel(entries[2])
        while not all(e.is_finished for e in q.entries()):
            await asyncio.sleep(0.01)
        q.clear_finished()
        await asyncio.sleep(0.05)
        q.journal.close()
        await client.aclose()
        return entries, queued_ids

    entries, queued_ids = asyncio.run(go())
    rows = {r.id: r for r in journal.history()}
    assert len(rows) == 6
    assert [e.job_id for e in entries[3:]] == queued_ids[2:]  # started: the same journal entry
    assert all(rows[i].state == "done" for i in queued_ids[2:])
    assert rows[queued_ids[0]].state == rows[queued_ids[1]].state == "cancelled"
    assert journal.unfinished_jobs() == []


def test_a_folders_worth_is_journaled_in_the_background_and_none_starts_before_its_record(sandbox, tmp_path):
    from app.core.queue import JOURNAL_INLINE

    paths = files(tmp_path, JOURNAL_INLINE + 10, n=5)

    async def go():
        client = axiom.AxiomClient(axiom.Endpoint(sandbox.url, sandbox.url), sandbox.token, timeout=5)
        q = make_queue(client)
        entries = q.add_all([(Source.from_path(p), Plan(format="ndjson")) for p in paths])
        # add_all returned before the records were written: nothing runs yet, every row is queued.
        assert all(e.journaling for e in entries) and q.running() == []
        q.cancel(entries[-1])  # cancelled while its record is being written
        q.remove(entries[-2])
        while any(e.journaling for e in entries):
            await asyncio.sleep(0.01)
        while not all(e.is_finished for e in entries[:-2]):
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # the discard of the two dropped rows runs in a worker thread
        q.journal.close()
        await client.aclose()
        return entries

    entries = asyncio.run(go())
    assert sum(e.ingested for e in entries) == (JOURNAL_INLINE + 8) * 5
    rows = journal.history()
    # One history row per file (a queued record continued when it started); the two dropped ones
    # are discarded as with a few files (listed as cancelled), never offered to resume.
    assert Counter(r.state for r in rows) == {"done": JOURNAL_INLINE + 8, "cancelled": 2}
    assert journal.unfinished_jobs() == []
