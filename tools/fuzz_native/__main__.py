"""Build the sanitized modules, run the fuzz workers, keep what they find.

    python -m tools.fuzz_native [--seconds 300] [--only csv,logfmt] [--jobs 1] [--seed N] [--out build/fuzz]
    python -m tools.fuzz_native --replay build/fuzz/csv-123-difference.case

The time is shared between the targets (syslog, access, logfmt, events, csv, lines), each run by `jobs`
workers at once (seeds seed, seed + 1, …). Exit 0: nothing found; 1: a difference, a sanitizer
report, a crash or a case that ran over --hang seconds: the case is saved in --out (replay it with
--replay), with the worker's stderr beside it."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.fuzz_native.build import ROOT, asan_runtime, build
from tools.fuzz_native.worker import TARGETS


def sanitizer_env() -> dict[str, str]:
    return {**os.environ, "LD_PRELOAD": asan_runtime(), "PYTHONMALLOC": "malloc", "PYTHONPATH": str(ROOT),
            "ASAN_OPTIONS": "detect_leaks=0", "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}


class Worker:
    def __init__(self, tmp: Path, overlay: Path, target: str, seconds: float, seed: int, out: Path):
        self.name = f"{target}-{seed}"
        self.current, self.log, self.out = tmp / f"{self.name}.case", tmp / f"{self.name}.stderr", out
        self.current.write_text("")  # its mtime is the worker's heartbeat
        args = [str(overlay), target, str(seconds), str(seed), str(self.current), str(out)]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "tools.fuzz_native.worker", *args], cwd=ROOT,
                                         env=sanitizer_env(), stderr=log)

    def stuck(self, hang: float) -> bool:
        return time.time() - self.current.stat().st_mtime > hang

    def keep(self, why: str) -> None:
        """The case it was running and its stderr, saved in out; the report's end printed"""
        self.out.mkdir(parents=True, exist_ok=True)
        case = self.out / f"{self.name}-{why}.case"
        shutil.copyfile(self.current, case)
        shutil.copyfile(self.log, case.with_suffix(".stderr"))
        tail = self.log.read_text("utf-8", "replace").splitlines()[-40:]
        which = f"the case is {case}" if case.stat().st_size else "before its first case (starting up)"
        print(f"{self.name}: {why} (exit {self.proc.returncode}), {which}; its stderr, {case.with_suffix('.stderr')}:",
              *tail, sep="\n", flush=True)


def run(targets: list[str], seconds: float, jobs: int, seed: int, out: Path, hang: float) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="axiom-drop-fuzz-"))
    try:
        overlay = tmp / "overlay"
        build(overlay)
        share = seconds / len(targets)
        print(f"fuzz_native: {', '.join(targets)}, {share:.0f} s each, {jobs} worker(s) each, seeds from {seed}",
              flush=True)
        found = 0
        for target in targets:
            workers = [Worker(tmp, overlay, target, share, seed + j, out) for j in range(jobs)]
            while workers:
                time.sleep(0.5)
                for w in list(workers):
                    if w.proc.poll() is None:
                        if w.stuck(hang):
                            w.proc.kill()
                            w.proc.wait()
                            w.keep("hang")
                            found += 1
                            workers.remove(w)
                        continue
                    workers.remove(w)
                    if w.proc.returncode == 3:  # a difference: the worker saved it and said so
                        found += 1
                    elif w.proc.returncode:
                        w.keep("crash")
                        found += 1
        return 1 if found else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def replay(case: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="axiom-drop-fuzz-") as tmp:
        overlay = Path(tmp) / "overlay"
        build(overlay)
        rc = subprocess.run([sys.executable, "-m", "tools.fuzz_native.worker", str(overlay), "--replay",
                             str(case.resolve())], cwd=ROOT, env=sanitizer_env()).returncode
        return 1 if rc else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz_native", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="in all, shared by the targets (300)")
    parser.add_argument("--only", default=",".join(TARGETS), help="comma-separated: " + ", ".join(TARGETS))
    parser.add_argument("--jobs", type=int, default=1, help="workers per target at once (1)")
    parser.add_argument("--seed", type=int, default=None, help="the first worker's (default: from the clock)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "fuzz", help="where findings go (build/fuzz)")
    parser.add_argument("--hang", type=float, default=120, help="seconds one case may run (120)")
    parser.add_argument("--replay", type=Path, help="run one saved case under the sanitizers")
    args = parser.parse_args()
    try:
        if args.replay:
            return replay(args.replay)
        targets = [t for t in args.only.split(",") if t]
        unknown = set(targets) - set(TARGETS)
        if unknown or not targets:
            parser.error(f"unknown target(s) {', '.join(sorted(unknown))}: choose from {', '.join(TARGETS)}")
        seed = args.seed if args.seed is not None else int(time.time()) % 1_000_000
        return run(targets, args.seconds, max(1, args.jobs), seed, args.out.resolve(), args.hang)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"fuzz_native: {exc}" + (f"\n{exc.stderr}" if getattr(exc, "stderr", None) else ""), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
