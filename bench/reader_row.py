"""The reader alone: a file read into batches (iter_batches, as an upload's reader thread does,
nothing compressed or sent), with the block scan in C (_native_lines.c, when built) and in
Python. Prints CPU seconds (best of 3) and MB per CPU second for NDJSON and CSV (as CSV).

    python bench/reader_row.py [--mb 200]     (inputs generated under bench/out, as the other rows)"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # noqa: E402
from common import OUT  # noqa: E402

from app.core import sniff  # noqa: E402
from app.core.batching import iter_batches, scan  # noqa: E402
from app.core.io import decoded  # noqa: E402
from app.core.job import Source  # noqa: E402
from app.core.plan import plan_for  # noqa: E402


def cpu_seconds(path: Path) -> tuple[float, int]:
    plan = plan_for(sniff.sniff_path(path))  # CSV: as CSV (no typed columns asked for)
    plan.csv_types = None
    best, events = float("inf"), 0
    for _ in range(3):
        stream = decoded(Source.from_path(path).open_raw(), plan.compression, plan.encoding)
        t0 = time.thread_time()
        events = sum(b.count for b in iter_batches(stream, plan))
        best = min(best, time.thread_time() - t0)
        stream.close()
    return best, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=200)
    args = ap.parse_args()
    native = scan._native_lines
    print(f"{'input':<16} {'events':>10} {'C scan CPU s':>13} {'MB/CPU s':>9} {'Python CPU s':>13} {'MB/CPU s':>9}")
    for fmt in ("ndjson", "csv"):
        path = data.cached(OUT, fmt, args.mb)
        mb = path.stat().st_size / 1e6
        scan._native_lines = native
        c, events = cpu_seconds(path) if native is not None else (float("nan"), 0)
        scan._native_lines = None
        p, events = cpu_seconds(path)
        scan._native_lines = native
        print(f"{f'{mb:,.0f} MB {fmt}':<16} {events:>10,} {c:>13.3f} {mb / c:>9.0f} {p:>13.3f} {mb / p:>9.0f}")


if __name__ == "__main__":
    main()
