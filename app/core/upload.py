"""An upload job: read → batch → compress → send, with every event accounted for.

The reader runs in a thread (file reads never block the event loop, which may be Qt's), batches
are compressed in a thread pool (zstandard and zlib release the GIL), and senders keep requests
in flight — a few at first, more while more raise what the wire moves (tuning.InFlight). A
bounded queue between reader and senders keeps memory flat whatever the input size (at most
tuning.MAX_IN_FLIGHT batches are in flight). Each response is folded into the job's counts; the failure rules follow DESIGN.md:

- 400: the server took nothing from that batch. Validate the batch locally, report the bad events
  by line, send the rest; if nothing is locally wrong, drop the event the server names ("index N")
  or bisect the batch until the culprits are alone.
- 200 with failures: the others are stored. Never resend; map failures to lines by timestamp.
- 413: split the batch and send the halves.
- 429/430: wait until the reset the headers give (430 — the monthly quota — stops the job).
- 5xx and network errors: capped, jittered backoff. A request whose body was fully sent may have
  been stored: its events are counted as possible duplicates if it is sent again.
- 401/403/404: stop with a message that says what to do.

Journal (journal.py): before a batch's first request it is marked "in flight"; once each of its
events is stored or failed it is "acked" with its counts and failures, in one transaction. A
resumed job re-reads its input from the start with the same Plan and limits (batch boundaries are
deterministic from the same start), skips acked batches, and resends the rest — those that were
in flight are reported as possible duplicates (Axiom has no idempotency key).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import enum
import gzip
import io
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

import zstandard

from app.core import journal as journaling
from app.core import tuning
from app.core.axiom import (
    AuthError,
    AxiomClient,
    AxiomError,
    BadRequest,
    IngestOptions,
    IngestResult,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    TransportError,
)
from app.core.batching import Batch, InputError, Plan, iter_batches, ragged_rows, validate_records
from app.core.io import Prepended, SourceError, decoded, open_raw
from app.core.retry import Backoff, wait_for_rate_limit
from app.core.time import to_epoch_ns

RECORD_PREVIEW_BYTES = 2048
MAX_RAGGED_LISTED = 50  # ragged CSV rows named one by one; the rest are counted
REST_COUNT_SECONDS = 5.0  # after a cancel, how long to spend counting the unsent rest of the input
MAX_RATE_LIMIT_WAIT = 15 * 60  # give up on a batch after waiting this long for rate limits


class JobState(str, enum.Enum):
    QUEUED = "queued"
    UPLOADING = "uploading"
    WAITING = "waiting for rate limit"
    RETRYING = "retrying"
    PAUSED = "paused"
    DONE = "done"
    DONE_WITH_FAILURES = "done with failures"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.DONE_WITH_FAILURES, JobState.FAILED, JobState.CANCELLED)


@dataclass
class Failure:
    """One event that was not stored: its input line (when known), why, and the event itself."""

    line: int | None
    error: str
    record: str | None = None


@dataclass
class Progress:
    state: JobState = JobState.QUEUED
    bytes_read: int = 0
    total_bytes: int | None = None
    events_read: int = 0
    ingested: int = 0
    failed: int = 0
    not_sent: int = 0
    possible_duplicates: int = 0
    bytes_per_s: float = 0.0
    events_per_s: float = 0.0
    wait_until: float | None = None
    message: str = ""

    @property
    def fraction(self) -> float | None:
        if not self.total_bytes:
            return None
        return min(1.0, self.bytes_read / self.total_bytes)


@dataclass
class JobResult:
    name: str
    dataset: str
    state: JobState
    ingested: int = 0
    failed: int = 0
    not_sent: int = 0
    possible_duplicates: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    trace_ids: list[str] = field(default_factory=list)
    stopped_at: str | None = None
    error: str | None = None
    error_kind: str | None = None  # "input", "auth", "dataset", "quota", "network", "server"
    requests: list[dict] = field(default_factory=list)
    elapsed: float = 0.0
    job_id: str | None = None           # the journal's id (resume it with `axiom-drop resume ID`)
    possible_duplicate_lines: list[list[int]] = field(default_factory=list)  # [first, last] spans

    def to_json(self, path: str | None = None) -> dict:
        return {
            "path": path if path is not None else self.name,
            "dataset": self.dataset,
            "state": self.state.value,
            "ingested": self.ingested,
            "failed": self.failed,
            "not_sent": self.not_sent,
            "possible_duplicates": self.possible_duplicates,
            "failures": [{"line": f.line, "error": f.error} for f in self.failures],
            "warnings": self.warnings,
            "trace_ids": self.trace_ids,
            "stopped_at": self.stopped_at,
            "error": self.error,
            "error_kind": self.error_kind,
            "elapsed_s": round(self.elapsed, 3),
            "job_id": self.job_id,
            "possible_duplicate_lines": self.possible_duplicate_lines,
        }


class Source:
    """What a job reads: a file on disk, bytes in memory (a paste), or standard input."""

    def __init__(self, name: str, path: Path | None = None, data: bytes | None = None,
                 stream: BinaryIO | None = None):
        self.name = name
        self.path = path
        self.data = data
        self._stream = stream  # stdin: read once, never resumable
        self.size: int | None = None
        if path is not None:
            try:
                self.size = path.stat().st_size
            except OSError:
                self.size = None
        elif data is not None:
            self.size = len(data)

    @classmethod
    def from_path(cls, path: str | os.PathLike) -> "Source":
        p = Path(path)
        return cls(str(p), path=p)

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "pasted") -> "Source":
        return cls(name, data=data)

    @classmethod
    def from_stream(cls, stream: BinaryIO, head: bytes, name: str = "-") -> "Source":
        """Standard input: `head` was already read (for sniffing) and is put back in front."""
        return cls(name, stream=Prepended(head, stream))

    def open_raw(self) -> BinaryIO:
        if self.path is not None:
            return open_raw(self.path)
        if self.data is not None:
            return io.BytesIO(self.data)
        if self._stream is not None:
            stream, self._stream = self._stream, None
            return stream  # type: ignore[return-value]
        raise SourceError(f"{self.name}: can only be read once")

    def __repr__(self) -> str:
        return f"Source({self.name!r})"


def _pool_workers() -> int:
    return max(2, min(4, os.cpu_count() or 2))


def compress(payload: bytes, encoding: str | None, level: int) -> bytes:
    """Runs in the thread pool: both libraries release the GIL while they work."""
    if encoding == "zstd":
        return zstandard.ZstdCompressor(level=level).compress(payload)
    if encoding == "gzip":
        return gzip.compress(payload, compresslevel=level, mtime=0)
    return payload


def ingest_options(plan: Plan) -> IngestOptions:
    csv = plan.csv if plan.format == "csv" else None
    return IngestOptions(
        timestamp_field=plan.timestamp_field or None,
        timestamp_format=plan.timestamp_format or None,
        csv_delimiter=(csv.delimiter if csv and csv.delimiter != "," else None),
        csv_fields=(list(csv.fields) if csv and not csv.has_header else None),
        labels=dict(plan.labels) or None,
    )


class _Slots:
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


class _Stop(Exception):
    """A fatal answer (auth, unknown dataset, quota): the job stops sending."""


@dataclass
class _BatchAcc:
    """What happened to one batch (and its splits) in this run: journaled when it is settled."""

    seq: int
    start: int
    end: int
    first_line: int | None
    last_line: int | None
    count: int
    ingested: int = 0
    failed: int = 0
    not_sent: int = 0
    dups: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    trace_ids: list[str] = field(default_factory=list)
    marked: bool = False          # journaled as in flight
    maybe_stored: bool = False    # some request of it may have been stored
    prior_inflight: bool = False  # in flight when an earlier run died
    dup_all: bool = False         # the whole batch is already counted as possible duplicates


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
        backoff: Callable[[], Backoff] = Backoff,
        journal: bool = True,
        profile: str | None = None,
        endpoint: str | None = None,
        resume_from: "journaling.JobRecord | None" = None,
    ):
        self.source = source
        self.plan = plan
        self.client = client
        self.dataset = dataset
        self.on_progress = on_progress
        self._inflight = tuning.InFlight(fixed=max(1, in_flight) if in_flight is not None else None)
        self.in_flight = self._inflight.most  # sender tasks; at most `_inflight.limit` of them send at once
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.compression = compression
        self.level = level if level is not None else (3 if compression == "zstd" else 5)
        # zstd without a given level: the tuner picks it from the measured link and CPU speed
        self._tuner = tuning.Tuner(compression, workers=_pool_workers(), senders=self._inflight.limit,
                                   fixed=None if (compression == "zstd" and level is None) else self.level,
                                   start=tuning.UPLOAD_START_RUNG, first=tuning.UPLOAD_FIRST_RUNG)
        self._tuner.in_flight = self._inflight
        self._slots = _Slots(self._inflight.limit)
        self._executor = executor
        self._make_backoff = backoff
        self.options = ingest_options(plan)
        self.progress = Progress(total_bytes=source.size)
        self.result: JobResult | None = None
        self._failures: list[Failure] = []
        self._warnings: list[str] = []
        self._trace_ids: list[str] = []
        self._requests: list[dict] = []
        self._resume = asyncio.Event()
        self._resume.set()
        self._cancelled = False
        self._fatal: str | None = None
        self._input_error: str | None = None
        self._stopped_at: str | None = None
        self._rate_limit_until = 0.0
        self._raw: BinaryIO | None = None
        self._started = 0.0
        self._maybe_sent: set[int] = set()
        self.profile = profile
        self.endpoint = endpoint if endpoint is not None else client.endpoint.ingest_url
        self._resume_from = resume_from
        self._recorder = journaling.JobRecorder() if (journal or resume_from is not None) else None
        self.job_id: str | None = resume_from.id if resume_from is not None else None
        self._acc: dict[int, _BatchAcc] = {}
        self._acked: dict[int, journaling.BatchMark] = {}
        self._prior_inflight: set[int] = set()
        self._dup_lines: list[list[int]] = []
        self._refused: str | None = None

    # -- control ---------------------------------------------------------------------------
    def pause(self) -> None:
        if not self.progress.state.finished:
            self._resume.clear()
            self._set_state(JobState.PAUSED, "paused")

    def resume(self) -> None:
        if self.progress.state == JobState.PAUSED:
            self._set_state(JobState.UPLOADING, "")
        self._resume.set()

    def cancel(self) -> None:
        """Stop sending new requests; the ones in flight finish, so their outcome is known."""
        self._cancelled = True
        self._resume.set()

    # -- running ---------------------------------------------------------------------------
    async def run(self) -> JobResult:
        loop = asyncio.get_running_loop()
        self._started = time.monotonic()
        own_pool = self._executor is None
        pool = self._executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=_pool_workers(), thread_name_prefix="axiom-drop-compress")
        reader = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="axiom-drop-read")
        queue: asyncio.Queue = asyncio.Queue(maxsize=self._inflight.floor)
        if self._resume.is_set():
            self._set_state(JobState.UPLOADING, "")
        else:
            self._set_state(JobState.PAUSED, "paused")
        try:
            if not await self._journal_start():
                return await self._journal_finish(self._finish(error=self._refused))
            try:
                stream = await loop.run_in_executor(reader, self._open)
            except (SourceError, OSError) as e:
                return await self._journal_finish(
                    self._finish(error=str(e) if isinstance(e, SourceError) else f"{self.source.name}: {e}"))
            batches = iter_batches(stream, self.plan, max_events=self.max_events, max_bytes=self.max_bytes)
            if self.plan.format == "csv":
                batches = self._noting_ragged_rows(batches)
            senders = [asyncio.create_task(self._sender(queue, pool)) for _ in range(self.in_flight)]
            try:
                await self._produce(batches, queue, pool, reader, loop)
            finally:
                for _ in senders:
                    await queue.put(None)
                await asyncio.gather(*senders)
                await loop.run_in_executor(reader, stream.close)
        except asyncio.CancelledError:
            self._cancelled = True
            self._finish()
            if self._recorder is not None:  # left "running" in the journal: resumable, dups reported
                self._recorder.close()
            raise
        finally:
            reader.shutdown(wait=False)
            if own_pool:
                pool.shutdown(wait=False)
        return await self._journal_finish(self._finish())

    # -- journal ---------------------------------------------------------------------------
    def _kind(self) -> str:
        if self.source.path is not None:
            return "file"
        return "pasted" if self.source.data is not None else "stdin"

    async def _journal_start(self) -> bool:
        """Create (or reopen, when resuming) the job's journal entry. False: refuse to run."""
        rec = self._recorder
        if rec is None:
            return True
        if self._resume_from is not None:
            marks, failures, refusal = await rec.start_resume(self._resume_from)
            if refusal is not None:
                self._refused = refusal
                self._refused_kind = ("changed" if "changed since" in refusal else
                                      "input" if ("no longer exists" in refusal or "cannot be read" in refusal)
                                      else "busy")
                return False
            self._load_previous(marks, failures)
        else:
            self.job_id = await rec.start_new(
                kind=self._kind(), name=self.source.name,
                path=str(self.source.path) if self.source.path is not None else None, dataset=self.dataset,
                profile=self.profile, endpoint=self.endpoint, plan=self.plan, max_events=self.max_events,
                max_bytes=self.max_bytes, compression=self.compression)
        if rec.problem:
            self._warnings.append(rec.problem)
        return True

    _refused_kind: str | None = None

    def _load_previous(self, marks: list, failures: list) -> None:
        """Counts, failures and warnings of the batches acknowledged before the interruption."""
        p = self.progress
        for m in marks:
            if m.status == "acked":
                self._acked[m.seq] = m
                p.ingested += m.ingested
                p.failed += m.failed
                p.possible_duplicates += m.possible_duplicates
                if m.possible_duplicates:
                    self._dup_lines.append([m.first_line, m.last_line])
                self._warnings.extend(m.warnings)
                self._trace_ids.extend(m.trace_ids)
            else:
                self._prior_inflight.add(m.seq)
        for _seq, line, error, record in failures:
            self._failures.append(Failure(line, error, record))

    def _acc_for(self, batch: Batch) -> _BatchAcc:
        acc = self._acc.get(batch.seq)
        if acc is None:
            acc = self._acc[batch.seq] = _BatchAcc(batch.seq, batch.start, batch.end, batch.first_line,
                                                   batch.last_line, batch.count)
            acc.prior_inflight = batch.seq in self._prior_inflight
        return acc

    async def _mark_sending(self, batch: Batch) -> None:
        """Before a batch's first request: journal it as in flight (committed before it leaves)."""
        acc = self._acc_for(batch)
        if acc.prior_inflight and not acc.dup_all:
            acc.dup_all = True
            acc.dups += acc.count
            self.progress.possible_duplicates += acc.count
            self._dup_lines.append([acc.first_line, acc.last_line])
            w = (f"lines {acc.first_line}–{acc.last_line}: these {acc.count} events were being sent when the "
                 "upload was interrupted; they were sent again, so they may be stored twice")
            self._warnings.append(w)
            acc.warnings.append(w)
        if not acc.marked and self._recorder is not None:
            acc.marked = True
            await self._recorder.inflight(acc.seq, acc.start, acc.end, acc.first_line, acc.last_line, acc.count)

    async def _settle(self, batch: Batch) -> None:
        """The batch is done in this run: acked when every event is stored or failed; otherwise
        its in-flight mark stays only if some of it may have been stored."""
        acc = self._acc.pop(batch.seq, None)
        if acc is None or self._recorder is None:
            return
        if acc.not_sent == 0:
            await self._recorder.ack(seq=acc.seq, start=acc.start, end=acc.end, first_line=acc.first_line,
                                     last_line=acc.last_line, events=acc.count, ingested=acc.ingested,
                                     failed=acc.failed, possible_duplicates=acc.dups, failures=acc.failures,
                                     warnings=acc.warnings, trace_ids=acc.trace_ids)
        elif acc.marked and not acc.maybe_stored and not acc.prior_inflight:
            await self._recorder.unmark(acc.seq)

    async def _journal_finish(self, result: JobResult) -> JobResult:
        result.job_id = self.job_id
        result.possible_duplicate_lines = sorted(self._dup_lines, key=lambda s: (s[0] or 0))
        rec = self._recorder
        if rec is None:
            return result
        kind = self._kind()
        if self._refused is not None:
            result.error_kind = self._refused_kind
            rec.close()
            return result
        if kind != "file" and result.state != JobState.DONE and result.not_sent:
            result.warnings.append(("standard input" if kind == "stdin" else "pasted text")
                                   + " cannot be resumed: send what was not sent again")
        resumable = (kind == "file" and result.not_sent > 0 and result.error_kind != "input")
        await rec.finish(state=result.state.value, ingested=result.ingested, failed=result.failed,
                         not_sent=result.not_sent, possible_duplicates=result.possible_duplicates,
                         error=result.error, error_kind=result.error_kind, stopped_at=result.stopped_at,
                         warnings=[w for w in result.warnings], resumable=resumable,
                         job_failures=[f for f in result.failures] if kind != "file" else None)
        return result

    def _open(self) -> BinaryIO:
        raw = self.source.open_raw()
        self._raw = raw
        stream = decoded(raw, self.plan.compression, self.plan.encoding)
        return stream

    def _raw_position(self) -> int:
        try:
            return self._raw.tell() if self._raw is not None else 0
        except (OSError, ValueError):
            return self.progress.bytes_read

    async def _produce(self, batches, queue: asyncio.Queue, pool, reader, loop) -> None:
        while True:
            await self._resume.wait()
            if self._cancelled or self._fatal:
                batch = None
            else:
                try:
                    batch = await loop.run_in_executor(reader, next, batches, None)
                except InputError as e:
                    self._input_error = str(e)
                    self._stopped_at = f"line {e.line}" if getattr(e, "line", None) else None
                    return
                except (OSError, EOFError, zstandard.ZstdError) as e:
                    self._input_error = f"{self.source.name}: reading stopped: {e}"
                    self._stopped_at = f"byte {self._raw_position()} of the file"
                    return
            if batch is None:
                if self._cancelled or self._fatal:
                    if self._stopped_at is None:
                        self._stopped_at = f"line {self._next_line}"
                    await loop.run_in_executor(reader, self._count_rest, batches)
                else:
                    self._check_unchanged()
                return
            self._next_line = batch.last_line + 1
            self.progress.events_read += batch.count + len(batch.skipped)
            self.progress.bytes_read = self._raw_position() if self.plan.compression else batch.end
            done = self._acked.get(batch.seq)
            if done is not None:  # acknowledged before the interruption: counted already, not resent
                if (done.start, done.end) != (batch.start, batch.end):
                    self._input_error = (f"{self.source.name}: the input no longer cuts into the same batches "
                                         f"(batch {batch.seq} was bytes {done.start}–{done.end}, now "
                                         f"{batch.start}–{batch.end}); not resuming")
                    self._stopped_at = f"line {batch.first_line}"
                    return
                self._emit()
                continue
            self._acc_for(batch)
            for k, (line, reason) in enumerate(batch.skipped):
                ordinal = batch.skipped_ordinals[k] if k < len(batch.skipped_ordinals) else None
                self._fail(line, self._element(ordinal) + reason, None, batch)
            if batch.count:
                # compressed by its sender just before it is sent, at the level the tuner picks then
                await queue.put((batch, None))
            else:  # only input the reader could not use: its failures are this batch's outcome
                await self._settle(batch)
            self._emit()

    _next_line = 1
    _ragged = 0

    def _noting_ragged_rows(self, batches):
        """Runs in the reader thread: name CSV rows whose cells do not match the header (their
        extra cells have no field name and may be dropped by the server)."""
        delimiter = self.plan.csv.delimiter if self.plan.csv else ","
        fields = self.plan.csv.fields if self.plan.csv else []
        for batch in batches:
            for index, cells, expected in ragged_rows(batch, delimiter, fields):
                self._ragged += 1
                if self._ragged <= MAX_RAGGED_LISTED:
                    what = ("the extra cells have no field name and may be dropped" if cells > expected
                            else "the missing fields are left out")
                    self._warnings.append(f"line {batch.lines[index]}: {cells} cell{'s' if cells != 1 else ''} "
                                          f"where the header names "
                                          f"{expected}; {what}")
            yield batch

    def _count_rest(self, batches) -> None:
        """After a cancel or a fatal answer: read (not send) the rest of the input so its events
        are counted as not sent. Bounded in time: past REST_COUNT_SECONDS the rest is named by
        where it starts instead of counted."""
        deadline = time.monotonic() + REST_COUNT_SECONDS
        try:
            for batch in batches:
                if batch.seq not in self._acked:
                    self.progress.not_sent += batch.count + len(batch.skipped)
                if time.monotonic() > deadline:
                    self._warnings.append(
                        f"the input after line {batch.last_line} was not read, so its events are not "
                        f"counted as not sent; nothing from there on was sent")
                    return
        except (InputError, OSError, EOFError, ValueError, zstandard.ZstdError) as e:
            self._warnings.append(f"counting the events that were not sent stopped: {e}")

    def _check_unchanged(self) -> None:
        """At the end of the input: a file that shrank while it was read lost events we cannot
        count — say so instead of reporting a complete upload."""
        path, before = self.source.path, self.source.size
        if path is None or before is None or self._raw is None:
            return
        try:
            now = os.fstat(self._raw.fileno()).st_size
        except (OSError, ValueError, AttributeError):
            return
        if now < before:
            self._input_error = (f"{self.source.name} changed while it was being read (size {before:,} → {now:,} "
                                 f"bytes): what was read up to line {self._next_line - 1} was sent; the rest was not")
            self._stopped_at = f"line {self._next_line}"
        elif now > before:
            self._warnings.append(f"{self.source.name} grew while it was being read (size {before:,} → {now:,} "
                                  "bytes); what was there when reading ended was sent")

    async def _sender(self, queue: asyncio.Queue, pool) -> None:
        while True:
            await self._slots.acquire()  # one of the requests allowed in flight now
            try:
                item = await queue.get()
                if item is None:
                    return
                batch, body = item
                if self._cancelled or self._fatal:
                    if body is not None:
                        body.cancel()
                    self._not_sent(batch)
                    await self._settle(batch)
                    continue
                try:
                    await self._deliver(batch, body if body is None else await body, pool)
                except _Stop:
                    pass
                await self._settle(batch)
            finally:
                self._slots.release()

    async def _deliver(self, first: Batch, first_body: bytes, pool) -> None:
        """Send one batch and whatever it splits into, until each event is accounted for."""
        loop = asyncio.get_running_loop()
        work: list[tuple[Batch, bytes | None]] = [(first, first_body)]
        while work:
            batch, body = work.pop(0)
            if self._cancelled or self._fatal:
                self._not_sent(batch)
                for rest, _ in work:
                    self._not_sent(rest)
                return
            if body is None:
                body = await loop.run_in_executor(pool, self._tuner.compress, batch.payload())
            try:
                outcome = await self._send_with_retries(batch, body)
            except _Stop:
                for rest, _ in work:  # the other pieces of a split batch are not lost from the counts
                    self._not_sent(rest)
                raise
            if isinstance(outcome, IngestResult):
                self._fold(batch, outcome)
            elif isinstance(outcome, TooLarge):
                if batch.count == 1:
                    self._fail(batch.lines[0], self._at(batch, 0)
                               + f"the event is too large for one request (413: {outcome.message})",
                               batch.records()[0], batch)
                else:
                    work[:0] = [(half, None) for half in batch.split()]
            elif isinstance(outcome, BadRequest):
                work[:0] = [(b, None) for b in self._after_400(batch, outcome)]

    async def _send_with_retries(self, batch: Batch, body: bytes) -> IngestResult | TooLarge | BadRequest:
        backoff = self._make_backoff()
        waited_for_limits = 0.0
        while True:
            await self._resume.wait()
            if self._cancelled:
                self._not_sent(batch)
                raise _Stop
            await self._wait_rate_limit()
            await self._mark_sending(batch)
            t0 = time.monotonic()
            token = self._inflight.token()
            entry = {"seq": batch.seq, "lines": [batch.first_line, batch.last_line], "events": batch.count,
                     "bytes": len(body)}
            try:
                res = await self.client.ingest(
                    self.dataset, body, content_type=batch.content_type(),
                    content_encoding=self.compression, options=self.options)
            except (TooLarge, BadRequest) as e:
                self._log(entry, e.status, t0, trace_id=e.trace_id, error=e.message)
                return e
            except RateLimited as e:
                self._log(entry, e.status, t0, trace_id=e.trace_id, error=e.message)
                self._pushed_back()
                if e.quota:
                    self._stop(batch, e.message, "quota")
                wait = wait_for_rate_limit(e)
                waited_for_limits += wait
                if waited_for_limits > MAX_RATE_LIMIT_WAIT:
                    self._stop(batch, f"rate limited for over {MAX_RATE_LIMIT_WAIT // 60} minutes; stopped", "quota")
                self._rate_limit_until = max(self._rate_limit_until, time.time() + wait)
                continue
            except (ServerError, TransportError) as e:
                status = getattr(e, "status", None)
                self._log(entry, status, t0, trace_id=e.trace_id, error=e.message)
                self._pushed_back()
                acc = self._acc_for(batch)
                if isinstance(e, TransportError) and e.maybe_sent:
                    acc.maybe_stored = True
                if (isinstance(e, TransportError) and e.maybe_sent and id(batch) not in self._maybe_sent
                        and not acc.dup_all):
                    # The body went out; the server may have stored it. Sending again may duplicate.
                    self._maybe_sent.add(id(batch))
                    self.progress.possible_duplicates += batch.count
                    acc.dups += batch.count
                    self._dup_lines.append([batch.first_line, batch.last_line])
                    w = (f"lines {batch.first_line}–{batch.last_line}: the connection failed after the request "
                         f"was sent ({e.message}); it was sent again, so these {batch.count} events may be stored twice")
                    self._warnings.append(w)
                    acc.warnings.append(w)
                delay = backoff.next_delay()
                if backoff.give_up:
                    self._not_sent(batch)
                    self._fatal_msg(f"gave up after {backoff.attempts} attempts: {e.message}",
                                    "network" if isinstance(e, TransportError) else "server")
                    raise _Stop
                self._set_state(JobState.RETRYING, f"retrying in {delay:.0f} s: {e.message}",
                                wait_until=time.time() + delay)
                await asyncio.sleep(delay)
                continue
            except AuthError as e:
                self._log(entry, e.status, t0, trace_id=e.trace_id, error=e.message)
                self._stop(batch, str(e.message), "auth")
            except NotFound as e:
                self._log(entry, e.status, t0, trace_id=e.trace_id, error=e.message)
                self._stop(batch, f"dataset {self.dataset!r} not found (404): create it first, or pick another", "dataset")
            except AxiomError as e:
                self._log(entry, e.status, t0, trace_id=e.trace_id, error=e.message)
                self._stop(batch, str(e.message), "server")
            self._log(entry, 200, t0, trace_id=res.trace_id, ingested=res.ingested, failed=res.failed)
            seconds = time.monotonic() - t0
            self._tuner.note_sent(len(body), seconds, token[1])
            self._inflight.note_sent(token, len(body), seconds)
            self._slots.set_limit(self._inflight.limit)
            if self.progress.state in (JobState.RETRYING, JobState.WAITING):
                self._set_state(JobState.UPLOADING, "")
            return res

    def _pushed_back(self) -> None:
        """429, 5xx or a network error: fewer requests in flight from now on."""
        self._inflight.note_trouble()
        self._slots.set_limit(self._inflight.limit)

    async def _wait_rate_limit(self) -> None:
        while True:
            wait = self._rate_limit_until - time.time()
            if wait <= 0:
                if self.progress.state == JobState.WAITING:
                    self._set_state(JobState.UPLOADING, "")
                return
            self._set_state(JobState.WAITING, f"waiting {wait:.0f} s for the rate limit to reset",
                            wait_until=self._rate_limit_until)
            await asyncio.sleep(min(wait, 1.0))

    def _after_400(self, batch: Batch, err: BadRequest) -> list[Batch]:
        """The server took nothing: name the bad events, return what is left to send."""
        bad = dict(validate_records(batch))
        if not bad and err.event_index is not None and 0 <= err.event_index < batch.count:
            bad = {err.event_index: err.message}
        if not bad:
            if batch.count == 1:
                bad = {0: err.message}
            else:
                return list(batch.split())  # bisect until the culprit is alone
        records = batch.records()
        for index in sorted(bad):
            self._fail(batch.lines[index], self._at(batch, index) + bad[index], records[index], batch)
        keep = [i for i in range(batch.count) if i not in bad]
        return [batch.subset(keep)] if keep else []

    def _fold(self, batch: Batch, res: IngestResult) -> None:
        acc = self._acc_for(batch)
        acc.maybe_stored = True
        self.progress.ingested += res.ingested
        acc.ingested += res.ingested
        if res.trace_id:
            self._trace_ids.append(res.trace_id)
            acc.trace_ids.append(res.trace_id)
        for w in res.warnings:
            msg = w.get("msg") or w.get("message") or str(w)
            count = w.get("count")
            text = f"lines {batch.first_line}–{batch.last_line}: {msg}" + (f" ({count}×)" if count else "")
            self._warnings.append(text)
            acc.warnings.append(text)
        if res.failed:
            self.progress.failed += res.failed
            acc.failed += res.failed
            for line, error, record in self._map_failures(batch, res.failures, res.failed):
                self._failures.append(Failure(line, error, record))
                acc.failures.append(self._failures[-1])
        # Events the server neither ingested nor failed (it should not happen) are not lost silently.
        missing = batch.count - res.ingested - res.failed
        if missing > 0:
            self.progress.not_sent += missing
            acc.not_sent += missing
            self._warnings.append(
                f"lines {batch.first_line}–{batch.last_line}: the server acknowledged {res.ingested + res.failed} "
                f"of {batch.count} events; {missing} are counted as not sent")
        self._emit()

    def _map_failures(self, batch: Batch, failures: list[dict], failed: int):
        """200 with failures names timestamps, not positions: match them to the batch's events."""
        by_time: dict[int, list[int]] = {}
        records = batch.records()
        field_name = self.plan.timestamp_field or "_time"
        for i, value in enumerate(_timestamp_values(batch, records, field_name, self.plan)):
            ns = to_epoch_ns(value)
            if ns is not None:
                by_time.setdefault(ns, []).append(i)
        used: set[int] = set()
        span = f"lines {batch.first_line}–{batch.last_line}"
        if self.plan.format == "json-array" and len(batch.ordinals):
            span += f", elements {batch.ordinals[0]}–{batch.ordinals[-1]} of the array"
        for f in failures[:failed]:
            error = str(f.get("error", "failed"))
            ns = to_epoch_ns(f.get("timestamp"))
            candidates = [i for i in by_time.get(ns, []) if i not in used] if ns is not None else []
            if len(candidates) == 1:
                used.add(candidates[0])
                yield batch.lines[candidates[0]], self._at(batch, candidates[0]) + error, \
                    _preview(records[candidates[0]])
            elif candidates:
                lines = ", ".join(str(batch.lines[i]) for i in candidates[:5])
                if self.plan.format == "json-array" and len(batch.ordinals) == batch.count:
                    elements = ", ".join(str(batch.ordinals[i]) for i in candidates[:5])
                    yield None, (f"{error} (one of elements {elements} of the array, on lines {lines}, "
                                 "which share its timestamp)"), None
                else:
                    yield None, f"{error} (one of lines {lines}, which share its timestamp)", None
            elif (found := _locate_by_reason(batch, records, error, used)) is not None:
                used.add(found)
                yield batch.lines[found], self._at(batch, found) + error, _preview(records[found])
            else:
                yield None, f"{error} (somewhere in {span})", None
        for _ in range(failed - len(failures)):
            yield None, f"failed without a reason from the server (somewhere in {span})", None

    # -- accounting ------------------------------------------------------------------------
    def _element(self, ordinal: int | None) -> str:
        """"element N of the array: " for a JSON array: a one-line array puts every element on
        line 1, so the line alone does not find it. Other formats' messages stay as they are."""
        if self.plan.format != "json-array" or ordinal is None:
            return ""
        return f"element {ordinal} of the array: "

    def _at(self, batch: Batch, index: int) -> str:
        """The _element prefix for the batch's event at `index`."""
        return self._element(batch.ordinals[index] if index < len(batch.ordinals) else None)

    def _fail(self, line: int | None, error: str, record: bytes | None, batch: Batch | None = None) -> None:
        self.progress.failed += 1
        self._failures.append(Failure(line, error, _preview(record) if record is not None else None))
        if batch is not None:
            acc = self._acc_for(batch)
            acc.failed += 1
            acc.failures.append(self._failures[-1])

    def _not_sent(self, batch: Batch) -> None:
        self.progress.not_sent += batch.count
        self._acc_for(batch).not_sent += batch.count
        if self._stopped_at is None or (batch.first_line < self._first_unsent_line):
            self._first_unsent_line = batch.first_line
            self._stopped_at = f"line {batch.first_line}"
        self._emit()

    _first_unsent_line = sys.maxsize

    def _stop(self, batch: Batch, message: str, kind: str):
        self._fatal_msg(message, kind)
        self._not_sent(batch)
        raise _Stop

    def _fatal_msg(self, message: str, kind: str) -> None:
        if not self._fatal:
            self._fatal, self._fatal_kind = message, kind

    _fatal_kind: str | None = None

    def _log(self, entry: dict, status: int | None, t0: float, **extra) -> None:
        entry.update(status=status, ms=round((time.monotonic() - t0) * 1000), **extra)
        self._requests.append(entry)

    def _set_state(self, state: JobState, message: str, wait_until: float | None = None) -> None:
        self.progress.state = state
        self.progress.message = message
        self.progress.wait_until = wait_until
        self._emit()

    def _emit(self) -> None:
        elapsed = max(1e-6, time.monotonic() - self._started) if self._started else 0
        if elapsed:
            self.progress.bytes_per_s = self.progress.bytes_read / elapsed
            self.progress.events_per_s = (self.progress.ingested + self.progress.failed) / elapsed
        if self.on_progress is not None:
            self.on_progress(self.progress)

    def _finish(self, error: str | None = None) -> JobResult:
        p = self.progress
        if self._ragged > MAX_RAGGED_LISTED:
            self._warnings.append(f"… and {self._ragged - MAX_RAGGED_LISTED:,} more rows whose cells do not "
                                  "match the header")
            self._ragged = MAX_RAGGED_LISTED  # said once, even if _finish runs again
        kind = "input" if (error or self._input_error) else self._fatal_kind
        error = error or self._input_error or self._fatal
        if self._cancelled and not error:
            state = JobState.CANCELLED
        elif error and not p.ingested:
            state = JobState.FAILED
        elif p.failed or p.not_sent or error:
            state = JobState.DONE_WITH_FAILURES
        else:
            state = JobState.DONE
        if state == JobState.DONE and self.plan.compression is None and p.total_bytes:
            p.bytes_read = p.total_bytes
        self._failures.sort(key=lambda f: (f.line is None, f.line or 0))
        self.result = JobResult(
            name=self.source.name, dataset=self.dataset, state=state,
            ingested=p.ingested, failed=p.failed, not_sent=p.not_sent,
            possible_duplicates=p.possible_duplicates, failures=self._failures,
            warnings=self._warnings, trace_ids=self._trace_ids,
            stopped_at=self._stopped_at if (self._cancelled or error) else None,
            error=error, error_kind=kind if error else None, requests=self._requests, elapsed=time.monotonic() - self._started)
        self._set_state(state, error or "")
        return self.result


