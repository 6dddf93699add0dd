"""Text-log throughput: read → parse → batch → compress, in one process as an upload runs it
(the reader in one thread, zstd in a pool of two, at the upload's starting rung), for the kinds of
logs people drop. Prints MB of log lines per second; no network (the link rows measure that).

    python bench/textlog_row.py [--size-mb 40] [--only log4j]

Inputs are generated under bench/out. Every format here takes a block-at-once path, in C where
it is built (syslog, access logs: fast.py → _native.c; logfmt: fast_logfmt.py → _native_logfmt.c;
Python and log4j/logback logs with stack traces: fast_events.py → _native_events.c); big inputs
have their blocks prepared in worker processes (textlog/pool.py, from three cores) unless
`--workers 0`. CPU seconds are the reader process's own (the workers' are not in them)."""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core import tuning  # noqa: E402
from app.core.batching import iter_batches  # noqa: E402
from app.core.plan import Plan  # noqa: E402
from app.core.time.civil import NaiveZone  # noqa: E402

TARGET_MB_S = 100
MONTHS = ("Nov", "Dec")


def _syslog(i: int, r: random.Random) -> str:
    s = i // 40
    return (f"{MONTHS[s // 86400 % 2]} {1 + s // 3600 % 28:2d} {s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d} "
            f"web-{r.randrange(8)} sshd[{1000 + r.randrange(900)}]: Accepted publickey for user{r.randrange(99)} "
            f"from 10.{r.randrange(255)}.{r.randrange(255)}.{r.randrange(255)} port {r.randrange(1024, 65535)} ssh2\n")


def _access(i: int, r: random.Random) -> str:
    s = i // 40
    return (f'10.0.{r.randrange(255)}.{r.randrange(255)} - - [01/Dec/2026:{s // 3600 % 24:02d}:{s // 60 % 60:02d}:'
            f'{s % 60:02d} +0100] "GET /api/v1/items/{r.randrange(10**6)}?page={r.randrange(9)} HTTP/1.1" '
            f'{r.choice((200, 200, 200, 304, 404))} {r.randrange(90000)} "https://shop.example/p/{r.randrange(50)}" '
            f'"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"\n')


def _python(i: int, r: random.Random) -> str:
    s = i // 40
    head = f"2026-12-01 {s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d},{r.randrange(1000):03d} - app.worker - "
    if i % 50:
        return head + f"INFO - job {i} done in {r.randrange(900)} ms\n"
    return (head + f"ERROR - job {i} failed\nTraceback (most recent call last):\n"
            '  File "/srv/app/worker.py", line 88, in run\n    result = handler(payload)\n'
            "KeyError: 'n'\n")


THREADS = ("main", "http-nio-8080-exec-1", "http-nio-8080-exec-7", "scheduling-1")
LOGGERS = ("com.example.shop.OrderService", "o.s.web.servlet.DispatcherServlet", "com.zaxxer.hikari.pool.HikariPool")


