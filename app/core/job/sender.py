"""The sending side of a job: requests in flight, each batch sent until every event of it is
accounted for, and what to do after each failed request (policy.classify decides; this acts).

Senders keep requests in flight — a few at first, more while more raise what the wire moves
(tuning.InFlight). Each batch is compressed by its sender just before it is sent, at the level the
tuner picks then (zstandard and zlib release the GIL in the thread pool).
"""

from __future__ import annotations

import asyncio
import collections
import time
from typing import Callable, NoReturn, Protocol

from app.core import tuning
from app.core.axiom import AxiomClient, AxiomError, BadRequest, IngestOptions, IngestResult, RateLimited
from app.core.batching import Batch
from app.core.plan import Plan
from app.core.job import attribution, policy
from app.core.job.journaling import JobJournal
from app.core.job.ledger import Ledger
from app.core.job.policy import Action, Backoff
from app.core.job.results import JobState, JobWarning, StopKind, WarningKind


class Job(Protocol):
    """What the senders need of their job (UploadJob): where to send, and where to account."""

    client: AxiomClient
    dataset: str
    plan: Plan
    options: IngestOptions
    compression: str | None
    state: JobState
    cancelled: bool
    ledger: Ledger
    journal: JobJournal

    @property
    def stopping(self) -> bool: ...
    async def resumed(self) -> None: ...
    async def mark_sending(self, batch: Batch) -> None: ...
    def fold(self, batch: Batch, res: IngestResult) -> None: ...
    def after_400(self, batch: Batch, err: BadRequest) -> list[Batch]: ...
    def fail(self, batch: Batch, line: int | None, error: str, record: bytes | None) -> None: ...
    def not_sent(self, batch: Batch) -> None: ...
    def stop(self, batch: Batch, kind: StopKind, message: str) -> NoReturn: ...
    def fatal(self, kind: StopKind, message: str) -> None: ...
    def set_state(self, state: JobState, message: str, wait_until: float | None = None,
                  reason: str = "") -> None: ...


class Stopped(Exception):
    """A fatal answer (auth, unknown dataset, quota) or a cancel: this sender stops sending."""


class Slots:
    """A semaphore whose limit can change while senders wait (the requests allowed in flight)."""

    def __init__(self, limit: int):
        self.limit, self.busy = limit, 0
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    async def acquire(self) -> None:
        while self.busy >= self.limit:
            fut = asyncio.get_running_loop().create_future()
            self._waiters.append(fut)
            try:
                await fut
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():
                    self._wake()  # pass on the wake-up this task was given
                raise
        self.busy += 1

    def release(self) -> None:
        self.busy -= 1
        self._wake()

    def set_limit(self, limit: int) -> None:
        self.limit = limit
        self._wake()

    def _wake(self) -> None:
        free = self.limit - self.busy
        while free > 0 and self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                free -= 1


