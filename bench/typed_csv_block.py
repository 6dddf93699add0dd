"""Typed CSV's block path alone: one typed_csv._typed() of an 8 MB block of bench/data.py's CSV
(status, duration_ms and bytes typed as numbers, as the sniffer types them), C (when built) and
the Python path (typed_fast.py), with and without empty cells. Prints MB/s and CPU ms (best of 5).

    python bench/typed_csv_block.py [--size-mb 8]"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.batching import typed_csv, typed_fast  # noqa: E402
from app.core.batching.batch import Batch  # noqa: E402
from app.core.batching.typed_fast import native_blocks  # noqa: E402
from app.core.sniff import CsvDialect  # noqa: E402
from app.core.sniff.csv_types import NUMBER  # noqa: E402
from bench.data import FIELDS, _csv, events  # noqa: E402

TYPES = {"status": NUMBER, "duration_ms": NUMBER, "bytes": NUMBER}


def block(size_mb: float, holes: bool) -> bytes:
    rows: list[bytes] = []
    size = 0
    for chunk in events():
        data = _csv(chunk)
        if holes:  # every 7th row without its bytes, every 11th without its user agent
            lines = data.split(b"\n")[:-1]
            for i in range(0, len(lines), 7):
                c = lines[i].split(b",")
                c[5] = b""
                lines[i] = b",".join(c)
            for i in range(3, len(lines), 11):
                c = lines[i].split(b",")
                c[7] = b""
                lines[i] = b",".join(c)
            data = b"\n".join(lines) + b"\n"
        rows.append(data)
        size += len(data)
        if size >= size_mb * 1e6:
            return b"".join(rows)
    raise AssertionError


def best(data: bytes, native: bool, null: bool) -> tuple[float, float]:
    n = data.count(b"\n")
    batch = Batch(0, "csv", b"", data, n, range(2, n + 2), 0, len(data))
    dialect = CsvDialect(fields=FIELDS)
    wall = cpu = float("inf")
    for _ in range(5):
        blocks = native_blocks(FIELDS, [TYPES.get(f) for f in FIELDS]) if native else None  # one file's
        t0, c0 = time.perf_counter(), time.process_time()
        out = typed_csv._typed(batch, FIELDS, TYPES, null, dialect, blocks)
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
        assert out.body.count(b"\n") == n
    return len(data) / 1e6 / wall, cpu * 1e3


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=float, default=8)
    size = parser.parse_args().size_mb
    for holes in (False, True):
        data = block(size, holes)
        for native in ((True, False) if typed_fast._native_csv is not None else (False,)):
            for null in ((False, True) if holes else (False,)):
                rate, cpu = best(data, native, null)
                cells = f"empty cells {'null' if null else 'omitted'}" if holes else "no empty cells"
                print(f"{'C' if native else 'Python'} path, {cells}: "
                      f"{rate:.0f} MB/s, {cpu:.1f} ms CPU ({len(data) / 1e6:.1f} MB, load {os.getloadavg()[0]:.1f})")
