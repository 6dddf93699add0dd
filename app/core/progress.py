"""What a queue row says about how far an upload got, how fast and how long: one rule for the
window (and anything else that shows a job's Progress).

- Progress is events the server answered for (ingested + failed), out of the events in the file
  (known once it is read; until then estimated from the share of bytes read). Bytes read ahead
  are not progress: "29 %" read with 9 % ingested shows 9 %; a batch waiting for a retry adds
  nothing.
- Speed is what this run sent: bodies the server acknowledged since the run started. Skipped
  (already stored) batches of a resume and read-ahead are not sent; a job that sent nothing has
  no speed.
- ETA is the events left at this run's rate of acknowledged events.
- A countdown is computed from `wait_until` at the moment it is shown, so every place that shows
  it (the row, the details) says the same number.
- The queue's totals (its summary row) are a pass over its entries (app.core.queue.QueueEntry).
  A file whose reading stopped (a cut .gz, binary data, a read error) counts as "not read to the
  end": its rest was not sent and its count is unknown, so "0 not sent" alone would hide it.
"""

from __future__ import annotations

import time

from app.core.job import JobResult, JobState, Progress
from app.core.job import not_sent_text as _not_sent_words

UNKNOWN = -1.0  # the share cannot be told (no size): show counts instead


def events_total(p: Progress) -> int | None:
    """The file's events: exact once read to the end, else scaled from the share of bytes read;
    None before anything was read, or when the size is unknown and reading goes on."""
    if p.events_read <= 0:
        return None
    if p.total_bytes and p.bytes_read >= p.total_bytes:
        return p.events_read
    if p.total_bytes and p.bytes_read > 0:
        return max(p.events_read, round(p.events_read * p.total_bytes / p.bytes_read))
    return None


def acknowledged(p: Progress | JobResult | None) -> int:
    return (p.ingested + p.failed) if p is not None else 0


def fraction(state: JobState, p: Progress | None, result: JobResult | None) -> float | None:
    """Share of the events the server answered for, 0..1; UNKNOWN when it cannot be told;
    None for a job that has not started (a queued row shows no bar)."""
    if result is not None:
        if result.state in (JobState.DONE, JobState.DONE_WITH_FAILURES):
            return 1.0
        total = result.ingested + result.failed + result.not_sent
        return acknowledged(result) / total if total else 0.0
    if p is None:
        return None if state in (JobState.QUEUED, JobState.PAUSED, JobState.CANCELLED, JobState.FAILED) else 0.0
    total = events_total(p)
    if total is None:
        return UNKNOWN if p.events_read and not p.total_bytes else 0.0
    return max(0.0, min(1.0, acknowledged(p) / total)) if total else 0.0


def percent_text(state: JobState, p: Progress | None, result: JobResult | None) -> str:
    """What the progress column says: "42 %", events acknowledged when the share is unknown,
    nothing for a row that has not started."""
    f = fraction(state, p, result)
    if f is None:
        return ""
    if f == UNKNOWN:
        return f"{acknowledged(p):,} events"
    return f"{int(f * 100)} %"


def speed(p: Progress | None, running: bool, elapsed: float) -> float | None:
    """Bytes per second sent in this run: live while it uploads, the average once finished;
    None when nothing was sent (a cancelled job, a resume with nothing left)."""
    if p is None or p.bytes_sent <= 0:
        return None
    if running:
        return p.bytes_per_s if p.state == JobState.UPLOADING and p.bytes_per_s > 0 else None
    return p.bytes_sent / elapsed if elapsed > 0 else None


def eta(p: Progress | None, running: bool) -> float | None:
    """Seconds left at this run's rate of acknowledged events; None when it cannot be told."""
    if not running or p is None or p.events_acked <= 0 or p.elapsed <= 0:
        return None
    total = events_total(p)
    if total is None:
        return None
    left = total - acknowledged(p)
    return max(0.0, left / (p.events_acked / p.elapsed))


def countdown(p: Progress | None, now: float | None = None) -> int | None:
    """Whole seconds until the wait or retry ends (None when not counting down)."""
    if p is None or not p.wait_until or p.state not in (JobState.WAITING, JobState.RETRYING):
        return None
    now = time.time() if now is None else now
    return max(0, int(round(p.wait_until - now)))


