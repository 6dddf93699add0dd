"""A process sending queued files as the window does (the core queue: queued rows, a start that is
not awaited, acks written behind) is killed with SIGKILL at a chosen step; `axiom-drop resume
--all` then reports the truth: every event stored, the counts in full, and exactly the batch that
was in flight counted (and listed by line) as possible duplicates — never an acked one.

Real parts: the sender is a subprocess, the sandbox is on loopback, resume is the CLI entry point.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from app import cli
from app.core import journal
from app.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[3]
EVENTS, BATCH = 300, 100  # three batches a file

CHILD = """
import asyncio, sys
from app.core import axiom
from app.core.job import Source
from app.core.plan import Plan
from app.core.queue import UploadQueue


class Quiet:  # the queue's front end: nothing is shown
    def __getattr__(self, name):
        return lambda *a, **k: None

    def is_open(self):
        return True


async def main(url, token, paths):
    client = axiom.AxiomClient(axiom.Endpoint(url, url), token, timeout=60)
    q = UploadQueue(client=lambda: client, dataset=lambda: "ds", where=lambda: {"profile": None, "endpoint": None},
                    spawn=lambda coro, name: asyncio.ensure_future(coro), events=Quiet(), max_concurrent=1)
    q.job_options = {"max_events": %d, "in_flight": 1}
    q.add_all([(Source.from_path(p), Plan(format="ndjson")) for p in paths])
    while not all(e.is_finished for e in q.entries()):
        await asyncio.sleep(0.01)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
""" % BATCH


def write_file(path: Path, f: int) -> Path:
    path.write_text("".join('{"f": %d, "n": %d}\n' % (f, n) for n in range(1, EVENTS + 1)))
    return path


def wait_for(cond, timeout: float = 30, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.01)


def batch_status(path: Path) -> dict[int, str]:
    """{seq: status} of the journal's batches of the job sending `path` (empty before it starts)."""
    rows = [r for r in journal.history() if r.path == str(path.resolve())]
    if not rows:
        return {}
    with journal.opened() as j:
        return {m.seq: m.status for m in j.batches(rows[0].id)}


def cli_json(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", auto_create=True).start()
    yield sb
    sb.stop()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("step", ["first batch in flight, not stored", "second batch stored, its answer not back"])
def test_killed_between_steps_then_resume_reports_the_truth(step, sandbox, tmp_path, capsys, monkeypatch):
    a, b = write_file(tmp_path / "a.ndjson", 0), write_file(tmp_path / "b.ndjson", 1)
    if step.startswith("first"):
        sandbox.faults.update({"script": ["slow=30"]})  # the first request waits before anything is stored
        in_flight, acked, doubt = 0, 0, (1, 100)
    else:
        sandbox.faults.delay = 2.0  # every answer is held 2 s after its events are stored
        in_flight, acked, doubt = 1, 100, (101, 200)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, sandbox.url, sandbox.token, str(a), str(b)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if in_flight:  # the second batch is stored, its answer held: killed before it is acknowledged
            wait_for(lambda: batch_status(a).get(0) == "acked" and len(sandbox.events("ds")) >= 2 * BATCH,
                     what="the first batch acked, the second stored")
        else:  # the first request is held before anything is stored
            wait_for(lambda: batch_status(a).get(0) == "inflight", what="the first batch in flight")
            time.sleep(0.2)
        assert child.poll() is None, child.communicate()
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    sandbox.faults.clear()

    monkeypatch.setenv("AXIOM_URL", sandbox.url)
    monkeypatch.setenv("AXIOM_TOKEN", sandbox.token)
    code, listing = cli_json(capsys, "resume", "--json")
    jobs = {Path(j["path"]).name: j for j in listing["jobs"]}
    assert code == 0 and set(jobs) == {"a.ndjson", "b.ndjson"}, listing
    assert jobs["a.ndjson"]["interrupted"] and jobs["a.ndjson"]["ingested"] == acked
    assert jobs["b.ndjson"]["state"] == journal.QUEUED and jobs["b.ndjson"]["ingested"] == 0

    code, out = cli_json(capsys, "resume", "--all", "--json")
    files = {Path(f["path"]).name: f for f in out["files"]}
    assert code == 0, out
    fa, fb = files["a.ndjson"], files["b.ndjson"]
    assert (fa["ingested"], fa["failed"], fa["not_sent"]) == (EVENTS, 0, 0), fa
    assert fa["possible_duplicates"] == BATCH and fa["possible_duplicate_lines"] == [list(doubt)], fa
    assert (fb["ingested"], fb["possible_duplicates"], fb["possible_duplicate_lines"]) == (EVENTS, 0, []), fb

    stored = Counter((e["f"], e["n"]) for e in sandbox.events("ds"))
    assert set(stored) == {(f, n) for f in (0, 1) for n in range(1, EVENTS + 1)}  # none lost
    twice = sorted(n for (f, n), c in stored.items() if c > 1)
    assert all(f == 0 and doubt[0] <= n <= doubt[1] for (f, n), c in stored.items() if c > 1), twice[:5]
    assert all(stored[(0, n)] == 1 for n in range(1, EVENTS + 1) if not doubt[0] <= n <= doubt[1])  # acked: not resent
    if in_flight:
        assert len(twice) == BATCH  # stored, then sent again: exactly what was reported
    assert journal.unfinished_jobs() == []