def resume_job(record: "journaling.JobRecord", client: AxiomClient, *, endpoint: str | None = None,
               on_progress: Callable[[Progress], None] | None = None, **kw) -> UploadJob:
    """An UploadJob that continues a journaled job (from journal.unfinished_jobs()): it re-reads
    the file with the same Plan and limits, skips the acknowledged batches and sends the rest.

    `endpoint` labels where `client` sends (default: its ingest URL); it must be where the job was
    sending, or ResumeError. A changed source or a job running elsewhere is refused when the job
    runs: its result is FAILED with the reason in `error` (error_kind "changed", "input" or "busy")."""
    if record.kind != "file" or not record.path:
        raise journaling.ResumeError(f"{record.name}: {record.kind} input cannot be resumed")
    where = endpoint if endpoint is not None else client.endpoint.ingest_url
    if record.endpoint and journaling.safe_endpoint(where) != record.endpoint:
        raise journaling.ResumeError(
            f"job {record.id} ({record.name}) was sending to {record.endpoint}; resuming it would send to "
            f"{journaling.safe_endpoint(where)}. Resume it with the profile or AXIOM_URL it started with")
    source = Source(record.name, path=Path(record.path))
    kw.setdefault("compression", record.compression)
    return UploadJob(source, journaling.plan_from_json(record.plan), client, record.dataset,
                     on_progress=on_progress, max_events=record.max_events, max_bytes=record.max_bytes,
                     profile=record.profile, endpoint=where, resume_from=record, **kw)


