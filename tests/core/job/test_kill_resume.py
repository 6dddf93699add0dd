"""`axiom-drop send` killed with SIGKILL at random moments of a large upload, then `axiom-drop
resume`, again and again: the sandbox ends with every event, none lost, and events stored twice
only within the spans the final summary reports as possible duplicates."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from app.core import journal
from app.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[3]
N = 300_000
KILLS = 20


def write_events(path: Path, n: int) -> None:
    with open(path, "w") as f:
        f.writelines('{"n":%d,"msg":"event"}\n' % i for i in range(1, n + 1))


def verify(sb: Sandbox, dataset: str, summary: dict) -> None:
    assert (summary["ingested"], summary["failed"], summary["not_sent"]) == (N, 0, 0), summary
    stored = Counter(e["n"] for e in sb.events(dataset))
    assert len(stored) == N and min(stored) == 1 and max(stored) == N  # none lost
    spans = summary["possible_duplicate_lines"]
    twice = [k for k, c in stored.items() if c > 1]
    assert all(any(a <= k <= b for a, b in spans) for k in twice), (twice[:5], spans)
    assert summary["possible_duplicates"] >= len(twice)  # events that may be stored more than once


def summary_from_journal(record: journal.JobRecord) -> dict:
    with journal.opened() as j:
        marks = j.batches(record.id)
    return {"ingested": record.ingested, "failed": record.failed, "not_sent": record.not_sent,
            "possible_duplicates": record.possible_duplicates,
            "possible_duplicate_lines": [[m.first_line, m.last_line] for m in marks if m.possible_duplicates]}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_at_random_moments_then_resume(tmp_path):
    rnd = random.Random(1234)
    path = tmp_path / "big.ndjson"
    write_events(path, N)
    sb = Sandbox(tmp_path / "sandbox", auto_create=True).start()
    sb.faults.delay = 0.15  # every answer waits: requests are in flight when the kill comes
    env = dict(os.environ, AXIOM_URL=sb.url, AXIOM_TOKEN=sb.token, PYTHONPATH=str(ROOT))
    kills = rounds = resumes = 0
    dataset = "kill0"
    try:
        command = "send"
        while True:
            argv = ([sys.executable, "-m", "app", "send", str(path), "-d", dataset, "--json"] if command == "send"
                    else [sys.executable, "-m", "app", "resume", "--all", "--json"])
            resumes += command == "resume"
            proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if kills < KILLS:
                deadline = time.monotonic() + rnd.uniform(0.3, 1.8)
                while time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(0.01)
            if proc.poll() is None and kills < KILLS:
                proc.send_signal(signal.SIGKILL)
                proc.communicate()
                kills += 1
                if journal.unfinished_jobs():
                    command = "resume"
                    continue
                latest = [h for h in journal.history(dataset) if h.dataset == dataset][:1]
                if not latest:
                    command = "send"  # killed before the job was journaled: nothing was sent
                    continue
                # killed after its job had finished (while exiting): check it from the journal
                verify(sb, dataset, summary_from_journal(latest[0]))
            else:
                out, err = proc.communicate(timeout=120)
                files = json.loads(out)["files"]
                assert len(files) == 1, (out, err)
                verify(sb, dataset, files[0])
            rounds += 1
            assert journal.unfinished_jobs() == []
            if kills >= KILLS:
                break
            dataset, command = f"kill{rounds}", "send"  # that upload finished: start another
    finally:
        sb.stop()
    assert kills == KILLS and rounds >= 1
    assert resumes >= KILLS // 2  # most kills hit a journaled upload, not a process still starting
    print(f"{kills} kills, {resumes} resumes, {rounds} uploads completed")
