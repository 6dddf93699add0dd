"""The logfmt block path alone: one translate() of an 8 MB block of bench/textlog_row.py's logfmt
lines, C (when built) and the regex path, the time cache cold (a new reader) and warm (the same
block again). Prints MB/s (best of 5).

    python bench/logfmt_block.py [--size-mb 8]"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.textlog.clock import Clock  # noqa: E402
from app.core.textlog.fast_logfmt import Logfmt  # noqa: E402
from bench.textlog_row import _logfmt  # noqa: E402


def block(size_mb: float) -> bytes:
    r, lines, size, i = random.Random(7), [], 0, 0
    while size < size_mb * 1e6:
        lines.append(_logfmt(i, r))
        size += len(lines[-1])
        i += 1
    return "".join(lines).encode()


def rate(data: bytes, native: bool, warm: bool) -> float:
    n, best = data.count(b"\n"), float("inf")
    for _ in range(5):
        reader = Logfmt(Clock("Europe/Berlin", date(2026, 12, 3)), native=native)
        if warm:
            reader.translate(data, n)
        t0 = time.perf_counter()
        out = reader.translate(data, n)
        best = min(best, time.perf_counter() - t0)
        assert out is not None
    return len(data) / 1e6 / best


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=float, default=8)
    data = block(parser.parse_args().size_mb)
    for native in (True, False):
        for warm in (False, True):
            print(f"{'C' if native else 'regex'} path, time cache {'warm' if warm else 'cold'}: "
                  f"{rate(data, native, warm):.0f} MB/s ({len(data) / 1e6:.1f} MB, load {os.getloadavg()[0]:.1f})")