def live_message(p: Progress | None, now: float | None = None) -> str:
    """The job's message with the countdown as of `now` ("retrying in 7 s: 503 …"); the frozen
    text of when the wait began is never shown."""
    if p is None:
        return ""
    left = countdown(p, now)
    if left is None:
        return p.message
    if p.state == JobState.WAITING:
        return f"waiting {left} s {p.reason}".rstrip() if p.reason else f"waiting {left} s"
    return f"retrying in {left} s: {p.reason}" if p.reason else f"retrying in {left} s"


def duration_text(seconds: float) -> str:
    """0:07, 2:05, 1:02:05."""
    s = max(0, int(round(seconds)))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def time_text(elapsed: float, left: float | None, started: bool) -> str:
    """The Time column: elapsed, and the ETA while it runs ("0:12 · 0:30 left")."""
    if not started:
        return ""
    text = duration_text(elapsed)
    return f"{text} · {duration_text(left)} left" if left is not None else text


def not_sent_text(entry) -> str | None:
    """What a queue row's tooltip and its details say of the events not sent (None: none): the
    count, and once finished the unread rest of a file whose reading stopped, "count unknown"
    (app.core.job.results.not_sent_text: the same words as the CLI's and History's)."""
    if entry.result is not None:
        return entry.result.not_sent_text
    return _not_sent_words(entry.progress.not_sent, None) if entry.progress is not None else None


def totals(entries: list) -> dict[str, int]:
    """The queue's summary: files (done, queued, active, not read to the end), events (ingested,
    failed, not sent, possible duplicates) and bytes (of the files; `bytes_done`: each file's size
    times the share of its events the server answered for, as its row's bar shows it, so a
    cancelled file counts what was sent of it and an uploading one what is sent so far)."""
    t = {"files": len(entries), "done": 0, "queued": 0, "ingested": 0, "failed": 0, "not_sent": 0,
         "active": 0, "possible_duplicates": 0, "unread": 0, "bytes": 0, "bytes_done": 0}
    for e in entries:  # one pass, each entry's report read once: a queue of 2,000 costs ~2 ms
        report = e.result if e.result is not None else e.progress
        if report is not None:
            t["ingested"] += report.ingested
            if e.retried_by is None:  # not twice: the retry's row has them
                t["failed"] += report.failed
            t["not_sent"] += report.not_sent
            t["possible_duplicates"] += report.possible_duplicates
            if e.result is not None and e.result.rest_from is not None:  # the rest, its count unknown
                t["unread"] += 1
        size = e.source.size or 0
        t["bytes"] += size
        share = fraction(e.state, e.progress, e.result) if size else None
        if share is not None and share > 0:
            t["bytes_done"] += round(size * share)
        if e.state.finished:
            t["done"] += 1
        else:
            t["active"] += 1
            t["queued"] += 1 if e.job is None else 0
    return t


def unread_text(files: int) -> str | None:
    """The files whose reading stopped, as the totals say it (None: none)."""
    return f"{files:,} file{'s' if files != 1 else ''} not read to the end" if files else None


def not_sent_parts(t: dict[str, int]) -> list[str]:
    """What the totals say was not sent: the events counted, and the files not read to the end
    (their rest uncounted), so a queue whose file stopped half-way never totals just "0 not sent"."""
    parts = [f"{t['not_sent']:,} not sent"] if t["not_sent"] else []
    return parts + ([unread_text(t["unread"])] if t["unread"] else [])


def finished_summary(entries: list) -> tuple[str, str, bool]:
    """(title, text, problem) of uploads that finished, with the counts: what the desktop
    notification says. Failed events, events not sent and files not read to the end are problems."""
    t = totals(entries)
    n = len(entries)
    names = entries[0].name if n == 1 else f"{n} uploads"
    datasets = sorted({e.dataset for e in entries if e.dataset})
    problem = bool(t["failed"] or t["not_sent"] or t["unread"])
    title = f"{names} finished" + (" with problems" if problem else "")
    parts = [f"{t['ingested']:,} events ingested"]
    if t["failed"]:
        parts.append(f"{t['failed']:,} failed")
    parts += not_sent_parts(t)
    if t["possible_duplicates"]:
        parts.append(f"{t['possible_duplicates']:,} possibly stored twice")
    to = f" into {', '.join(datasets)}" if datasets and len(datasets) <= 3 else ""
    return title, ", ".join(parts) + to, problem
