"""One fuzz process (started by __main__ under the sanitizers): the sanitized modules first on
their packages' __path__, then cases of one target until the time is up. Each case is written to
`current` (repr, ast.literal_eval reads it back) before it runs, so a crash leaves it behind.
Exit 0: no difference; 3: a difference, saved under `found`; 2: not the sanitized build.

    python -m tools.fuzz_native.worker OVERLAY TARGET SECONDS SEED CURRENT FOUND
    python -m tools.fuzz_native.worker OVERLAY --replay CASE_FILE"""

from __future__ import annotations

import ast
import ctypes
import importlib
import importlib.util
import random
import sys
import sysconfig
import time
import traceback
from pathlib import Path

TARGETS = ("syslog", "access", "logfmt", "events", "csv", "lines")


def use_overlay(overlay: Path) -> None:
    """The sanitized modules load instead of those `make` built in place: each is put in
    sys.modules under its dotted name before anything of the app is imported (a package's
    __init__ may import its module). Exits 2 unless every C module is from there, under ASan."""
    from tools.fuzz_native.build import modules

    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in modules():
        *_, package, stem = name.split(".")
        spec = importlib.util.spec_from_file_location(name, overlay / package / (stem + suffix))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    for name in modules():
        origin = Path(importlib.import_module(name).__file__)
        if overlay not in origin.parents:
            sys.exit(f"fuzz_native: {name} loaded from {origin}, not the sanitized build")
    if not hasattr(ctypes.CDLL(None), "__asan_init"):
        sys.exit("fuzz_native: the ASan runtime is not loaded (LD_PRELOAD)")


def cases(target: str):
    """(make a case from a Random, check a case) of a target"""
    from tools.fuzz_native import csv_inputs, lines_inputs, logfmt_inputs, textlog_inputs as t

    return {"syslog": (lambda r: t.fast_case(r, "syslog-rfc3164"), t.check_fast),
            "access": (lambda r: t.fast_case(r, r.choice(["access-combined", "access-common"])), t.check_fast),
            "logfmt": (logfmt_inputs.logfmt_case, logfmt_inputs.check_logfmt),
            "events": (t.events_case, t.check_events),
            "csv": (csv_inputs.csv_case, csv_inputs.check_csv),
            "lines": (lines_inputs.lines_case, lines_inputs.check_lines)}[target]


def checker(case: dict):
    target = {"fast": "syslog"}.get(case["target"], case["target"])
    return cases(target)[1]


def run_one(check, case: dict) -> str | None:
    try:
        return check(case)
    except Exception:  # an exception on either side (a SystemError from the C …) is a finding
        return traceback.format_exc()


def fuzz(target: str, seconds: float, seed: int, current: Path, found: Path) -> int:
    make, check = cases(target)
    rng = random.Random(seed)
    end, count, start = time.monotonic() + seconds, 0, time.monotonic()
    report = start + 300
    while time.monotonic() < end:
        if time.monotonic() > report:  # a long run says it is alive
            print(f"{target} (seed {seed}): {count:,} inputs so far", flush=True)
            report += 300
        case = make(rng)
        current.write_text(repr(case))
        problem = run_one(checker(case), case)
        count += 1
        if problem:
            found.mkdir(parents=True, exist_ok=True)
            saved = found / f"{target}-{seed}-difference.case"
            saved.write_text(repr(case))
            print(f"{target} (seed {seed}): DIFFERENCE after {count} inputs, saved in {saved}\n{problem}", flush=True)
            return 3
    print(f"{target} (seed {seed}): {count:,} inputs in {time.monotonic() - start:.0f} s, no difference", flush=True)
    return 0


def main(argv: list[str]) -> int:
    overlay = Path(argv[0]).resolve()
    use_overlay(overlay)
    if argv[1] == "--replay":
        case = ast.literal_eval(Path(argv[2]).read_text())
        problem = run_one(checker(case), case)
        print(problem or "the case now gives the same result in C and in Python", flush=True)
        return 3 if problem else 0
    target, seconds, seed, current, found = argv[1], float(argv[2]), int(argv[3]), Path(argv[4]), Path(argv[5])
    return fuzz(target, seconds, seed, current, found)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
