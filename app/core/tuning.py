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

The number of requests in flight is tuned too (`InFlight`): a request's time is the server's
round trip plus its share of the link, so with few requests in flight a fast link sits idle while
they wait for their answers. The job starts with a few and doubles them while doubling raises
what the wire moves; on a slow link the doubling buys nothing and is undone.

Thread-safe: `compress` runs in the pool's threads, `note_sent` and `note_answered` on the event loop.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import sys
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
UPLOAD_START_RUNG = 3   # where an upload job's first burst of requests is compressed: lazy2/s3 (two
                        # threads keep pace with a 500 Mbit/s link). The burst goes out before any
                        # answer says how fast the link is; on a 50 Mbit/s link starting at zstd-1
                        # sent 2.4 % more bytes (13.56 MB against 13.24, 2.50 s against 2.45),
                        # at 500 Mbit/s it was 3 % faster (0.54 s against 0.56).
UPLOAD_FIRST_RUNG = 0   # ... except the very first batch: zstd-1, as it is on the way to the first request
HEADROOM = 0.8          # plan on 80 % of the measured compression capacity (the reader, the
                        # event loop and other programs need CPU too)
LINK_WINDOW_S = 3.0     # the link rate is measured over the last few seconds of sending
EWMA = 0.3              # weight of a new measurement of a rung's speed and ratio

START_IN_FLIGHT = 8     # requests in flight before anything is measured (8: as fast as 4 on a
                        # 50 Mbit/s link, much faster where the round trip dominates)
MAX_IN_FLIGHT = 16      # each holds a batch (≤ 4 MB raw) and its body: memory stays bounded
PROBE_GAIN = 1.3        # doubling the requests in flight must raise the sending rate this much to
                        # double again (2× when the round trip dominates, 1× when the link does)
KEEP_GAIN = 1.1         # below this gain a doubling is undone


INLINE_COMPRESS_BYTES = 64 << 10  # smaller bodies are compressed on the loop: tens of µs, less than a
                                  # trip to the pool and back (a folder of small files: one per file)
GIL_SWITCH_S = 0.0005   # how long a thread may hold the GIL while another waits (Python's default: 5 ms)


def quick_gil_handoff() -> None:
    """An upload's event loop makes many short system calls per request (send, poll, the wake-ups
    of its pools), and gives the GIL up at each; with Python's default switch interval it then
    waits up to 5 ms for the reader thread to hand it back. At 0.5 ms a 400 MB upload on a
    loaded 2-core machine took 5.7–6.4 s instead of 7.7–9.7 s (interleaved runs). Process-wide
    and kept: the window's event loop gains from it as well."""
    if sys.getswitchinterval() > GIL_SWITCH_S:
        sys.setswitchinterval(GIL_SWITCH_S)


class CompressPool(concurrent.futures.ThreadPoolExecutor):
    """The threads that compress batches, and how many jobs compress in them now: a queue's jobs
    share one pool, so each job's tuner plans on its share of the threads (`share`) and of the cores. Counting the
    whole pool for each, three uploads on a 2-core machine each took lazy2/s6 (~60 MB/s a thread)
    for its third of the link, and the compressing kept both cores busy: the window's event loop
    waited for a core and the GIL (ticks up to 85 ms late) and the three took 9–10 s, not ~4."""

    def __init__(self, threads: int):
        super().__init__(max_workers=threads, thread_name_prefix="axiom-drop-compress")
        self.threads = threads
        self.jobs = 0  # changed on the event loop, read by the tuners in the pool's threads

    def join(self) -> None:
        """A job starts compressing here (on the event loop; `leave` when it ends)."""
        self.jobs += 1

    def leave(self) -> None:
        self.jobs -= 1

    def share(self) -> float:
        """The threads one of the jobs can count on."""
        return self.threads / max(1, self.jobs)


LOOP_IDLE_S = 1.0        # a gap this long between two answers is not counted as sending's CPU
LOOP_DECAY = 0.9         # weight of what was measured before each answer (about the last ten count)


