"""The CLI's time to first request: `axiom-drop send` of a tiny file on loopback, from the
process's start to the first ingest request's headers at the sandbox (its request log), and
the process's CPU time (user + system) for the whole command. Target: 100 ms.

Two rows: the sandbox answering at once (loopback: only the process's own work counts), and the
sandbox holding every response 50 ms, as a distant Axiom's round trip would: `send` asks for the
dataset's region first, and imports what reading and sending need while that answer is on its way."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from common import PY, SandboxProc, run_timed
from netns import Link

TARGET_S = 0.1


HOLDS_S = (0.0, 0.05)


def run_startup(runs: int = 7) -> dict:
    """Both rows: the first (no hold) is the headline and the target's figure."""
    rows = [_run_startup(runs, hold) for hold in HOLDS_S]
    return {**rows[0], "rows": rows}


def _run_startup(runs: int, hold: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="axdrop-start-"))
    small = work / "tiny.ndjson"
    small.write_text("".join(json.dumps({"n": i, "msg": "hello"}) + "\n" for i in range(20)))
    sb = SandboxProc(Link(None), work, delay=hold)
    firsts, cpus = [], []
    try:
        env = dict(os.environ, AXIOM_URL=sb.url, AXIOM_TOKEN=sb.token, AXIOM_DROP_HOME=str(work / "home"))
        env.pop("AXIOM_ORG_ID", None)
        for _ in range(runs):
            sb.reset()
            r = run_timed([PY, "-m", "app", "send", str(small), "-d", "bench", "--json"], env)
            times = [x["time"] for x in sb.requests() if "ingest" in (x.get("path") or "") and x.get("time")]
            if r["code"] == 0 and times:
                firsts.append(min(times) - r["started_at"])
                cpus.append(r["cpu_s"])
    finally:
        sb.stop()
        shutil.rmtree(work, ignore_errors=True)
    firsts.sort()
    cpus.sort()
    out = {"hold_s": hold, "runs": len(firsts), "first_request_s": round(firsts[len(firsts) // 2], 3) if firsts else None,
           "best_s": round(firsts[0], 3) if firsts else None,
           "cpu_s": round(cpus[len(cpus) // 2], 3) if cpus else None}
    out["met"] = out["first_request_s"] is not None and out["first_request_s"] <= TARGET_S
    print(f"    CLI time to first request (responses held {hold * 1000:.0f} ms): median {out['first_request_s']} s, best {out['best_s']} s, "
          f"CPU {out['cpu_s']} s ({out['runs']} runs)", flush=True)
    return out


def markdown(r: dict) -> list[str]:
    rows = r.get("rows") or [r]
    return ["### CLI time to first request (loopback, 20-line file)", "",
            "| server holds each response | median s | best s | CPU s of the whole command | target |",
            "|---:|---:|---:|---:|---|",
            *(f"| {x.get('hold_s', 0) * 1000:.0f} ms | {x['first_request_s']} | {x['best_s']} | {x['cpu_s']} | "
              f"{'<= ' + str(TARGET_S) if not x.get('hold_s') else '(no target)'} |" for x in rows)]
