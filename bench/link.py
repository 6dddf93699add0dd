"""Upload time over a link: Axiom Drop against the ways people send a file today, same data,
same server (the sandbox in `--fast` mode holding each response 50 ms), same run.

Rows:
- Axiom Drop: `axiom-drop send FILE`, run in the client namespace (defaults: tuned zstd level).
- curl: `curl --data-binary @FILE` (how Axiom's docs send a file), one uncompressed request.
- zstd -3 | curl: `zstd -3 -c FILE | curl -T -` with Content-Encoding: zstd, one streamed
  request (what the `axiom` CLI does).
- axiom-py: `Client.ingest` with a gzip body (bench/axiompy_row.py, its own venv).
- lower bound: see lowerbound.py.
Also Axiom Drop with 2/4/8/16 requests in flight (`--in-flight`).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import OUT, PY, ROOT, SandboxProc, run_timed
from netns import Link

AXIOM_PY_VENV = OUT / "axiom-py-venv"
DATASET = "bench"


def ensure_axiom_py() -> Path | None:
    """A venv under bench/out with axiom-py from PyPI; None (row skipped) when it cannot be had."""
    py = AXIOM_PY_VENV / "bin" / "python"
    if py.exists():
        return py
    print("  installing axiom-py into bench/out/axiom-py-venv …", flush=True)
    try:
        subprocess.run([PY, "-m", "venv", str(AXIOM_PY_VENV)], check=True)
        subprocess.run([str(AXIOM_PY_VENV / "bin" / "pip"), "install", "-q", "axiom-py"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, OSError):
        shutil.rmtree(AXIOM_PY_VENV, ignore_errors=True)
        return None
    return py


def _wire_bytes(sb: SandboxProc) -> int | None:
    log = [r for r in sb.requests() if "ingest" in (r.get("path") or "")]
    return sum(r.get("bytes") or 0 for r in log) if log else None


WARM_MARK = "--warm-row"  # the last argument of the warm row's command (ignored by the script)


def _first_request(sb: SandboxProc, started_at: float) -> float | None:
    """Seconds from the process start to the first ingest request's headers at the server."""
    times = [r["time"] for r in sb.requests() if "ingest" in (r.get("path") or "") and r.get("time")]
    return min(times) - started_at if times else None


def _stored(sb: SandboxProc) -> int:
    return sum(r.get("stored") or 0 for r in sb.requests() if r.get("status") == 200)