class LoopCpu:
    """The event loop's CPU seconds per byte of payload it sends, for every job at once (they
    share the loop). Sending is not free: httpx's per-request work and the kernel's side of each
    send took ~2 ms of CPU per MB (400 MB of NDJSON at 500 Mbit/s: 0.8 CPU s on the loop), CPU
    the compressing threads cannot have on two cores. Without it the tuner saw requests slowed by
    a busy CPU as a slow link, moved to a costlier level and slowed them more (on a loaded
    machine a 400 MB upload that sent 136 of its 171 batches at lazy2/s1, 5x zstd-1's CPU, took
    5.6 s; one that stayed at zstd-1, 3.6 s).
    `note` runs on the loop after each answer; the loop thread's CPU time since the last one is
    charged to it, unless the loop was idle in between (the window between uploads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: int | None = None
        self._cpu_at = self._wall_at = 0.0
        self._cpu = self._bytes = 0.0

    def note(self, nbytes: int) -> None:
        cpu, wall, me = time.thread_time(), time.monotonic(), threading.get_ident()
        with self._lock:
            if self._thread == me and wall - self._wall_at < LOOP_IDLE_S:
                self._cpu = self._cpu * LOOP_DECAY + (cpu - self._cpu_at)
                self._bytes = self._bytes * LOOP_DECAY + nbytes
            self._thread, self._cpu_at, self._wall_at = me, cpu, wall

    def per_byte(self) -> float:
        """CPU seconds per payload byte (0 until a few MB have been measured)."""
        with self._lock:
            return self._cpu / self._bytes if self._bytes >= 4 << 20 else 0.0


LOOP = LoopCpu()  # the process's: one event loop sends for every job


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
                 fixed: int | None = None, ladder: tuple[Rung, ...] = LADDER, start: int = START_RUNG,
                 first: int | None = None):
        self.encoding = encoding
        self.workers = max(1, workers or min(os.cpu_count() or 1, 4))
        self.pool: CompressPool | None = None  # set when the job compresses in a shared pool: its share counts
        self.senders = max(1, senders)
        self.fixed = fixed
        self.ladder = ladder
        self.rung = min(max(0, start), len(ladder) - 1)
        self._first = first  # the rung of the very first batch, when it differs
        self._stats = [_Stat() for _ in ladder]
        self.cores = max(1, os.cpu_count() or 1)
        self._read = _Stat()  # the reader's CPU seconds per byte of payload (its `speed` field)
        self.loop = LOOP      # the event loop's CPU seconds per byte sent
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sends: collections.deque[tuple[float, float, int]] = collections.deque()  # (when, seconds, bytes)
        self.history: list[tuple[float, str]] = []   # (time, rung name) at each change, for reports
        self.in_flight: InFlight | None = None        # the job's, named in the summary
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
            import gzip  # here: zstd is the default, and the CLI's start-up need not load it

            return gzip.compress(payload, compresslevel=self.fixed or 5, mtime=0)
        if self.encoding != "zstd":
            return payload
        if not self.tuning:
            return self._compressor(-1).compress(payload)
        with self._lock:
            rung, self._first = (self.rung, None) if self._first is None else (self._first, None)
        # The thread's own CPU time, not the wall clock: while the upload starts (the reader, the
        # first burst of requests, other programs) a compressing thread waits for a core, and
        # timing that wait made the stronger levels look 10–20× slower than they are; the tuner
        # then kept a 50 Mbit/s upload at zstd-1 (14.8 MB sent for 80 MB where 13 MB would do).
        t0 = time.thread_time()
        out = self._compressor(rung).compress(payload)
        dt = time.thread_time() - t0
        if len(payload) >= 64 << 10 and dt > 0:
            with self._lock:
                self._stats[rung].add(len(payload) / dt, len(out) / len(payload))
                self._decide()
        return out

    def note_read(self, nbytes: int, cpu_seconds: float) -> None:
        """The reader thread spent `cpu_seconds` of CPU making a batch with an `nbytes` payload.
        Parsing a text log or typing a CSV costs as much CPU as compressing it: on two cores
        the compressing threads get what the reader leaves, and the level must allow for that."""
        if self.tuning and nbytes >= 64 << 10 and cpu_seconds > 0:
            with self._lock:
                self._read.add(cpu_seconds / nbytes, 0.0)

    # -- what the wire does -----------------------------------------------------------------
    def note_sent(self, nbytes: int, seconds: float, senders: int | None = None) -> None:
        """A request with an `nbytes` body took `seconds` from sending to the answer, while
        `senders` requests were allowed in flight (default: the constructor's)."""
        if not self.tuning or seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            self._sends.append((now, seconds, nbytes * (senders or self.senders)))
            while self._sends and self._sends[0][0] < now - LINK_WINDOW_S:
                self._sends.popleft()
            self._decide()

    def note_answered(self, nbytes: int) -> None:
        """On the event loop, after an answer to a request whose payload had `nbytes` (raw)."""
        if self.tuning:
            self.loop.note(nbytes)

    def link_rate(self) -> float | None:
        with self._lock:
            return self._link_rate()

    def _link_rate(self) -> float | None:
        """What the senders can move when they always have a body ready: senders × bytes / time
        per request (each weighted by the senders allowed when it was sent). Exact when the link
        is the bottleneck (requests share it); when they are starved it reads high, which moves
        the tuner to a faster level: the direction that ends the starvation, so the estimate
        corrects itself instead of feeding on its own error."""
        if not self._sends:
            return None
        total = sum(n for _, _, n in self._sends)
        busy = sum(d for _, d, _ in self._sends)
        return total / busy if busy > 0 else None

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
        read = self._read.speed + self.loop.per_byte()  # reader and sender CPU seconds per raw byte
        workers, cores = self.workers, self.cores
        if self.pool is not None:  # jobs compressing in a shared pool share its threads, and the cores
            workers, cores = self.pool.share(), self.cores / max(1, self.pool.jobs)
        for i in range(len(self.ladder)):
            speed, ratio = self._predict(i)
            # seconds per raw byte: the compressing threads, all the CPU work (reading, compressing,
            # sending) shared by the cores, the wire
            t = max(1.0 / (workers * speed * HEADROOM), (read + 1.0 / speed) / (cores * HEADROOM),
                    ratio / link)
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
                "read_mb_per_cpu_s": round(1e-6 / self._read.speed, 1) if self._read.n else None,
                "send_mb_per_cpu_s": round(1e-6 / per, 1) if (per := self.loop.per_byte()) else None,
                "rungs": {self.ladder[i].name: {"mb_s": round(s.speed / 1e6, 1), "ratio": round(s.ratio, 4),
                                                "batches": s.n}
                          for i, s in enumerate(self._stats) if s.n},
                "changes": [name for _, name in self.history],
                **({"in_flight": self.in_flight.history} if self.in_flight is not None else {}),
            }