def _log4j(i: int, r: random.Random) -> str:
    s = i // 40
    head = (f"2026-12-01 {s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d},{r.randrange(1000):03d} "
            f"[{THREADS[r.randrange(4)]}] ")
    if i % 50:
        return head + f"INFO  {LOGGERS[r.randrange(3)]} - order {i} placed in {r.randrange(900)} ms\n"
    return (head + f"ERROR {LOGGERS[0]} - order {i} failed\n"
            f"java.lang.IllegalStateException: no stock for item {r.randrange(10**5)}\n"
            "\tat com.example.shop.OrderService.place(OrderService.java:88)\n"
            "\tat com.example.shop.OrderController.post(OrderController.java:41)\n"
            "Caused by: java.sql.SQLException: Connection is not available, request timed out after 30000ms.\n"
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\n\t... 12 more\n")


def _logfmt(i: int, r: random.Random) -> str:
    return (f"time=2026-12-01T10:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i % 1000:03d}Z level=info "
            f'msg="request done" method=GET path=/api/items/{r.randrange(10**6)} status=200 '
            f"duration_ms={r.random() * 100:.3f}\n")


KINDS = {"syslog (RFC 3164)": ("syslog-rfc3164", _syslog), "access log (combined)": ("access-combined", _access),
         "Python logging with tracebacks": ("framework", _python), "logfmt": ("logfmt", _logfmt),
         "log4j/logback with stack traces": ("framework", _log4j)}


def generate(path: Path, make, size_mb: float) -> Path:
    if path.exists() and path.stat().st_size >= size_mb * 1e6 * 0.99:
        return path
    r = random.Random(7)
    with open(path, "w") as f:
        written = i = 0
        while written < size_mb * 1e6:
            chunk = "".join(make(i + k, r) for k in range(5000))
            i += 5000
            f.write(chunk)
            written += len(chunk)
    return path


RUNG = tuning.UPLOAD_START_RUNG  # --rung: another rung of the ladder (what a cheaper level would give)


def pipeline(data: bytes, log_format: str) -> tuple[float, int, int, float]:
    """(seconds, events, compressed bytes, CPU seconds of the process) for reading, batching and
    compressing `data`. CPU seconds say what it costs when other work shares the machine."""
    plan = Plan(format="text", log_format=log_format, time_zone=NaiveZone("Europe/Berlin"))
    tuner = tuning.Tuner("zstd", workers=2, start=RUNG)
    events = out = 0
    t0, c0 = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(2) as pool:
        pending = []
        for batch in iter_batches(io.BytesIO(data), plan):
            events += batch.count
            pending.append(pool.submit(tuner.compress, batch.payload()))
            if len(pending) > 4:
                out += len(pending.pop(0).result())
        out += sum(len(f.result()) for f in pending)
    return time.perf_counter() - t0, events, out, time.process_time() - c0


def parse_only(data: bytes, log_format: str) -> float:
    """Wall seconds for reading, parsing and batching alone (no compression; the workers' time
    is in it, the reader's CPU seconds would leave it out)."""
    plan = Plan(format="text", log_format=log_format, time_zone=NaiveZone("Europe/Berlin"))
    t0 = time.perf_counter()
    for _ in iter_batches(io.BytesIO(data), plan):
        pass
    return time.perf_counter() - t0


def run(size_mb: float = 40, out_dir: Path = ROOT / "bench" / "out", only: str | None = None) -> list[dict]:
    """`only`: the kinds whose label holds this text (default: every kind)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for label, (fmt, make) in KINDS.items():
        if only and only.lower() not in label.lower():
            continue
        path = generate(out_dir / f"textlog-{make.__name__.strip('_')}.log", make, size_mb)
        data = path.read_bytes()
        seconds, events, packed, cpu = min((pipeline(data, fmt) for _ in range(2)), key=lambda x: x[0])
        rows.append({"input": label, "format": fmt, "mb": round(len(data) / 1e6, 1), "events": events,
                     "wall_s": round(seconds, 2), "mb_per_s": round(len(data) / 1e6 / seconds, 1),
                     "cpu_s": round(cpu, 2), "mb_per_cpu_s": round(len(data) / 1e6 / cpu, 1),
                     "parse_mb_per_s": round(len(data) / 1e6 / parse_only(data, fmt), 1),
                     "workers": _workers(), "rung": tuning.LADDER[RUNG].name,
                     "ratio": round(len(data) / max(1, packed), 1), "load": round(os.getloadavg()[0], 1)})
        print(f"  {label}: {rows[-1]['mb_per_s']} MB/s", flush=True)
    return rows


def _workers() -> int:
    from app.core.textlog import pool

    return pool.processes()


def markdown(rows: list[dict]) -> list[str]:
    w = rows[0]["workers"] if rows else 0
    lines = [f"### Text logs: read → parse → batch → compress (2 zstd threads at {rows[0]['rung'] if rows else ''}; "
             + (f"blocks prepared in {w} worker processes)" if w else "in one process)"), "",
             "| input | MB | events | wall s | MB/s | CPU s (reader) | MB per CPU s | parsing alone, MB/s | "
             "compressed × | load |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['input']} | {r['mb']} | {r['events']:,} | {r['wall_s']} | {r['mb_per_s']} | {r['cpu_s']} | "
                     f"{r['mb_per_cpu_s']} | {r['parse_mb_per_s']} | {r['ratio']} | {r['load']} |")
    return lines


def targets(rows: list[dict]) -> list[dict]:
    return [{"link": "", "target": f"text-log throughput, {r['input']}", "measured": r["mb_per_s"],
             "wanted": f">= {TARGET_MB_S} MB/s", "met": r["mb_per_s"] >= TARGET_MB_S} for r in rows]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=40)
    parser.add_argument("--rung", type=int, default=tuning.UPLOAD_START_RUNG, help="zstd rung (tuning.LADDER index)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core; 0: none)")
    parser.add_argument("--only", default=None, help="the kinds whose label holds this text, e.g. log4j")
    args = parser.parse_args()
    RUNG = args.rung
    if args.workers is not None:
        from app.core.textlog import pool

        pool.processes = lambda: args.workers
    rows = run(args.size_mb, only=args.only)
    print("\n".join(markdown(rows)))
    print(json.dumps(rows))
