"""The fast paths' work on big inputs spread over worker processes: one core reads about
15–35 MB/s of log lines, so blocks are prepared (blocks.prepare) in a pool while the reader adds
them. Bounded and ordered: at most AHEAD blocks are out at once, and they come back in input
order, so lines, batch ends and failures are the same as in one process (the reader numbers the
lines; the workers only return each block's NDJSON or None).

The pool starts only after START_AFTER bytes (a small file never pays for starting processes),
uses "spawn" (the reader runs beside Qt's and asyncio's threads, which fork must not copy), and
is not used in a frozen app, whose executable would have to hand the workers over itself
(multiprocessing.freeze_support in the launcher). A worker that fails, or a pool that breaks,
leaves its blocks to the reader: nothing is lost, only slower."""

from __future__ import annotations

import os
import sys
from collections import deque
from concurrent.futures import Future
from datetime import date
from typing import TYPE_CHECKING, Iterable, Iterator

from app.core.textlog.blocks import Prepared, prepare
from app.core.textlog.parse import Parser

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

START_AFTER = 8 << 20   # bytes read in the reader's own process before the pool takes the blocks (its
                        # workers start after a quarter of that: spawning them takes ~0.3 s)
AHEAD = 4               # blocks sent to the workers per worker, at most (each ≤ 1 MB, its NDJSON ≤ ~2 MB)

_Spec = tuple[str, "str | None", date]
_PARSERS: dict[_Spec, Parser] = {}


def processes() -> int:
    """Worker processes for a big text log: one per core but one, from three cores on (not
    frozen). On two cores the reader's own process, two zstd threads and two workers contend
    for them, and the pool measured no faster than none (README, Text logs)."""
    if getattr(sys, "frozen", False):
        return 0
    n = os.cpu_count() or 1
    return n - 1 if n >= 3 else 0


def _work(spec: _Spec, data: bytes) -> Prepared | None:
    parser = _PARSERS.get(spec)
    if parser is None:
        from app.core.textlog.formats import BY_ID

        parser = _PARSERS[spec] = Parser(BY_ID[spec[0]], None, spec[1], spec[2])
    return prepare(parser, data)


def _started(workers: int, spec: _Spec) -> ProcessPoolExecutor:
    """A pool whose workers are starting (importing, making their Parser) in the background.
    multiprocessing loads here, not with the module: most logs never reach START_AFTER."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    for _ in range(workers):
        pool.submit(_work, spec, b"")
    return pool


def prepared(blocks: Iterable[bytes], parser: Parser, workers: int) -> Iterator[tuple[bytes, Prepared | None]]:
    """(block, what the fast path makes of it) for each block, in order."""
    it = iter(blocks)
    seen = 0
    pool: ProcessPoolExecutor | None = None
    spec = (parser.fmt.id, parser.clock.zone, parser.clock.today)
    usable = workers > 1 and (parser.fast is not None or parser.events is not None)
    try:
        for data in it:
            yield data, prepare(parser, data)
            seen += len(data)
            if usable and pool is None and seen >= START_AFTER // 4:  # the workers start while this reads on
                pool = _started(workers, spec)
            if pool is not None and seen >= START_AFTER:
                break
        else:
            return
    finally:
        if pool is not None and seen < START_AFTER:
            pool.shutdown(wait=False, cancel_futures=True)
    assert pool is not None
    pending: deque[tuple[bytes, Future | None]] = deque()

    def done(data: bytes, fut: Future | None) -> tuple[bytes, Prepared | None]:
        try:
            if fut is not None:
                return data, fut.result()
        except Exception:  # a worker died or the pool broke: the reader prepares the block itself
            pass
        return data, prepare(parser, data)

    def submit(data: bytes) -> Future | None:
        try:
            return pool.submit(_work, spec, data)
        except Exception:  # a broken pool takes no more work
            return None

    try:
        while True:
            try:
                data = next(it)
            except StopIteration:
                break
            except BaseException:  # the input failed (too long a line, a read error): what was read first comes first
                while pending:
                    yield done(*pending.popleft())
                raise
            pending.append((data, submit(data)))
            if len(pending) >= AHEAD * workers:
                yield done(*pending.popleft())
        while pending:
            yield done(*pending.popleft())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
