"""The lower bound of an upload's time: the smallest body the file compresses to in the time
available, divided by the link rate.

Definition (per link): LB = min over settings S of max(cpu(S) / cores, size(S) / link), where
S runs over zstd levels 1–19 and the app's tuning ladder, cpu(S) is the single-thread time to
compress the whole file with S (measured on a sample, scaled by size), size(S) the compressed
size, cores the machine's CPU count and link the measured goodput of the link (raw bytes / time
of the plain `curl --data-binary` row: what the link carries for a request when nothing else
limits it). Process start-up, request latency and the server's 50 ms hold are not in it, so no
real upload can reach it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.core import tuning  # noqa: E402

LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 19]


def measure(path: Path, sample_mb: float) -> list[dict]:
    """Per setting: name, cpu_s and size for the whole file (scaled from a sample of its head)."""
    total = path.stat().st_size
    with open(path, "rb") as f:
        sample = f.read(int(sample_mb * 1_000_000))
    cut = sample.rfind(b"\n") + 1 or len(sample)
    sample = sample[:cut]
    scale = total / len(sample)
    settings: list[tuple[str, zstandard.ZstdCompressor]] = [
        (f"zstd-{lv}", zstandard.ZstdCompressor(level=lv)) for lv in LEVELS]
    for r in tuning.LADDER:
        if r.params is not None:
            settings.append((r.name, zstandard.ZstdCompressor(
                compression_params=zstandard.ZstdCompressionParameters(**r.params))))
    out = []
    for name, c in settings:
        t0 = time.process_time()
        n = len(c.compress(sample))
        cpu = time.process_time() - t0
        out.append({"setting": name, "cpu_s": cpu * scale, "size": int(n * scale)})
    return out


def bound(settings: list[dict], link_bytes_per_s: float, cores: int | None = None) -> dict:
    cores = cores or os.cpu_count() or 1
    best = None
    for s in settings:
        t = max(s["cpu_s"] / cores, s["size"] / link_bytes_per_s)
        if best is None or t < best["seconds"]:
            best = {"seconds": t, "setting": s["setting"], "size": s["size"], "cores": cores}
    return best  # type: ignore[return-value]