def run_link(link: Link, path: Path, events: int, settings: list[dict], *, repeat: int, in_flight: list[int],
             delay: float = 0.05) -> dict:
    """All rows for one link; returns {"link", "rows": [...], "in_flight": [...], "lower_bound": {...}}."""
    import lowerbound

    work = Path(tempfile.mkdtemp(prefix="axdrop-bench-"))
    rows: list[dict] = []
    sweep: list[dict] = []
    with link:
        sb = SandboxProc(link, work, delay)
        try:
            env = dict(os.environ, AXIOM_URL=sb.url, AXIOM_TOKEN=sb.token, AXIOM_DROP_HOME=str(work / "home"),
                       AXIOM_DROP_TUNING_TRACE="1")
            env.pop("AXIOM_ORG_ID", None)

            def once(cmd: list[str]) -> dict:
                sb.reset()
                r = run_timed(cmd, env)
                if cmd[-1] == WARM_MARK and r["code"] == 0:  # its own clock: from after start-up to done
                    warm = json.loads(r["stdout"].strip().splitlines()[-1])
                    r["wall_s"], r["started_at"] = warm["seconds"], warm["started_at"]
                r["stored"] = _stored(sb)
                r["wire"] = _wire_bytes(sb)
                r["first_s"] = _first_request(sb, r["started_at"])
                return r

            def summarise(name: str, runs: list[dict]) -> dict:
                runs = sorted(runs, key=lambda r: r["wall_s"])
                r = runs[len(runs) // 2]  # the median run
                ok = all(x["code"] == 0 and x["stored"] == events for x in runs)
                out = {"row": name, "wall_s": round(r["wall_s"], 3), "runs": [round(x["wall_s"], 3) for x in runs],
                       "ok": ok, "stored": r["stored"], "cpu_s": round(r["cpu_s"], 2),
                       "wire_mb": round(r["wire"] / 1e6, 2) if r["wire"] else None,
                       "first_s": round(r["first_s"], 3) if r.get("first_s") is not None else None}
                if "tuning: " in r["stderr"]:
                    out["tuning"] = json.loads(r["stderr"].split("tuning: ", 1)[1].splitlines()[0])
                if not ok:
                    bad = next(x for x in runs if x["code"] != 0 or x["stored"] != events)
                    out["error"] = (bad["stderr"] or bad["stdout"])[-400:] or f"stored {bad['stored']} of {events}"
                print(f"    {name:<34} {out['wall_s']:>7.2f} s  cpu {out['cpu_s']:>5.2f} s  "
                      f"{out['wire_mb'] or 0:>6.2f} MB  {'ok' if ok else 'FAILED: ' + out['error'][:200]}"
                      + (f"  [{out['tuning']['final']}]" if out.get("tuning") else ""), flush=True)
                return out

            send = [*link.client, PY, "-m", "app", "send", str(path), "-d", DATASET, "--json", "--allow-http"]
            auth = "-H \"Authorization: Bearer $AXIOM_TOKEN\""
            ingest = f"{sb.url}/v1/ingest/{DATASET}"
            q = shlex.quote(str(path))
            cmds = {
                "Axiom Drop (axiom-drop send)": send,
                "Axiom Drop, warm process (the window)": [*link.client, PY, str(ROOT / "bench" / "warm_row.py"),
                                                          str(path), DATASET, WARM_MARK],
                "curl --data-binary @file": [*link.client, "bash", "-c",
                    f"curl -sS --fail -o /dev/null -X POST {auth} -H 'Content-Type: application/x-ndjson' "
                    f"--data-binary @{q} {ingest}"],
                "zstd -3 | curl -T - (axiom CLI)": [*link.client, "bash", "-c",
                    f"set -o pipefail; zstd -3 -q -c {q} | curl -sS --fail -o /dev/null -X POST {auth} "
                    f"-H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: zstd' -T - {ingest}"],
            }
            apy = ensure_axiom_py()
            if apy is not None:
                cmds["axiom-py Client.ingest (gzip)"] = [*link.client, str(apy), str(ROOT / "bench" / "axiompy_row.py"),
                                                         str(path), sb.url, DATASET]
            # Interleaved rounds (A B C D, A B C D, …) so that a noisy neighbour hurts every row
            # alike; the slow rows (plain curl, axiom-py) run once, the close ones `repeat` times.
            runs: dict[str, list[dict]] = {name: [] for name in cmds}
            for i in range(repeat):
                for name, cmd in cmds.items():
                    if i == 0 or name.startswith(("Axiom Drop", "zstd")):
                        runs[name].append(once(cmd))
            rows.extend(summarise(name, rs) for name, rs in runs.items())
            for n in in_flight:
                r = summarise(f"Axiom Drop --in-flight {n}", [once([*send, "--in-flight", str(n)])])
                sweep.append({"in_flight": n, "wall_s": r["wall_s"], "ok": r["ok"], "wire_mb": r["wire_mb"]})
        finally:
            sb.stop()
    shutil.rmtree(work, ignore_errors=True)

    size = path.stat().st_size
    curl = next(r for r in rows if r["row"].startswith("curl"))
    goodput = size / curl["wall_s"]
    lb = lowerbound.bound(settings, goodput)
    rows.append({"row": f"lower bound ({lb['setting']})", "wall_s": round(lb["seconds"], 3), "ok": True,
                 "wire_mb": round(lb["size"] / 1e6, 2), "runs": []})
    drop = rows[0]["wall_s"]
    for r in rows:
        r["x_axiom_drop"] = round(r["wall_s"] / drop, 2) if drop else None
    return {"link": link.label, "rate_mbit": link.rate_mbit, "server_delay_s": delay, "input_mb": round(size / 1e6, 1),
            "events": events, "link_goodput_mb_s": round(goodput / 1e6, 2), "rows": rows, "in_flight": sweep,
            "lower_bound": lb}


def targets(result: dict) -> list[tuple[str, float | None, str, bool | None]]:
    """(target, measured, wanted, met) for this link."""
    drop = result["rows"][0]
    zc = next(r for r in result["rows"] if r["row"].startswith("zstd -3"))
    curl = next(r for r in result["rows"] if r["row"].startswith("curl"))
    lb = next(r for r in result["rows"] if r["row"].startswith("lower bound"))
    out = []
    t_zc = drop["wall_s"] / zc["wall_s"] if zc["ok"] else None
    if result["rate_mbit"] == 50:
        out.append(("Axiom Drop / (zstd -3 | curl)", t_zc, "<= 0.9", t_zc is not None and t_zc <= 0.9))
        t_lb = drop["wall_s"] / lb["wall_s"]
        out.append(("Axiom Drop / lower bound", t_lb, "<= 1.15", t_lb <= 1.15))
        t_c = curl["wall_s"] / drop["wall_s"]
        out.append(("curl / Axiom Drop (speed-up)", t_c, ">= 5", t_c >= 5))
    elif result["rate_mbit"] == 500:
        out.append(("Axiom Drop / (zstd -3 | curl)", t_zc, "<= 1.0", t_zc is not None and t_zc <= 1.0))
    return out


if __name__ == "__main__":  # a quick manual run: python bench/link.py FILE RATE
    import sys

    import lowerbound

    p = Path(sys.argv[1])
    rate = float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "loopback" else None
    n = sum(1 for line in open(p, "rb") if line.strip())
    inf = [int(x) for x in sys.argv[3].split(",")] if len(sys.argv) > 3 else []
    res = run_link(Link(rate), p, n, lowerbound.measure(p, 4), repeat=1, in_flight=inf)
    print(json.dumps(res, indent=1))
