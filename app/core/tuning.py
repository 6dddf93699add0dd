"""Pick the compression level from the measured link and CPU speed, and keep picking as they change.

An upload is a pipeline: N threads compress batches while a few requests are on the wire. Its
time is set by the slower stage: `raw / (workers × speed(L))` for compressing at level L, and
`raw × ratio(L) / link` for sending. A faster link wants a cheaper level; a slow link wants the
smallest body the CPUs can produce in time. The tuner measures both stages as the job runs —
each compressed batch reports (level, bytes in, bytes out, seconds), each request reports
(bytes, seconds on the wire) — and moves to the level that minimises the slower stage.

Levels are rungs of a ladder of zstd settings chosen for log-like JSON and CSV: min_match 6 and
lazy matching beat zstd's stock levels 5–12 there (e.g. "lazy2/search 6" reached level 13's ratio
at 4× its speed on the benchmark's web logs). Rungs never measured are predicted from priors
scaled by the nearest measured rung, so one good measurement is enough to decide, and a moved-to
rung is soon measured for real. The ladder is only a starting guess: what the job measures wins.

Thread-safe: `compress` runs in the pool's threads, `note_sent` on the event loop.
"""

from __future__ import annotations

import collections
import gzip
import os
import threading
import time
from dataclasses import dataclass

import zstandard


@dataclass(frozen=True)
class Rung:
    name: str
    params: dict | None       # ZstdCompressionParameters keywords; None: a stock level
    level: int                # stock level (used when params is None)
    prior_speed: float        # MB/s of input per thread, measured on web logs (2-core VM)
    prior_ratio: float        # compressed / raw on the same data


def _p(strategy: int, search_log: int, min_match: int = 6, chain_log: int = 18, hash_log: int = 18) -> dict:
    return dict(window_log=22, chain_log=chain_log, hash_log=hash_log, search_log=search_log, min_match=min_match,
                target_length=64, strategy=strategy)


# Priors: MB/s of input per thread and compressed/raw, on 2.7 MB batches of web-log NDJSON.
LADDER: tuple[Rung, ...] = (
    Rung("zstd-1", None, 1, 870, 0.184),
    Rung("dfast/mm7", _p(zstandard.STRATEGY_DFAST, 1, 7), 0, 480, 0.186),
    Rung("lazy2/s1", _p(zstandard.STRATEGY_LAZY2, 1), 0, 190, 0.1726),
    Rung("lazy2/s3", _p(zstandard.STRATEGY_LAZY2, 3), 0, 154, 0.1668),
    Rung("lazy2/s4", _p(zstandard.STRATEGY_LAZY2, 4), 0, 136, 0.1654),
    Rung("lazy2/s5", _p(zstandard.STRATEGY_LAZY2, 5), 0, 117, 0.1638),
    Rung("lazy2/s6", _p(zstandard.STRATEGY_LAZY2, 6), 0, 92, 0.1625),
    Rung("btlazy2/s4", _p(zstandard.STRATEGY_BTLAZY2, 4, chain_log=20, hash_log=19), 0, 42, 0.1607),
    Rung("btlazy2/s4/c22", _p(zstandard.STRATEGY_BTLAZY2, 4, chain_log=22, hash_log=20), 0, 28, 0.1600),
    Rung("btopt/s3", _p(zstandard.STRATEGY_BTOPT, 3, chain_log=20, hash_log=19), 0, 13, 0.1576),
)
START_RUNG = 2          # before anything is measured: fast, and already a good ratio
HEADROOM = 0.8          # plan on 80 % of the measured compression capacity (the reader, the
                        # event loop and other programs need CPU too)
LINK_WINDOW_S = 3.0     # the link rate is measured over the last few seconds of sending
EWMA = 0.3              # weight of a new measurement of a rung's speed and ratio


class _Stat:
    __slots__ = ("speed", "ratio", "n")

    def __init__(self) -> None:
        self.speed = 0.0
        self.ratio = 0.0
        self.n = 0

    def add(self, speed: float, ratio: float) -> None:
        if self.n == 0:
            self.speed, self.ratio = speed, ratio
        else:
            self.speed += EWMA * (speed - self.speed)
            self.ratio += EWMA * (ratio - self.ratio)
        self.n += 1