def _preview(record: bytes | None) -> str | None:
    if record is None:
        return None
    text = record[:RECORD_PREVIEW_BYTES].decode("utf-8", "replace").rstrip("\r\n")
    return text + ("…" if len(record) > RECORD_PREVIEW_BYTES else "")


LONG_FIELD_NAME_BYTES = 200  # AXIOM_API.md: longer field names are refused


def _locate_by_reason(batch: Batch, records: list[bytes], error: str, used: set[int]) -> int | None:
    """When timestamps cannot place a failure, a reason that names a property of the event can:
    the first event not yet matched that has a field name over Axiom's limit."""
    if "field name" not in error or "long" not in error or batch.kind != "ndjson":
        return None
    import orjson

    def has_long_name(value) -> bool:
        if isinstance(value, dict):
            return any(len(k.encode("utf-8")) > LONG_FIELD_NAME_BYTES or has_long_name(v) for k, v in value.items())
        if isinstance(value, list):
            return any(has_long_name(v) for v in value)
        return False

    for i, rec in enumerate(records):
        if i in used:
            continue
        try:
            if has_long_name(orjson.loads(rec)):
                return i
        except orjson.JSONDecodeError:
            continue
    return None


def _timestamp_values(batch: Batch, records: list[bytes], field_name: str, plan: Plan):
    """The timestamp value of each event of a batch (None where there is none)."""
    import orjson

    if batch.kind == "csv":
        import csv

        delimiter = plan.csv.delimiter if plan.csv else ","
        if batch.header:
            header = next(csv.reader([batch.header.decode("utf-8", "replace")], delimiter=delimiter), [])
        else:
            header = list(plan.csv.fields) if plan.csv else []
        try:
            col = header.index(field_name)
        except ValueError:
            col = None
        for rec in records:
            row = next(csv.reader(io.StringIO(rec.decode("utf-8", "replace")), delimiter=delimiter), [])
            yield row[col] if col is not None and col < len(row) else None
        return
    for rec in records:
        try:
            obj = orjson.loads(rec)
        except orjson.JSONDecodeError:
            yield None
            continue
        yield obj.get(field_name) if isinstance(obj, dict) else None
