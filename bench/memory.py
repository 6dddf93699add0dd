"""Peak memory of `axiom-drop send` for big inputs of each format (loopback, `--fast` sandbox).

Peak = the send process's maximum resident set size as the kernel counts it (ru_maxrss, via
bench/peak.py so that the figure is the send process's own), not a sample. Inputs are generated under bench/out and deleted afterwards unless
--keep.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import data
from common import OUT, PY, SandboxProc, run_timed
from netns import Link

LIMIT_MB = 200


def run_memory(inputs: list[tuple[str, float]], keep: bool) -> list[dict]:
    rows = []
    work = Path(tempfile.mkdtemp(prefix="axdrop-mem-"))
    link = Link(None)
    sb = SandboxProc(link, work, delay=0.0)
    try:
        env = dict(os.environ, AXIOM_URL=sb.url, AXIOM_TOKEN=sb.token, AXIOM_DROP_HOME=str(work / "home"))
        for fmt, size_mb in inputs:
            path = data.cached(OUT, fmt, size_mb)
            sb.reset()
            r = run_timed([PY, "-S", str(Path(__file__).resolve().parent / "peak.py"),
                           PY, "-m", "app", "send", str(path), "-d", "bench", "--json",
                           # the generated CSV is clearly typed; measured as CSV, as zstd | curl sends it
                           *(["--typed-columns", "off"] if fmt == "csv" else [])], env, timeout=900)
            if "peak-rss-kb: " in r["stderr"]:  # the send process's own peak (see peak.py)
                r["peak_rss_mb"] = int(r["stderr"].rsplit("peak-rss-kb: ", 1)[1].split()[0]) / 1024
            stored = sum(x.get("stored") or 0 for x in sb.requests() if x.get("status") == 200)
            size = path.stat().st_size
            row = {"input": f"{size / 1e6:,.0f} MB {fmt}", "format": fmt, "input_mb": round(size / 1e6, 1),
                   "events": stored, "wall_s": round(r["wall_s"], 2), "mb_per_s": round(size / 1e6 / r["wall_s"], 1),
                   "peak_rss_mb": round(r["peak_rss_mb"], 1), "ok": r["code"] == 0,
                   "met": r["code"] == 0 and r["peak_rss_mb"] < LIMIT_MB}
            if r["code"] != 0:
                row["error"] = (r["stderr"] or r["stdout"])[-300:]
            print(f"    {row['input']:<22} {row['peak_rss_mb']:>7.1f} MB peak  {row['wall_s']:>6.1f} s "
                  f"({row['mb_per_s']} MB/s)  {stored:,} events  {'ok' if row['ok'] else 'FAILED'}", flush=True)
            rows.append(row)
            if not keep:
                path.unlink(missing_ok=True)
    finally:
        sb.stop()
        shutil.rmtree(work, ignore_errors=True)
    return rows
