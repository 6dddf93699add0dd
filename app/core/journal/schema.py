"""What the journal stores: the SQL schema, its version, the job states and stop kinds it
records, and the records it hands back.

JobState and StopKind live here, below the job, because both the journal (which stores them) and
the job (which reports them) need them; app.core.job exports them as part of its API.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from dataclasses import dataclass, field

from app.core.io import shown

SCHEMA_VERSION = 3
RUNNING = "running"  # the journal's state of a job that has not finished (or whose process died)
QUEUED = "queued"    # a file queued in the window, not started yet: resumable from its start
INFLIGHT, ACKED = "inflight", "acked"  # a batch's status


class JobState(str, enum.Enum):
    """Where a job is. The finished ones are what the journal stores when it ends."""

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


class StopKind(str, enum.Enum):
    """Why a job stopped early (JobResult.error_kind, the journal's error_kind column)."""

    INPUT = "input"        # the input cannot be read (or no longer exists)
    AUTH = "auth"          # 401/403
    DATASET = "dataset"    # 404: no such dataset
    QUOTA = "quota"        # 430, or rate limited for too long
    NETWORK = "network"    # network errors until the retries gave out
    SERVER = "server"      # 5xx until the retries gave out, or another answer
    CHANGED = "changed"    # resume refused: the source changed
    BUSY = "busy"          # resume refused: running elsewhere, or finished already
    JOURNAL = "journal"    # the journal could not be written: stopped so that a resume stays truthful


@dataclass(frozen=True)
class Refusal:
    """Why a journaled job will not run again."""

    kind: StopKind
    message: str

    def __str__(self) -> str:
        return self.message

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    finished REAL,
    state TEXT NOT NULL,               -- "running" or a final JobState value
    kind TEXT NOT NULL,                -- "file" | "pasted" | "stdin"
    name TEXT NOT NULL,
    path TEXT,
    size INTEGER,
    mtime_ns INTEGER,
    head_sha256 TEXT,
    dataset TEXT NOT NULL,
    profile TEXT,
    endpoint TEXT,
    plan TEXT NOT NULL,                -- Plan as JSON
    max_events INTEGER NOT NULL,
    max_bytes INTEGER NOT NULL,
    compression TEXT,
    ingested INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    not_sent INTEGER NOT NULL DEFAULT 0,
    possible_duplicates INTEGER NOT NULL DEFAULT 0,
    resumable INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    error_kind TEXT,
    stopped_at TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',   -- job-level warnings of the last run
    runs INTEGER NOT NULL DEFAULT 1,
    commits INTEGER NOT NULL DEFAULT 0,    -- the job's transactions (its marker counts them too)
    suspect_seq INTEGER,               -- batches up to this seq may be stored though not acked
    note TEXT,                         -- what the journal itself knows went wrong with this record
    queued_by TEXT,                    -- the queue (its lock) that holds a queued job
    offered REAL                       -- when the resume bar at start-up first listed this job
);
CREATE INDEX IF NOT EXISTS jobs_updated ON jobs(updated);
CREATE TABLE IF NOT EXISTS batches (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    first_line INTEGER,
    last_line INTEGER,
    events INTEGER NOT NULL,
    status TEXT NOT NULL,              -- "inflight" | "acked"
    ingested INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    possible_duplicates INTEGER NOT NULL DEFAULT 0,
    warnings TEXT NOT NULL DEFAULT '[]',
    trace_ids TEXT NOT NULL DEFAULT '[]',
    more_failures TEXT NOT NULL DEFAULT '[]',  -- failures past the ones kept: by reason and line spans
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS failures (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER,
    line INTEGER,
    error TEXT NOT NULL,
    record TEXT
);
CREATE INDEX IF NOT EXISTS failures_job ON failures(job_id, seq);
CREATE TABLE IF NOT EXISTS notices (
    created REAL NOT NULL,
    text TEXT NOT NULL,
    shown INTEGER NOT NULL DEFAULT 0
);
"""

# Columns added since version 1 (ALTER TABLE for journals written by an older version).
ADDED_COLUMNS = {2: [("jobs", "commits INTEGER NOT NULL DEFAULT 0"), ("jobs", "suspect_seq INTEGER"),
                     ("jobs", "note TEXT"), ("jobs", "queued_by TEXT"),
                     ("batches", "more_failures TEXT NOT NULL DEFAULT '[]'")],
                 3: [("jobs", "offered REAL")]}



@dataclass
class BatchMark:
    seq: int
    start: int
    end: int
    first_line: int | None
    last_line: int | None
    events: int
    status: str
    ingested: int = 0
    failed: int = 0
    possible_duplicates: int = 0
    warnings: list[str] = field(default_factory=list)
    trace_ids: list[str] = field(default_factory=list)
    more_failures: list[dict] = field(default_factory=list)


@dataclass
class JobRecord:
    """One journaled job, as listed by unfinished_jobs() and history()."""

    id: str
    created: float
    updated: float
    finished: float | None
    state: str
    kind: str
    name: str
    path: str | None
    size: int | None
    mtime_ns: int | None
    head_sha256: str | None
    dataset: str
    profile: str | None
    endpoint: str | None
    plan: dict
    max_events: int
    max_bytes: int
    compression: str | None
    ingested: int
    failed: int
    not_sent: int
    possible_duplicates: int
    resumable: bool
    error: str | None
    error_kind: str | None
    stopped_at: str | None
    warnings: list[str]
    runs: int
    commits: int = 0
    suspect_seq: int | None = None
    note: str | None = None
    queued_by: str | None = None
    offered: float | None = None

    @property
    def interrupted(self) -> bool:
        """The process died while it ran (as opposed to a job that stopped with events unsent)."""
        return self.state == RUNNING

    @property
    def queued(self) -> bool:
        """Queued and never started: resuming it sends the whole file, nothing can be stored twice."""
        return self.state == QUEUED

    def describe(self) -> str:
        """One line for a list of unfinished jobs."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.updated))
        how = "interrupted" if self.interrupted else self.state
        done = "not started" if self.queued else f"{self.ingested:,} ingested, {self.failed:,} failed so far"
        line = f"{self.id}  {self.name} → {self.dataset} ({self.endpoint or '?'}): {how} {when}; {done}"
        return line + (f"\n    note: {self.note}" if self.note else "")

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["path"] = shown(self.path) if self.path is not None else None  # printable; the real path stays here
        d["interrupted"] = self.interrupted
        return d

