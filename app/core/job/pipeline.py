"""An upload job: read → batch → compress → send, with every event accounted for.

The reader runs in a thread (file reads never block the event loop, which may be Qt's), batches
are compressed in a thread pool and sent by sender tasks (sender.py). A bounded queue between
reader and senders keeps memory flat whatever the input size (at most tuning.MAX_IN_FLIGHT
batches are in flight). Each response is folded into the ledger (ledger.py); the failure rules
follow DESIGN.md and live in policy.py:

- 400: the server took nothing from that batch; attribution.py names the bad events by line
  and the rest is sent.
- 200 with failures: the others are stored. Never resend; map failures to lines by timestamp.
- 413: split the batch and send the halves.
- 429: wait until the reset the headers give; 430 (the monthly quota) stops the job.
- 5xx and network errors: capped, jittered backoff. A request whose body was fully sent may have
  been stored: its events are counted as possible duplicates if it is sent again.
- 401/403/404: stop with a message that says what to do.

The journal (journaling.py) makes an interrupted job resumable (resume.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys
import time
from typing import Callable, NoReturn

import zstandard

from app.core import tuning
from app.core.io import SourceError
from app.core.axiom import AxiomClient, BadRequest, IngestOptions, IngestResult
from app.core.batching import Batch, InputError, iter_batches
from app.core.batching.timefix import csv_fields_sent
from app.core.plan import Plan
from app.core.journal import JobRecord, JobState, StopKind
from app.core.job import attribution
from app.core.job.journaling import JobJournal
from app.core.job.ledger import Ledger
from app.core.job.policy import Backoff
from app.core.job.reading import InputReader
from app.core.job.results import Failure, JobResult, JobWarning, Progress, WarningKind, stop_text
from app.core.job.sender import Sender, Stopped
from app.core.job.source import Source, renumbered


def _pool_workers() -> int:
    return max(2, min(4, os.cpu_count() or 2))


def ingest_options(plan: Plan) -> IngestOptions:
    csv = plan.csv if plan.sends_csv else None
    own_time = plan.client_time  # the app sends _time itself (batching.timefix)
    return IngestOptions(
        timestamp_field=None if own_time else plan.timestamp_field or None,
        timestamp_format=None if own_time else plan.timestamp_format or None,
        csv_delimiter=(csv.delimiter if csv and csv.delimiter != "," else None),
        csv_fields=csv_fields_sent(plan),
        labels=dict(plan.labels) or None,
    )


class UploadJob:
    def __init__(
        self,
        source: Source,
        plan: Plan,
        client: AxiomClient,
        dataset: str,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        in_flight: int | None = None,   # None: start with a few, raise while it pays (tuning.InFlight)
        max_events: int = 10_000,
        max_bytes: int = 4 << 20,
        compression: str | None = "zstd",
        level: int | None = None,
        executor: concurrent.futures.Executor | None = None,
        read_executor: concurrent.futures.Executor | None = None,  # shared by a queue: no thread per job
        backoff: Callable[[], Backoff] = Backoff,
        journal: bool = True,
        profile: str | None = None,
        endpoint: str | None = None,
        resume_from: JobRecord | None = None,
    ):
        self.source = source
        self.plan = plan
        self.client = client
        self.dataset = dataset
        self.on_progress = on_progress
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.compression = compression
        self.level = level if level is not None else (3 if compression == "zstd" else 5)
        self.options = ingest_options(plan)
        self.profile = profile
        self.endpoint = endpoint if endpoint is not None else client.endpoint.ingest_url
        self.result: JobResult | None = None
        self.ledger = Ledger()
        self.journal = JobJournal(self.ledger, enabled=journal, resume_from=resume_from)
        self._sender = Sender(self, in_flight=in_flight, level=self.level, explicit_level=level is not None,
                              workers=_pool_workers(), backoff=backoff)
        self._reader = InputReader(source, plan, self.ledger)
        self._executor = executor
        self._read_executor = read_executor
        self.state = JobState.QUEUED
        self._message = ""
        self._wait_until: float | None = None
        self._bytes_read = 0
        self._events_read = 0
        self._bytes_sent = 0  # this run: bodies the server answered for (not skipped, not read ahead)
        self._events_acked = 0
        self._reason = ""
        self._started = 0.0
        self._resume = asyncio.Event()
        self._resume.set()
        self.cancelled = False
        self._fatal: str | None = None
        self._fatal_kind: StopKind | None = None
        self._input_error: str | None = None
        self._stopped_at: str | None = None
        self._first_unsent_line = sys.maxsize
        self._next_line = 1

    @property
    def job_id(self) -> str | None:
        """The journal's id (None when unjournaled)."""
        return self.journal.job_id

    @job_id.setter
    def job_id(self, value: str | None) -> None:
        self.journal.job_id = value

    @property
    def progress(self) -> Progress:
        """A snapshot: the counts are a fold over the ledger."""
        t = self.ledger.totals()
        elapsed = max(1e-6, time.monotonic() - self._started) if self._started else 0
        return Progress(
            state=self.state, bytes_read=self._bytes_read, total_bytes=self.source.size,
            events_read=self._events_read, ingested=t.ingested, failed=t.failed, not_sent=t.not_sent,
            possible_duplicates=t.possible_duplicates,
            bytes_per_s=self._bytes_sent / elapsed if elapsed else 0.0,
            events_per_s=self._events_acked / elapsed if elapsed else 0.0,
            wait_until=self._wait_until, message=self._message, bytes_sent=self._bytes_sent,
            events_acked=self._events_acked, elapsed=elapsed, reason=self._reason)

    # -- control ---------------------------------------------------------------------------
    def pause(self) -> None:
        if not self.state.finished:
            self._resume.clear()
            self.set_state(JobState.PAUSED, "paused")

    def resume(self) -> None:
        if self.state == JobState.PAUSED:
            self.set_state(JobState.UPLOADING, "")
        self._resume.set()

    def cancel(self) -> None:
        """Stop sending new requests; the ones in flight finish, so their outcome is known."""
        self.cancelled = True
        self._resume.set()

    async def resumed(self) -> None:
        """Returns when the job is not paused."""
        await self._resume.wait()

    @property
    def stopping(self) -> bool:
        """Cancelled, or a fatal answer: nothing more is sent."""
        return self.cancelled or bool(self._fatal)

    # -- running ---------------------------------------------------------------------------
    async def run(self) -> JobResult:
        loop = asyncio.get_running_loop()
        self._started = time.monotonic()
        tuning.quick_gil_handoff()
        own_pool = self._executor is None
        pool = self._executor or tuning.CompressPool(_pool_workers())
        counted = isinstance(pool, tuning.CompressPool)
        if counted:  # its threads are shared with the other jobs compressing in it now
            self._sender.tuner.pool = pool
            pool.join()
        # Reads of one job are awaited one at a time, so a shared pool keeps them in order too.
        reader = self._read_executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="axiom-drop-read")
        queue: asyncio.Queue = asyncio.Queue(maxsize=self._sender.inflight.floor)
        if self._resume.is_set():
            self.set_state(JobState.UPLOADING, "")
        else:
            self.set_state(JobState.PAUSED, "paused")
        try:
            started = await self.journal.start(
                self.source, dataset=self.dataset, profile=self.profile, endpoint=self.endpoint, plan=self.plan,
                max_events=self.max_events, max_bytes=self.max_bytes, compression=self.compression)
            if not started:
                return await self._journal_finish(self._finish(error=self.journal.refusal.message))
            try:
                stream = await loop.run_in_executor(reader, self._reader.open)
            except (SourceError, OSError) as e:
                return await self._journal_finish(
                    self._finish(error=str(e) if isinstance(e, SourceError) else f"{self.source.name}: {e}"))
            batches = iter_batches(stream, self.plan, max_events=self.max_events, max_bytes=self.max_bytes)
            if self.source.line_map:  # failed rows sent again: the lines of the file they came from
                batches = renumbered(batches, self.source.line_map)
            if self.plan.format == "csv":
                batches = self._reader.noting_ragged_rows(batches)
            batches = self._reader.noting_long_values(batches)
            senders: list[asyncio.Task] = []  # started as batches come (_produce): a small file needs one

            def more_senders() -> None:
                if len(senders) < self._sender.tasks:
                    senders.append(asyncio.create_task(self._sender.run(queue, pool)))

            try:
                await self._produce(batches, queue, reader, loop, more_senders)
            finally:
                for _ in senders:
                    await queue.put(None)
                await asyncio.gather(*senders)
                await loop.run_in_executor(reader, stream.close)
        except asyncio.CancelledError:
            self.cancelled = True
            self._finish()
            self.journal.close()
            raise
        finally:
            if counted:
                pool.leave()
            if reader is not self._read_executor:
                reader.shutdown(wait=False)
            if own_pool:
                pool.shutdown(wait=False)
        return await self._journal_finish(self._finish())

    async def _journal_finish(self, result: JobResult) -> JobResult:
        return await self.journal.finish(result, self.source)

    def _next_batch(self, batches) -> Batch | None:
        """(in the reader thread) The next batch, its CPU time told to the tuner (tuning.note_read)."""
        t0 = time.thread_time()
        batch = next(batches, None)
        if batch is not None:
            self._sender.tuner.note_read(len(batch.body), time.thread_time() - t0)
        return batch

    async def _produce(self, batches, queue: asyncio.Queue, reader, loop, more_senders: Callable[[], None]) -> None:
        """Read batches into the senders' queue; each batch queued starts one more sender task,
        up to the most the job may keep in flight (so there is one per batch waiting, as if all
        had started, without 16 tasks' turns of the loop for a file of one batch)."""
        while True:
            await self._resume.wait()
            if self.stopping:
                batch = None
            else:
                try:
                    batch = await loop.run_in_executor(reader, self._next_batch, batches)
                except InputError as e:  # the rest: not sent from its line, count unknown (reading.py)
                    self._input_error = str(e)
                    self._stopped_at = self._reader.stopped_reading(e.line)
                    return
                except (OSError, EOFError, zstandard.ZstdError) as e:
                    self._input_error = (f"{self.source.name}: reading stopped at byte "
                                         f"{self._reader.position(self._bytes_read):,} of the file: {e}")
                    self._stopped_at = self._reader.stopped_reading(None)
                    return
            if batch is None:
                if self.stopping:
                    if self._stopped_at is None:
                        self._stopped_at = f"line {self._next_line}"
                    await loop.run_in_executor(reader, self._reader.count_rest, batches)
                elif (error := self._reader.check_unchanged(self._next_line)) is not None:
                    self._input_error = error
                    self._stopped_at = f"line {self._next_line}"
                return
            self._next_line = batch.last_line + 1
            self._events_read += batch.count + len(batch.skipped)
            self._bytes_read = self._reader.position(self._bytes_read) if self.plan.compression else batch.end
            done = self.ledger.acked_before.get(batch.seq)
            if done is not None:  # acknowledged before the interruption: counted already, not resent
                if (done.start, done.end) != (batch.start, batch.end):
                    self._input_error = (f"{self.source.name}: the input no longer cuts into the same batches "
                                         f"(batch {batch.seq} was bytes {done.start}–{done.end}, now "
                                         f"{batch.start}–{batch.end}); not resuming")
                    self._stopped_at = f"line {batch.first_line}"
                    return
                self._emit()
                continue
            self.ledger.record(batch)
            for k, (line, reason) in enumerate(batch.skipped):
                ordinal = batch.skipped_ordinals[k] if k < len(batch.skipped_ordinals) else None
                self.fail(batch, line, attribution.element(self.plan, ordinal) + reason, None)
            for first, last, message, *kind in batch.notes:  # a 4th item names the kind (default: NUL bytes)
                self.ledger.warn(JobWarning(WarningKind(kind[0]) if kind else WarningKind.NUL_REGION,
                                            message, first, last), batch)
            if batch.count:
                more_senders()
                await queue.put(batch)
            else:  # only input the reader could not use: its failures are this batch's outcome
                await self.journal.settle(batch)
            self._emit()

    # -- accounting (called by the senders) ----------------------------------------------------
    async def mark_sending(self, batch: Batch) -> None:
        """Before each request: a batch in flight when an earlier run died is resent, so it may be
        stored twice; the journal marks the batch in flight before its first request."""
        if self.ledger.resent_after_interruption(batch):
            r = self.ledger.record(batch)
            self.ledger.warn(JobWarning(
                WarningKind.RESENT_AFTER_INTERRUPTION,
                f"these {r.count} events were being sent when the upload was interrupted; they were sent "
                "again, so they may be stored twice", r.first_line, r.last_line), batch)
        if not await self.journal.mark_sending(batch):  # never send what the journal cannot account for
            self.stop(batch, StopKind.JOURNAL, self.journal.failure)

    def fold(self, batch: Batch, res: IngestResult) -> None:
        """A 200: what was stored, what failed (matched to lines), and the server's warnings."""
        self.ledger.ingested(batch, res.ingested)
        self._bytes_sent += len(batch.body)
        self._events_acked += res.ingested + res.failed
        if res.trace_id:
            self.ledger.trace(batch, res.trace_id)
        for w in res.warnings:
            msg = w.get("msg") or w.get("message") or str(w)
            self.ledger.warn(JobWarning(WarningKind.SERVER, msg, batch.first_line, batch.last_line,
                                        w.get("count")), batch)
        if res.failed:
            for line, error, record in attribution.map_failures(self.plan, batch, res.failures, res.failed):
                self.ledger.fail(batch, Failure(line, error, record))
        # Events the server neither ingested nor failed (it should not happen) are not lost silently.
        missing = batch.count - res.ingested - res.failed
        if missing > 0:
            self.ledger.not_sent(batch, missing)
            self.ledger.warn(JobWarning(
                WarningKind.UNACKNOWLEDGED, f"the server acknowledged {res.ingested + res.failed} of {batch.count} "
                f"events; {missing} are counted as not sent", batch.first_line, batch.last_line))
        self._emit()

    def after_400(self, batch: Batch, err: BadRequest) -> list[Batch]:
        """The server took nothing: fail the bad events, return what is left to send."""
        bad = attribution.bad_events(self.plan, batch, err)
        if bad is None:  # the event the server names alone, or halves, until the culprit is alone
            return attribution.pieces_after_400(batch, err)
        records = batch.records()
        for index in sorted(bad):
            self.fail(batch, batch.lines[index], bad[index], records[index])
        keep = [i for i in range(batch.count) if i not in bad]
        return [batch.subset(keep)] if keep else []

    def fail(self, batch: Batch, line: int | None, error: str, record: bytes | None) -> None:
        self.ledger.fail(batch, Failure(line, error, attribution.preview(record)))

    def not_sent(self, batch: Batch) -> None:
        self.ledger.not_sent(batch)
        if self._stopped_at is None or (batch.first_line < self._first_unsent_line):
            self._first_unsent_line = batch.first_line
            self._stopped_at = f"line {batch.first_line}"
        self._emit()

    def stop(self, batch: Batch, kind: StopKind, message: str) -> NoReturn:
        self.fatal(kind, message)
        self.not_sent(batch)
        raise Stopped

    def fatal(self, kind: StopKind, message: str) -> None:
        if not self._fatal:
            self._fatal, self._fatal_kind = message, kind

    def set_state(self, state: JobState, message: str, wait_until: float | None = None,
                  reason: str = "") -> None:
        self.state = state
        self._message = message
        self._reason = reason
        self._wait_until = wait_until
        self._emit()

    def _emit(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress)

    def _finish(self, error: str | None = None) -> JobResult:
        self._reader.note_more_ragged_rows()
        # The server's stop (a missing dataset, the token, a quota) is what the user must act on
        # first: it wins over an input that also ended early, which is said beside it.
        if error:
            kind = StopKind.INPUT
        elif self._fatal:
            kind, error = self._fatal_kind, self._fatal
            if self._input_error:
                error += f" (the input also stopped early: {self._input_error})"
        else:
            kind, error = StopKind.INPUT, self._input_error
        t = self.ledger.totals()
        if self.cancelled and not error:
            state = JobState.CANCELLED
        elif error and not t.ingested:
            state = JobState.FAILED
        elif t.failed or t.not_sent or error:
            state = JobState.DONE_WITH_FAILURES
        else:
            state = JobState.DONE
        if state == JobState.DONE and self.plan.compression is None and self.source.size:
            self._bytes_read = self.source.size
        self.result = JobResult(
            name=self.source.name, dataset=self.dataset, state=state,
            ingested=t.ingested, failed=t.failed, not_sent=t.not_sent,
            possible_duplicates=t.possible_duplicates, failures=self.ledger.failures(),
            more_failures=self.ledger.more_failures(),
            warnings=self.ledger.warnings(), trace_ids=self.ledger.trace_ids(),
            stopped_at=stop_text(self._stopped_at, self.ledger.rest_from) if (self.cancelled or error) else None,
            rest_from=self.ledger.rest_from,
            error=error, error_kind=kind if error else None, requests=self._sender.requests,
            elapsed=time.monotonic() - self._started)
        self.set_state(state, error or "")
        return self.result