class InFlight:
    """How many requests a job keeps in flight. It starts with `start`; while probing, once half
    of the requests sent at the current number have answered, it compares their sending rate
    (requests allowed × bytes / seconds per request) with the rate at half as many: doubling
    when the gain shows the round trip dominates, stopping (and undoing the last doubling when it
    bought almost nothing) when the link does. Trouble (429, 5xx, network errors) ends probing
    and returns to `start`. `fixed` pins the number. Used on the event loop only."""

    def __init__(self, start: int = START_IN_FLIGHT, most: int = MAX_IN_FLIGHT, *, fixed: int | None = None):
        self.floor = max(1, fixed or start)
        self.most = max(self.floor, fixed or most)
        self.limit = self.floor
        self._probing = self.most > self.floor
        self._prev: float | None = None
        self._epoch = 0
        self._n, self._moved, self._busy = 0, 0.0, 0.0
        self.history = [self.limit]

    def token(self) -> tuple[int, int]:
        """Taken when a request starts: (the probe's epoch, the number allowed then)."""
        return self._epoch, self.limit

    def note_sent(self, token: tuple[int, int], nbytes: int, seconds: float) -> None:
        """A request sent with `token` took `seconds`. The rate counts the requests allowed, not
        those on the wire, like Tuner's link rate: when compressing starves the senders it reads
        high, which raises both the number in flight and (through the tuner) the compression
        speed — the direction that ends the starvation."""
        epoch, limit = token
        if not self._probing or epoch != self._epoch or seconds <= 0:
            return
        self._n += 1
        self._moved += limit * nbytes
        self._busy += seconds
        if self._n < max(2, self.limit // 2):
            return
        rate = self._moved / self._busy
        if self._prev is None or rate >= PROBE_GAIN * self._prev:
            if self.limit >= self.most:
                self._probing = False
            else:
                self._prev = rate
                self._set(min(self.most, self.limit * 2))
        else:
            self._probing = False
            if rate < KEEP_GAIN * self._prev:
                self._set(max(self.floor, self.limit // 2))

    def note_trouble(self) -> None:
        """The server or the network pushed back: no more probing, back to the start number."""
        self._probing = False
        if self.limit != self.floor:
            self._set(self.floor)

    def _set(self, limit: int) -> None:
        self.limit = limit
        self._epoch += 1
        self._n, self._moved, self._busy = 0, 0.0, 0.0
        self.history.append(limit)
