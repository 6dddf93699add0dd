"""Shared helpers: the sandbox in its own process (maybe in a namespace), timed child processes."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
PORT = 18480
BENCH_DATASET = "bench"  # every row sends here


class SandboxProc:
    """`python -m app.sandbox --fast` in the server namespace (or on loopback)."""

    def __init__(self, link, work: Path, delay: float):
        self.link = link
        self.delay = delay
        self.token = "xaat-bench-" + secrets.token_hex(8)
        self.url = f"http://{link.server_host}:{PORT}"
        cmd = [*link.server, PY, "-m", "app.sandbox", "--fast", "--host", link.server_host,
               "--port", str(PORT), "--token", self.token, "--delay", str(delay),
               "--data-dir", str(work / "sandbox")]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=dict(os.environ, AXIOM_DROP_HOME=str(work / "home")))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if "listening on" in line:
                self.create_dataset()
                return
        self.stop()
        raise RuntimeError("the sandbox did not start")

    def _curl(self, method: str, path: str, body: str | None = None) -> bytes:
        data = ["-H", "Content-Type: application/json", "--data", body] if body is not None else []
        out = subprocess.run([*self.link.client, "curl", "-sS", "-X", method, "-H", f"Authorization: Bearer {self.token}",
                              *data, self.url + path], capture_output=True, timeout=30)
        return out.stdout

    def reset(self) -> None:
        """Clear what the last row left, then hold responses again: a reset clears every fault
        knob, the hold included (measured: 52 ms a request before a reset, 1 ms after)."""
        self._curl("POST", "/_sandbox/reset")
        self._curl("POST", "/_sandbox/faults", json.dumps({"delay": self.delay}))
        self.create_dataset()

    def create_dataset(self, name: str = BENCH_DATASET) -> None:
        """As on Axiom, ingest needs an existing dataset (a reset removes them all)."""
        self._curl("POST", "/v2/datasets", json.dumps({"name": name}))

    def requests(self) -> list[dict]:
        try:
            return json.loads(self._curl("GET", "/_sandbox/requests") or b"[]")
        except ValueError:
            return []

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_timed(cmd: list[str], env: dict | None = None, timeout: float = 600) -> dict:
    """Run cmd; wall seconds, exit code, output, CPU seconds and ru_maxrss (wait4). ru_maxrss
    includes the RSS this process had when it forked: use bench/peak.py for a child's own peak."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_at = time.time()  # wall clock, to compare with the sandbox's request log
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, env=env)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall_s": wall, "code": proc.returncode, "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace"), "peak_rss_mb": usage.ru_maxrss / 1024,
                "cpu_s": usage.ru_utime + usage.ru_stime, "started_at": started_at}


def machine() -> str:
    import platform

    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu or platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, "
            f"Linux {platform.release()}, Python {platform.python_version()}")
