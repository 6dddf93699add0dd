"""A folder of 2,000 small files added and sent from the window (QT_QPA_PLATFORM=offscreen).

The figures a user feels: seconds from the drop to "Send 2,000 files" (every head sniffed),
seconds from Send to the last row done, the window's peak RSS, and the longest stall of the
GUI thread meanwhile (a 5 ms timer's lateness). The window runs in a child process (a fresh Qt,
its own peak: VmHWM, which exec resets), the sandbox (`--fast`) in another, on loopback.

    python bench/folder.py [--files 2000]        # or: python bench/run.py --only folder
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
READY_S, DONE_S, PEAK_MB = 10.0, 40.0, 300.0


def make_folder(folder: Path, files: int) -> int:
    """`files` small NDJSON files of 40 events (~3.5 KB each); returns the events."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        with open(folder / f"app-{i:05d}.ndjson", "w") as f:
            for j in range(40):
                f.write(json.dumps({"time": f"2026-01-01T00:{j % 60:02d}:{i % 60:02d}Z", "level": "info",
                                    "msg": f"request {j} served", "host": f"web-{i % 7}", "n": i * 100 + j}) + "\n")
    return files * 40


def run_folder(files: int = 2000) -> dict:
    sys.path.insert(0, str(HERE))
    import socket

    import common
    from common import PY, SandboxProc
    from netns import Link

    with socket.socket() as s:  # a free port: other benchmarks may hold common.PORT
        s.bind(("127.0.0.1", 0))
        common.PORT = s.getsockname()[1]

    work = Path(tempfile.mkdtemp(prefix="axdrop-folder-"))
    try:
        events = make_folder(work / "logs", files)
        sb = SandboxProc(Link(None), work, delay=0.0)
        try:
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_API="pyside6", AXIOM_DROP_HOME=str(work / "home"))
            proc = subprocess.run([PY, str(HERE / "folder.py"), "--child", sb.url, sb.token, str(work / "logs")],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        finally:
            sb.stop()
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if os.environ.get("BENCH_TRACEMALLOC"):
            print(proc.stderr[-8000:])
        if proc.returncode != 0 or not lines:
            print(proc.stdout[-2000:], proc.stderr[-3000:])
            return {"error": (proc.stderr or proc.stdout)[-1000:]}
        res = json.loads(lines[-1])
        res.update(files=files, events=events)
        print(f"    {files:,} files: ready {res['ready_s']:.1f} s, done {res['done_s']:.1f} s, peak RSS "
              f"{res['peak_rss_mb']:.0f} MB, max stall {res['max_stall_ms']:.0f} ms; {res['ingested']:,} of "
              f"{events:,} events ingested, {res['failed']:,} failed", flush=True)
        return res
    finally:
        shutil.rmtree(work, ignore_errors=True)


def markdown(res: dict | None) -> list[str]:
    if not res or "error" in res:
        return ["### A folder of small files, from the window", "", f"not measured: {(res or {}).get('error', 'skipped')[:300]}"]
    return ["### A folder of small files, added and sent from the window (offscreen Qt, sandbox on loopback)", "",
            "| files | events | ready s | done s | peak RSS MB | max stall ms | ingested |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {res['files']:,} | {res['events']:,} | {res['ready_s']:.1f} | {res['done_s']:.1f} | "
            f"{res['peak_rss_mb']:.0f} | {res['max_stall_ms']:.0f} | {res['ingested']:,} |"]


def targets(res: dict | None) -> list[dict]:
    if not res or "error" in res:
        return [{"link": "", "target": "folder of small files", "measured": None, "wanted": "measured", "met": False}]
    n = f"{res['files']:,} files"
    return [
        {"link": "", "target": f"window: {n} dropped to ready (s)", "measured": round(res["ready_s"], 1),
         "wanted": f"<= {READY_S:.0f}", "met": res["ready_s"] <= READY_S},
        {"link": "", "target": f"window: {n} sent (s)", "measured": round(res["done_s"], 1),
         "wanted": f"<= {DONE_S:.0f}", "met": res["done_s"] <= DONE_S and res["ingested"] == res["events"]},
        {"link": "", "target": f"window: peak RSS with {n} (MB)", "measured": round(res["peak_rss_mb"]),
         "wanted": f"<= {PEAK_MB:.0f}", "met": res["peak_rss_mb"] <= PEAK_MB},
    ]


# ---------------------------------------------------------------- child side (the window)

def _peak_mb(key: str = "VmHWM") -> float:
    """The process's peak RSS (VmHWM), or its RSS now (VmRSS), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _child(url: str, token: str, folder: str) -> int:
    sys.path.insert(0, str(ROOT))
    import asyncio
    import types

    import PySide6  # noqa: F401  (before qasync)
    import qasync
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    qt_app = QApplication([sys.argv[0]])
    qt_app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)

    from app.ui.context import AppContext
    from app.ui.shell.main_window import MainWindow

    ctx = AppContext(sandbox=types.SimpleNamespace(url=url, token=token, stop=lambda: None))
    window = MainWindow(ctx)
    window.resize(1300, 850)
    window.show()
    gaps: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        if last[0]:
            gaps.append(max(0.0, now - last[0] - 0.005))
        last[0] = now

    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(5)
    ticker.timeout.connect(tick)

    async def until(cond, timeout: float, every: float = 0.005) -> bool:
        end = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > end:
                return False
            await asyncio.sleep(every)
        return True

    async def main() -> dict:
        if not await until(lambda: ctx.client() is not None, 30):
            raise SystemExit("the window did not connect to the sandbox")
        ctx.set_dataset("bench")
        await asyncio.sleep(0.3)
        drop, queue = window.drop_panel, window.queue_panel
        start_rss = _peak_mb("VmRSS")
        ticker.start()
        t0 = time.perf_counter()
        drop.add_paths([folder])
        if not await until(lambda: drop.send_button.isEnabled(), 300):
            raise SystemExit(f"never ready: {drop.send_button.text()}")
        ready = time.perf_counter() - t0
        rss = {"start": start_rss, "ready": _peak_mb("VmRSS")}
        sent: list = []  # the (Source, Plan) pairs Send hands over
        drop.sendRequested.connect(lambda jobs: sent.extend(jobs))
        finished: list = []  # counted as they finish: polling 2,000 rows would load the GUI thread itself
        queue.model.jobFinished.connect(finished.append)
        t1 = time.perf_counter()
        drop.send()
        send_ms = (time.perf_counter() - t1) * 1000  # the GUI thread, from Send to the jobs handed over
        # The rows come after the "already sent?" check (a worker thread): wait for all of them.
        if not sent or not await until(lambda: len(queue.entries()) >= len(sent), 120, every=0.02):
            raise SystemExit(f"Send queued {len(queue.entries())} of {len(sent)} files")
        rss["queued"] = _peak_mb("VmRSS")
        total = len(queue.entries())
        await until(lambda: len(finished) >= total, 900, every=0.05)
        done = time.perf_counter() - t1
        ticker.stop()
        entries = queue.entries()
        if os.environ.get("BENCH_TRACEMALLOC"):  # where the memory that stays is (for finding a leak)
            import gc
            import tracemalloc

            gc.collect()
            for stat in tracemalloc.take_snapshot().statistics("lineno")[:25]:
                print(stat, file=sys.stderr)
        return {"ready_s": ready, "done_s": done, "peak_rss_mb": _peak_mb(),
                "max_stall_ms": max(gaps or [0]) * 1000, "rows": len(entries), "send_ms": send_ms,
                "ingested": sum(e.ingested for e in entries), "failed": sum(e.failed for e in entries),
                "summary": queue.summary_row.text(), "rss_mb": {**rss, "done": _peak_mb("VmRSS")}}

    if os.environ.get("BENCH_TRACEMALLOC"):
        import tracemalloc

        tracemalloc.start()
    profile = None
    if os.environ.get("BENCH_PROFILE"):  # a cProfile of the window's side, for finding where time goes
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    with loop:
        res = loop.run_until_complete(main())
        print(json.dumps(res), flush=True)
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"])
    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalisation: PySide6's teardown is not what is measured


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(_child(*sys.argv[2:5]))
    n = int(sys.argv[sys.argv.index("--files") + 1]) if "--files" in sys.argv else 2000
    print(json.dumps(run_folder(n), indent=1))