class Tuner:
    """Chooses the rung for each batch. `fixed` pins a stock level (no tuning)."""

    def __init__(self, encoding: str | None = "zstd", *, workers: int | None = None, senders: int = 4,
                 fixed: int | None = None, ladder: tuple[Rung, ...] = LADDER, start: int = START_RUNG):
        self.encoding = encoding
        self.workers = max(1, workers or min(os.cpu_count() or 1, 4))
        self.senders = max(1, senders)
        self.fixed = fixed
        self.ladder = ladder
        self.rung = min(max(0, start), len(ladder) - 1)
        self._stats = [_Stat() for _ in ladder]
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sends: collections.deque[tuple[float, float, int]] = collections.deque()  # (when, seconds, bytes)
        self.history: list[tuple[float, str]] = []   # (time, rung name) at each change, for reports
        if os.environ.get("AXIOM_DROP_TUNING_TRACE"):  # benchmarks: what was measured and chosen
            import atexit
            import json
            import sys

            atexit.register(lambda: print("tuning: " + json.dumps(self.summary()), file=sys.stderr))

    # -- what a batch is compressed with --------------------------------------------------
    @property
    def tuning(self) -> bool:
        return self.encoding == "zstd" and self.fixed is None

    def describe(self) -> str:
        if self.encoding != "zstd":
            return f"{self.encoding or 'none'} level {self.fixed}" if self.encoding else "none"
        return self.ladder[self.rung].name if self.tuning else f"zstd-{self.fixed}"

    def _compressor(self, rung: int) -> zstandard.ZstdCompressor:
        cache = getattr(self._local, "c", None)
        if cache is None:
            cache = self._local.c = {}
        c = cache.get(rung)
        if c is None:
            r = self.ladder[rung] if rung >= 0 else None
            if r is None or r.params is None:
                c = zstandard.ZstdCompressor(level=r.level if r else self.fixed)  # type: ignore[arg-type]
            else:
                c = zstandard.ZstdCompressor(compression_params=zstandard.ZstdCompressionParameters(**r.params))
            cache[rung] = c
        return c

    def compress(self, payload: bytes) -> bytes:
        """Runs in the thread pool (zstandard and zlib release the GIL)."""
        if self.encoding == "gzip":
            return gzip.compress(payload, compresslevel=self.fixed or 5, mtime=0)
        if self.encoding != "zstd":
            return payload
        if not self.tuning:
            return self._compressor(-1).compress(payload)
        rung = self.rung
        t0 = time.perf_counter()
        out = self._compressor(rung).compress(payload)
        dt = time.perf_counter() - t0
        if len(payload) >= 64 << 10 and dt > 0:
            with self._lock:
                self._stats[rung].add(len(payload) / dt, len(out) / len(payload))
                self._decide()
        return out

    # -- what the wire does -----------------------------------------------------------------
    def note_sent(self, nbytes: int, seconds: float) -> None:
        """A request with an `nbytes` body took `seconds` from sending to the answer."""
        if not self.tuning or seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            self._sends.append((now, seconds, nbytes))
            while self._sends and self._sends[0][0] < now - LINK_WINDOW_S:
                self._sends.popleft()
            self._decide()

    def link_rate(self) -> float | None:
        with self._lock:
            return self._link_rate()

    def _link_rate(self) -> float | None:
        """What the senders can move when they always have a body ready: senders × bytes / time
        per request. Exact when the link is the bottleneck (requests share it); when they are
        starved it reads high, which moves the tuner to a faster level: the direction that ends
        the starvation, so the estimate corrects itself instead of feeding on its own error."""
        if not self._sends:
            return None
        total = sum(n for _, _, n in self._sends)
        busy = sum(d for _, d, _ in self._sends)
        return self.senders * total / busy if busy > 0 else None

    # -- the decision -----------------------------------------------------------------------
    def _predict(self, i: int) -> tuple[float, float]:
        """(speed, ratio) of rung i: measured, else its prior scaled by the nearest measured rung."""
        st = self._stats[i]
        if st.n:
            return st.speed, st.ratio
        measured = [j for j, s in enumerate(self._stats) if s.n]
        r = self.ladder[i]
        if not measured:
            return r.prior_speed * 1e6, r.prior_ratio
        j = min(measured, key=lambda k: abs(k - i))
        ref, sj = self.ladder[j], self._stats[j]
        return r.prior_speed * sj.speed / (ref.prior_speed * 1e6) * 1e6, r.prior_ratio * sj.ratio / ref.prior_ratio

    def _decide(self) -> None:
        link = self._link_rate()
        if link is None or not self._stats[self.rung].n:
            return
        best, best_t = self.rung, None
        for i in range(len(self.ladder)):
            speed, ratio = self._predict(i)
            t = max(1.0 / (self.workers * speed * HEADROOM), ratio / link)  # seconds per raw byte
            # prefer the current rung unless another is clearly better (no flapping on noise)
            if i != self.rung:
                t *= 1.005
            if best_t is None or t < best_t:
                best, best_t = i, t
        step = max(-2, min(2, best - self.rung))  # move gradually: measure on the way
        if step:
            self.rung += step
            self.history.append((time.monotonic(), self.ladder[self.rung].name))

    def summary(self) -> dict:
        """What the job measured (for benchmarks and the request log)."""
        with self._lock:
            link = self._link_rate()
            return {
                "final": self.describe(),
                "link_mb_s": round(link / 1e6, 2) if link else None,
                "rungs": {self.ladder[i].name: {"mb_s": round(s.speed / 1e6, 1), "ratio": round(s.ratio, 4),
                                                "batches": s.n}
                          for i, s in enumerate(self._stats) if s.n},
                "changes": [name for _, name in self.history],
            }
