"""What a job writes to the journal: its entry, each batch "in flight" before its first request and
"acked" (with its counts, failures and warnings, in one transaction) once every event of it is
stored or failed, and the job's outcome.

A resumed job re-reads its input from the start with the same Plan and limits (batch boundaries
are deterministic from the same start), skips acked batches, and resends the rest — those that
were in flight are reported as possible duplicates (Axiom has no idempotency key).

A queued job (never started: nothing to skip) does not wait for its entry to be begun, and no
job waits for an ack to be written: both run in the recorder's worker before the job's next
in-flight mark, which is awaited and durable before its request (recorder.py says why).
"""

from __future__ import annotations

from app.core.batching import Batch
from app.core.plan import Plan
from app.core.journal import JobRecord, JobRecorder, JobState, Refusal, StopKind
from app.core.job.ledger import Ledger
from app.core.job.results import JobResult, JobWarning, WarningKind
from app.core.job.source import Source


class JobJournal:
    def __init__(self, ledger: Ledger, *, enabled: bool, resume_from: JobRecord | None):
        self.ledger = ledger
        self.resume_from = resume_from
        self.recorder = JobRecorder() if (enabled or resume_from is not None) else None
        self.job_id: str | None = resume_from.id if resume_from is not None else None
        self.refusal: Refusal | None = None
        self._said = False  # the journal's failure is among the warnings

    async def start(self, source: Source, *, dataset: str, profile: str | None, endpoint: str | None,
                    plan: Plan, max_events: int, max_bytes: int, compression: str | None) -> bool:
        """Create (or reopen, when resuming) the job's journal entry. False: refuse to run."""
        rec = self.recorder
        if rec is None:
            return True
        if self.resume_from is not None:
            fresh = dict(dataset=dataset, profile=profile, endpoint=endpoint, plan=plan, max_events=max_events,
                         max_bytes=max_bytes, compression=compression)  # for a queued job: as it starts now
            if self.resume_from.queued:  # no batches to skip: begun in the worker while the file opens
                rec.start_queued(self.resume_from, fresh)
                return True
            marks, failures, refusal = await rec.start_resume(self.resume_from, fresh)
            if refusal is not None:
                self.refusal = refusal
                return False
            self.ledger.load_earlier(marks, failures)
        else:
            self.job_id = await rec.start_new(
                kind=source.kind, name=source.name, path=str(source.path) if source.path is not None else None,
                dataset=dataset, profile=profile, endpoint=endpoint, plan=plan, max_events=max_events,
                max_bytes=max_bytes, compression=compression)
        if rec.problem:
            self.ledger.warn(JobWarning(WarningKind.JOURNAL, rec.problem))
        return True

    async def mark_sending(self, batch: Batch) -> bool:
        """Before a batch's first request: journal it as in flight (committed before it leaves).
        False when the journal failed: the batch must not be sent (see `failure`)."""
        r = self.ledger.record(batch)
        rec = self.recorder
        if rec is None:
            return True
        if not r.marked:
            r.marked = True
            ok = await rec.inflight(r.seq, r.start, r.end, r.first_line, r.last_line, r.count)
        else:
            ok = not rec.failed and rec.refusal is None
        if rec.refusal is not None:  # a queued job's deferred start refused it: nothing was sent
            self.refusal = rec.refusal
            return False
        if not ok and not self._said:
            self._said = True
            self.ledger.warn(JobWarning(WarningKind.JOURNAL, rec.problem or "the journal could not be written"))
        return ok

    @property
    def failure(self) -> str:
        """Why the job stops: a journal write failed once it was journaled (or its start refused)."""
        if self.refusal is not None:
            return self.refusal.message
        return (self.recorder.problem if self.recorder is not None else None) or "the journal could not be written"

    async def settle(self, batch: Batch) -> None:
        """The batch is done in this run: acked when every event is stored or failed; otherwise
        its in-flight mark stays only if some of it may have been stored."""
        r = self.ledger.settle(batch)
        if r is None or self.recorder is None:
            return
        if r.not_sent == 0:
            self.recorder.ack(
                seq=r.seq, start=r.start, end=r.end, first_line=r.first_line, last_line=r.last_line, events=r.count,
                ingested=r.ingested, failed=r.failed, possible_duplicates=r.possible_duplicates,
                failures=[f for _order, f in r.failures], more_failures=r.more.to_json() if r.more else [],
                warnings=[str(w) for _order, w in r.warnings],
                trace_ids=[t for _order, t in r.trace_ids])
        elif r.marked and not r.maybe_stored and not r.prior_inflight:
            self.recorder.unmark(r.seq)

    async def finish(self, result: JobResult, source: Source) -> JobResult:
        result.job_id = self.job_id
        result.possible_duplicate_lines = self.ledger.duplicate_lines()
        rec = self.recorder
        if rec is None:
            return result
        refusal = await rec.started()  # a queued job's deferred start: did it refuse?
        if refusal is not None and self.refusal is None:
            self.refusal = refusal
            result.error = result.error or refusal.message
        if self.refusal is not None:
            result.error_kind = self.refusal.kind
            rec.close()
            return result
        kind = source.kind
        if kind != "file" and result.state != JobState.DONE and result.not_sent:
            warning = JobWarning(WarningKind.NOT_RESUMABLE, ("standard input" if kind == "stdin" else "pasted text")
                                 + " cannot be resumed: send what was not sent again")
            self.ledger.warn(warning)
            result.warnings.append(warning)
        self._say_failed(result)  # the last write failed: nothing more was sent, but say so
        resumable = kind == "file" and result.not_sent > 0 and result.error_kind != StopKind.INPUT
        await rec.finish(state=result.state.value, ingested=result.ingested, failed=result.failed,
                         not_sent=result.not_sent, possible_duplicates=result.possible_duplicates,
                         error=result.error, error_kind=result.error_kind.value if result.error_kind else None,
                         stopped_at=result.stopped_at, warnings=[str(w) for w in result.warnings],
                         resumable=resumable, job_failures=list(result.failures) if kind != "file" else None)
        self._say_failed(result)  # the last ack (written behind) failed, or the outcome itself
        return result

    def _say_failed(self, result: JobResult) -> None:
        rec = self.recorder
        if rec is not None and rec.failed and not self._said:
            self._said = True
            warning = JobWarning(WarningKind.JOURNAL, rec.problem or "the journal could not be written")
            self.ledger.warn(warning)
            result.warnings.append(warning)

    def close(self) -> None:
        """The job's task was cancelled: left "running" in the journal, resumable, dups reported."""
        if self.recorder is not None:
            self.recorder.close()