class Sender:
    """Shared by the job's sender tasks (`tasks` of them; at most `inflight.limit` send at once)."""

    def __init__(self, job: Job, *, in_flight: int | None, level: int, explicit_level: bool,
                 workers: int, backoff: Callable[[], Backoff]):
        self.job = job
        self.inflight = tuning.InFlight(fixed=max(1, in_flight) if in_flight is not None else None)
        self.tasks = self.inflight.most
        # zstd without a given level: the tuner picks it from the measured link and CPU speed
        self.tuner = tuning.Tuner(job.compression, workers=workers, senders=self.inflight.limit,
                                  fixed=None if (job.compression == "zstd" and not explicit_level) else level,
                                  start=tuning.UPLOAD_START_RUNG, first=tuning.UPLOAD_FIRST_RUNG)
        self.tuner.in_flight = self.inflight
        self.slots = Slots(self.inflight.limit)
        self.make_backoff = backoff
        self.requests: list[dict] = []
        self.rate_limit_until = 0.0

    async def run(self, queue: asyncio.Queue, pool) -> None:
        """One sender task: batches from the reader until it sends None."""
        job = self.job
        while True:
            await self.slots.acquire()  # one of the requests allowed in flight now
            try:
                batch = await queue.get()
                if batch is None:
                    return
                if job.stopping:
                    job.not_sent(batch)
                    await job.journal.settle(batch)
                    continue
                try:
                    await self._deliver(batch, pool)
                except Stopped:
                    pass
                await job.journal.settle(batch)
            finally:
                self.slots.release()

    async def _deliver(self, first: Batch, pool) -> None:
        """Send one batch and whatever it splits into, until each event is accounted for."""
        job = self.job
        loop = asyncio.get_running_loop()
        work: list[Batch] = [first]
        while work:
            batch = work.pop(0)
            if job.stopping:
                job.not_sent(batch)
                for rest in work:
                    job.not_sent(rest)
                return
            compressing = _compressed(loop, pool, self.tuner, batch.payload())
            try:
                try:
                    await self._mark_early(batch)
                finally:
                    body = await compressing  # never left running unawaited, even when the job stops
                outcome = await self._send_with_retries(batch, body)
            except Stopped:
                for rest in work:  # the other pieces of a split batch are not lost from the counts
                    job.not_sent(rest)
                raise
            if isinstance(outcome, IngestResult):
                job.fold(batch, outcome)
            elif policy.classify(outcome) is Action.SPLIT:
                if batch.count == 1:
                    job.fail(batch, batch.lines[0], attribution.at(job.plan, batch, 0)
                             + f"the event is too large for one request (413: {outcome.message})",
                             batch.records()[0])
                else:
                    work[:0] = list(batch.split())
            else:  # Action.FIND_BAD_EVENTS
                work[:0] = job.after_400(batch, outcome)

    async def _mark_early(self, batch: Batch) -> None:
        """The journal's in-flight mark (a commit in its own thread) while the batch is compressed
        (in the pool): both must be done before the request, neither needs the other. Not while
        the job is paused, cancelled or waiting for a rate limit: a batch marked in flight that
        a killed run never sent would be reported as possibly stored twice."""
        job = self.job
        if job.state != JobState.PAUSED and not job.cancelled and self.rate_limit_until <= time.time():
            await job.mark_sending(batch)

    async def _send_with_retries(self, batch: Batch, body: bytes) -> IngestResult | AxiomError:
        """The answer, or the error to split or bisect on; stops the job (Stopped) when told to."""
        job = self.job
        backoff: Backoff | None = None  # made at the first failure: most requests never need one
        waited_for_limits = 0.0
        while True:
            await job.resumed()
            if job.cancelled:
                job.not_sent(batch)
                raise Stopped
            await self._wait_rate_limit()
            await job.mark_sending(batch)
            t0 = time.monotonic()
            token = self.inflight.token()
            entry = {"seq": batch.seq, "lines": [batch.first_line, batch.last_line], "events": batch.count,
                     "bytes": len(body)}
            try:
                res = await job.client.ingest(
                    job.dataset, body, content_type=batch.content_type(),
                    content_encoding=job.compression, options=job.options)
            except AxiomError as e:
                self._log(entry, e.status, t0, trace_id=e.trace_id, error=e.message)
                action = policy.classify(e)
                if action in (Action.SPLIT, Action.FIND_BAD_EVENTS):
                    return e
                if isinstance(e, RateLimited):
                    self._pushed_back()
                if action is Action.STOP:
                    job.stop(batch, *policy.stop_reason(e, job.dataset))
                backoff = backoff or self.make_backoff()
                if action is Action.WAIT_RATE_LIMIT:
                    wait = backoff.rate_limit_delay(policy.wait_for_rate_limit(e))
                    if waited_for_limits + wait > policy.MAX_RATE_LIMIT_WAIT:
                        job.stop(batch, *policy.rate_limited_too_long(e, wait, waited_for_limits))
                    waited_for_limits += wait
                    self.rate_limit_until = max(self.rate_limit_until, time.time() + wait)
                    continue
                await self._back_off(batch, e, backoff)  # Action.RETRY
                continue
            self._log(entry, 200, t0, trace_id=res.trace_id, ingested=res.ingested, failed=res.failed)
            seconds = time.monotonic() - t0
            self.tuner.note_sent(len(body), seconds, token[1])
            self.tuner.note_answered(len(batch.body))
            self.inflight.note_sent(token, len(body), seconds)
            self.slots.set_limit(self.inflight.limit)
            if job.state in (JobState.RETRYING, JobState.WAITING):
                job.set_state(JobState.UPLOADING, "")
            return res

    async def _back_off(self, batch: Batch, e: AxiomError, backoff: Backoff) -> None:
        """5xx, a network error or an answer of unknown meaning: wait, then the caller resends; or
        give up and stop."""
        job = self.job
        self._pushed_back()
        delay = backoff.next_delay()
        if backoff.give_up:
            if policy.may_be_stored(e):  # not counted as a duplicate: not sent again in this run
                job.ledger.record(batch).maybe_stored = True  # its journal mark stays: a resume says so
                job.ledger.warn(JobWarning(WarningKind.MAYBE_STORED_TWICE, policy.unanswered_warning(batch.count),
                                           batch.first_line, batch.last_line), batch)
            job.not_sent(batch)
            job.fatal(*policy.gave_up(e, backoff.attempts))
            raise Stopped
        if policy.may_be_stored(e) and job.ledger.sent_maybe_stored(batch):
            # The body went out; the server may have stored it. Sending again may duplicate.
            job.ledger.warn(JobWarning(WarningKind.MAYBE_STORED_TWICE, policy.resent_warning(e, batch.count),
                                       batch.first_line, batch.last_line), batch)
        job.set_state(JobState.RETRYING, f"retrying in {delay:.0f} s: {e.message}", wait_until=time.time() + delay,
                      reason=e.message)
        await asyncio.sleep(delay)

    def _pushed_back(self) -> None:
        """429, 5xx or a network error: fewer requests in flight from now on."""
        self.inflight.note_trouble()
        self.slots.set_limit(self.inflight.limit)

    async def _wait_rate_limit(self) -> None:
        job = self.job
        while True:
            wait = self.rate_limit_until - time.time()
            if wait <= 0:
                if job.state == JobState.WAITING:
                    job.set_state(JobState.UPLOADING, "")
                return
            job.set_state(JobState.WAITING, f"waiting {wait:.0f} s for the rate limit to reset",
                          wait_until=self.rate_limit_until, reason="for the rate limit to reset")
            await asyncio.sleep(min(wait, 1.0))

    def _log(self, entry: dict, status: int | None, t0: float, **extra) -> None:
        entry.update(status=status, ms=round((time.monotonic() - t0) * 1000), **extra)
        self.requests.append(entry)


def _compressed(loop: asyncio.AbstractEventLoop, pool, tuner: tuning.Tuner, payload: bytes) -> asyncio.Future:
    """The body, compressed in the pool, or here when it is small (tuning.INLINE_COMPRESS_BYTES):
    a future either way, awaited after the in-flight mark (a done one costs no turn of the loop)."""
    if len(payload) >= tuning.INLINE_COMPRESS_BYTES:
        return loop.run_in_executor(pool, tuner.compress, payload)
    done = loop.create_future()
    try:
        done.set_result(tuner.compress(payload))
    except Exception as e:  # raised where the pool's would be: at the await
        done.set_exception(e)
    return done
