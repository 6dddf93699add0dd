"""Benchmarks that print figures (never part of the test run).

    make bench                      # 1 GB NDJSON to the sandbox: wall time, throughput, peak memory
    python bench/run.py --size-mb 200

The sandbox runs in its own process so that only `axiom-drop send` is measured. Peak memory is
the child's maximum resident set size as the kernel reports it (getrusage), not a sample.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

PATHS = ["/api/v1/users", "/api/v1/orders", "/login", "/static/app.js", "/health", "/api/v2/search"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "curl/8.5.0", "Go-http-client/2.0"]


def generate_ndjson(path: Path, size_mb: int, seed: int = 7) -> None:
    """Realistic web-log events of about 270 bytes each, written in large blocks."""
    rng = random.Random(seed)
    target = size_mb * 1_000_000
    written = 0
    t = 1_700_000_000
    with open(path, "wb") as f:
        while written < target:
            block = []
            for _ in range(5000):
                t += rng.random() * 0.05
                event = {
                    "_time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z",
                    "method": rng.choice(["GET", "GET", "GET", "POST", "PUT"]),
                    "path": rng.choice(PATHS),
                    "status": rng.choice([200, 200, 200, 201, 304, 404, 500]),
                    "duration_ms": round(rng.expovariate(1 / 40), 2),
                    "bytes": rng.randint(100, 50_000),
                    "client_ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                    "user_agent": rng.choice(AGENTS),
                    "trace_id": "%032x" % rng.getrandbits(128),
                }
                block.append(json.dumps(event, separators=(",", ":")))
            data = ("\n".join(block) + "\n").encode()
            f.write(data)
            written += len(data)


def start_sandbox(data_dir: Path) -> tuple[subprocess.Popen, str, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )
    url = token = None
    while url is None or token is None:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the sandbox did not start")
        if "http://" in line:
            url = line[line.index("http://"):].split()[0]
        if "token:" in line:
            token = line.split("token:", 1)[1].strip()
    return proc, url, token


def measure_send(path: Path, url: str, token: str, dataset: str) -> dict:
    env = dict(os.environ, AXIOM_URL=url, AXIOM_TOKEN=token)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "app", "send", str(path), "--dataset", dataset, "--json"],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"send failed ({proc.returncode}): {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    summary = json.loads(proc.stdout)["files"][0]
    size = path.stat().st_size
    return {
        "input": path.name,
        "input_mb": round(size / 1e6, 1),
        "events": summary["ingested"],
        "failed": summary["failed"],
        "wall_s": round(wall, 2),
        "mb_per_s": round(size / 1e6 / wall, 1),
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        "peak_note": "max RSS of the send process (getrusage)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1000, help="size of the generated NDJSON (default 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated input under bench/out")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="axiom-drop-bench-"))
    try:
        src = OUT / f"events-{args.size_mb}MB.ndjson"
        if not src.exists():
            print(f"generating {args.size_mb} MB of NDJSON …", flush=True)
            generate_ndjson(src, args.size_mb)
        sandbox, url, token = start_sandbox(work / "sandbox")
        try:
            row = measure_send(src, url, token, "bench")
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=30)
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        print()
        print(f"NDJSON upload to the local sandbox (loopback, no shaping) — {machine}")
        print(f"{'input':<28}{'MB':>8}{'events':>12}{'wall s':>9}{'MB/s':>8}{'peak RSS MB':>13}")
        print(f"{row['input']:<28}{row['input_mb']:>8}{row['events']:>12,}{row['wall_s']:>9}"
              f"{row['mb_per_s']:>8}{row['peak_rss_mb']:>13}")
        target = "met" if row["peak_rss_mb"] < 200 else "MISSED"
        print(f"peak memory target (< 200 MB): {target}")
        result = {"machine": machine, "date": time.strftime("%Y-%m-%d"), "ndjson_to_sandbox": row}
        (OUT / "results.json").write_text(json.dumps(result, indent=2))
        print(f"written to {OUT / 'results.json'}")
        if not args.keep and args.size_mb >= 500:
            src.unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
