"""The journal: what each upload job has had acknowledged, so an interrupted job resumes without
losing or silently duplicating events, and the history of finished jobs.

One SQLite file under config.data_dir() (AXIOM_DROP_HOME when set). Why SQLite: every write is a
transaction, so a kill at any moment leaves either the old or the new state, never half of one.

- WAL mode: readers (the window's history, `resume` listing) never block the job writing, and a
  commit is one append to the WAL.
- synchronous=FULL: each commit is fsync'ed before we send the batch it describes. With NORMAL a
  process kill is still safe, but a power loss could roll back the "in flight" mark of a batch the
  server then stored: it would be resent on resume *without* being reported as a possible
  duplicate. The cost is two fsyncs per batch (of up to 10,000 events), small next to a request.

Per job: the source's identity (path, size, mtime, sha256 of its first MiB of raw bytes), the
dataset, profile, endpoint URL (never the token), the Plan and batch limits, and per batch:
"in flight" (marked *before* its first request) or "acked" (every event of it stored or failed,
with its counts, failures, warnings and possible-duplicate span). Batch boundaries are
deterministic from the same start with the same Plan and limits, so resume re-reads the input
from the beginning and skips the batches whose (seq, start, end) are acked.

A running job holds an OS lock on `journal-locks/{id}.lock` (released by the OS when the process
dies, even by SIGKILL), so a job still running in another process is never listed as unfinished.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from app.core import config

DB_NAME = "journal.sqlite3"
HEAD_BYTES = 1 << 20
SCHEMA_VERSION = 1
FINAL_STATES = ("done", "done with failures", "failed", "cancelled")

_SCHEMA = """
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
    runs INTEGER NOT NULL DEFAULT 1
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
"""


class JournalError(Exception):
    """The journal cannot be read or written (disk full, permissions): uploads go on unjournaled."""


class ResumeError(Exception):
    """A job that cannot be resumed; the message says why (source changed, running elsewhere…)."""


# ---------------------------------------------------------------------------------------------
# Records


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

    @property
    def interrupted(self) -> bool:
        """The process died while it ran (as opposed to a job that stopped with events unsent)."""
        return self.state == "running"

    def describe(self) -> str:
        """One line for a list of unfinished jobs."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.updated))
        how = "interrupted" if self.interrupted else self.state
        done = f"{self.ingested:,} ingested, {self.failed:,} failed so far"
        return f"{self.id}  {self.name} → {self.dataset} ({self.endpoint or '?'}): {how} {when}; {done}"

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["interrupted"] = self.interrupted
        return d


def plan_to_json(plan: Any) -> dict:
    return dataclasses.asdict(plan)


def plan_from_json(data: dict) -> Any:
    from app.core.batching import Plan
    from app.core.sniff import CsvDialect

    data = dict(data)
    csv = data.pop("csv", None)
    known = {f.name for f in dataclasses.fields(Plan)}
    plan = Plan(**{k: v for k, v in data.items() if k in known})
    if csv is not None:
        dialect_fields = {f.name for f in dataclasses.fields(CsvDialect)}
        plan.csv = CsvDialect(**{k: v for k, v in csv.items() if k in dialect_fields})
    return plan


def safe_endpoint(url: str | None) -> str | None:
    """The URL without user info, query or fragment: nothing secret can ride along."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    if not parts.scheme:
        return url.split("?")[0]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# ---------------------------------------------------------------------------------------------
# Source identity


@dataclass
class Identity:
    path: str
    size: int
    mtime_ns: int
    head_sha256: str


def identify(path: str | os.PathLike) -> Identity:
    """Size, mtime and a hash of the first MiB of raw bytes (cheap, and catches a rewritten file
    whose size and mtime were restored)."""
    p = Path(path)
    with open(p, "rb") as f:
        st = os.fstat(f.fileno())
        head = f.read(HEAD_BYTES)
    return Identity(str(p.resolve()), st.st_size, st.st_mtime_ns, hashlib.sha256(head).hexdigest())


def source_change(record: JobRecord) -> str | None:
    """Why the job's source no longer is what was being sent, or None when it is unchanged."""
    name = record.path or record.name
    try:
        now = identify(record.path or "")
    except FileNotFoundError:
        return f"{name} no longer exists; not resuming"
    except OSError as e:
        return f"{name} cannot be read ({e.strerror}); not resuming"
    if now.size != record.size:
        return f"{name} changed since the upload started (size {record.size:,} → {now.size:,}); not resuming"
    if now.mtime_ns != record.mtime_ns:
        before = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime((record.mtime_ns or 0) / 1e9))
        after = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now.mtime_ns / 1e9))
        return f"{name} changed since the upload started (modified {before} → {after}); not resuming"
    if now.head_sha256 != record.head_sha256:
        return f"{name} changed since the upload started (its first MiB differs); not resuming"
    return None


# ---------------------------------------------------------------------------------------------
# Locks: a job being run holds one; the OS drops it when the process dies.


def _lock_dir() -> Path:
    path = config.data_dir() / "journal-locks"
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobLock:
    def __init__(self, job_id: str):
        self.path = _lock_dir() / f"{job_id}.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self, remove: bool = True) -> None:
        if self._fd is None:
            return
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)  # closing drops the lock
        self._fd = None


def is_running(job_id: str) -> bool:
    """True when some process (this one included) holds the job's lock."""
    lock = JobLock(job_id)
    if not lock.path.exists():
        return False
    try:
        got = lock.acquire()
    except OSError:
        return False
    if got:
        lock.release(remove=False)
    return not got


# ---------------------------------------------------------------------------------------------
# The database


def db_path() -> Path:
    return config.data_dir() / DB_NAME


def connect(path: Path | None = None) -> sqlite3.Connection:
    """A connection with the journal's settings (see the module docstring for why)."""
    try:
        conn = sqlite3.connect(path or db_path(), timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            with _tx(conn):
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return conn
    except sqlite3.Error as e:
        raise JournalError(f"the journal ({path or db_path()}) cannot be opened: {e}") from None


@contextlib.contextmanager
def _tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction: all of it commits, or none of it (also on a kill)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _record(row: sqlite3.Row) -> JobRecord:
    d = dict(row)
    d["plan"] = json.loads(d["plan"])
    d["warnings"] = json.loads(d["warnings"] or "[]")
    d["resumable"] = bool(d["resumable"])
    return JobRecord(**d)


class Journal:
    """Synchronous access (one connection). The upload job drives it from one worker thread."""

    def __init__(self, path: Path | None = None):
        self.conn = connect(path)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    # -- writing ---------------------------------------------------------------------------
    def create_job(self, *, kind: str, name: str, identity: Identity | None, dataset: str, profile: str | None,
                   endpoint: str | None, plan: Any, max_events: int, max_bytes: int,
                   compression: str | None) -> str:
        job_id = uuid.uuid4().hex[:12]
        now = time.time()
        with _tx(self.conn):
            self.conn.execute(
                "INSERT INTO jobs (id, created, updated, state, kind, name, path, size, mtime_ns, head_sha256,"
                " dataset, profile, endpoint, plan, max_events, max_bytes, compression, resumable)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (job_id, now, now, "running", kind, name, identity.path if identity else None,
                 identity.size if identity else None, identity.mtime_ns if identity else None,
                 identity.head_sha256 if identity else None, dataset, profile, safe_endpoint(endpoint),
                 json.dumps(plan_to_json(plan)), max_events, max_bytes, compression, 1 if identity else 0))
        return job_id

    def restart(self, job_id: str) -> None:
        """A resumed job runs again: it is "running" until it finishes."""
        with _tx(self.conn):
            self.conn.execute("UPDATE jobs SET state='running', finished=NULL, updated=?, runs=runs+1 WHERE id=?",
                              (time.time(), job_id))

    def mark_inflight(self, job_id: str, seq: int, start: int, end: int, first_line: int | None,
                      last_line: int | None, events: int) -> None:
        """Before the first request of a batch: if we die now, it may have been stored."""
        with _tx(self.conn):
            self.conn.execute(
                "INSERT INTO batches (job_id, seq, start, end, first_line, last_line, events, status)"
                " VALUES (?,?,?,?,?,?,?, 'inflight')"
                " ON CONFLICT(job_id, seq) DO UPDATE SET status='inflight' WHERE status != 'acked'",
                (job_id, seq, start, end, first_line, last_line, events))

    def ack(self, job_id: str, seq: int, start: int, end: int, first_line: int | None, last_line: int | None,
            events: int, ingested: int, failed: int, possible_duplicates: int, failures: list,
            warnings: list[str], trace_ids: list[str]) -> None:
        """Every event of the batch is stored or failed: record it (and its failures) at once."""
        with _tx(self.conn):
            self.conn.execute(
                "INSERT INTO batches (job_id, seq, start, end, first_line, last_line, events, status, ingested,"
                " failed, possible_duplicates, warnings, trace_ids) VALUES (?,?,?,?,?,?,?, 'acked', ?,?,?,?,?)"
                " ON CONFLICT(job_id, seq) DO UPDATE SET status='acked', start=excluded.start, end=excluded.end,"
                " first_line=excluded.first_line, last_line=excluded.last_line, events=excluded.events,"
                " ingested=excluded.ingested, failed=excluded.failed,"
                " possible_duplicates=excluded.possible_duplicates, warnings=excluded.warnings,"
                " trace_ids=excluded.trace_ids",
                (job_id, seq, start, end, first_line, last_line, events, ingested, failed, possible_duplicates,
                 json.dumps(warnings), json.dumps(trace_ids)))
            self.conn.execute("DELETE FROM failures WHERE job_id=? AND seq=?", (job_id, seq))
            self.conn.executemany(
                "INSERT INTO failures (job_id, seq, line, error, record) VALUES (?,?,?,?,?)",
                [(job_id, seq, f.line, f.error, f.record) for f in failures])
            self.conn.execute(
                "UPDATE jobs SET updated=?, ingested=ingested+?, failed=failed+? WHERE id=?",
                (time.time(), ingested, failed, job_id))

    def unmark(self, job_id: str, seq: int) -> None:
        """A batch that was not sent after all (nothing of it can have been stored)."""
        with _tx(self.conn):
            self.conn.execute("DELETE FROM batches WHERE job_id=? AND seq=? AND status='inflight'", (job_id, seq))

    def finish(self, job_id: str, *, state: str, ingested: int, failed: int, not_sent: int,
               possible_duplicates: int, error: str | None, error_kind: str | None, stopped_at: str | None,
               warnings: list[str], resumable: bool, job_failures: list | None = None) -> None:
        with _tx(self.conn):
            now = time.time()
            self.conn.execute(
                "UPDATE jobs SET state=?, finished=?, updated=?, ingested=?, failed=?, not_sent=?,"
                " possible_duplicates=?, error=?, error_kind=?, stopped_at=?, warnings=?, resumable=? WHERE id=?",
                (state, now, now, ingested, failed, not_sent, possible_duplicates, error, error_kind, stopped_at,
                 json.dumps(warnings), 1 if resumable else 0, job_id))
            if job_failures:  # failures outside any acked batch (history only; resume re-derives them)
                self.conn.execute("DELETE FROM failures WHERE job_id=? AND seq IS NULL", (job_id,))
                self.conn.executemany(
                    "INSERT INTO failures (job_id, seq, line, error, record) VALUES (?,?,?,?,?)",
                    [(job_id, None, f.line, f.error, f.record) for f in job_failures])

    def refuse(self, job_id: str, message: str) -> None:
        """The source changed: the job can never be resumed; keep it in the history with why."""
        with _tx(self.conn):
            now = time.time()
            self.conn.execute(
                "UPDATE jobs SET state='failed', finished=?, updated=?, error=?, error_kind='changed', resumable=0"
                " WHERE id=?", (now, now, message, job_id))

    def discard(self, job_id: str) -> None:
        """Forget an unfinished job (the user chose not to resume it); it stays in the history."""
        with _tx(self.conn):
            self.conn.execute(
                "UPDATE jobs SET resumable=0, state=CASE WHEN state='running' THEN 'cancelled' ELSE state END,"
                " finished=COALESCE(finished, ?) WHERE id=?", (time.time(), job_id))

    # -- reading ---------------------------------------------------------------------------
    def job(self, job_id: str) -> JobRecord | None:
        row = self.conn.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        return _record(row) if row else None

    def find(self, prefix: str) -> list[JobRecord]:
        rows = self.conn.execute("SELECT * FROM jobs WHERE id LIKE ? ORDER BY created", (prefix + "%",)).fetchall()
        return [_record(r) for r in rows]

    def batches(self, job_id: str) -> list[BatchMark]:
        rows = self.conn.execute(
            "SELECT seq, start, end, first_line, last_line, events, status, ingested, failed,"
            " possible_duplicates, warnings, trace_ids FROM batches WHERE job_id=? ORDER BY seq", (job_id,)).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["warnings"] = json.loads(d["warnings"])
            d["trace_ids"] = json.loads(d["trace_ids"])
            out.append(BatchMark(**d))
        return out

    def failures(self, job_id: str, acked_only: bool = False) -> list[tuple[int | None, int | None, str, str | None]]:
        """(seq, line, error, record) of the job's failures, in line order."""
        sql = "SELECT seq, line, error, record FROM failures WHERE job_id=?"
        if acked_only:
            sql += " AND seq IS NOT NULL"
        sql += " ORDER BY line IS NULL, line, rowid"
        return [tuple(r) for r in self.conn.execute(sql, (job_id,)).fetchall()]

    def unfinished(self) -> list[JobRecord]:
        rows = self.conn.execute(
            "SELECT * FROM jobs WHERE kind='file' AND (state='running' OR resumable=1) ORDER BY created").fetchall()
        return [r for r in (_record(row) for row in rows) if not is_running(r.id)]

    def history(self, search: str = "", limit: int = 200) -> list[JobRecord]:
        sql = "SELECT * FROM jobs"
        args: list[Any] = []
        if search:
            sql += " WHERE name LIKE ? ESCAPE '\\' OR dataset LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\'"
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            args += [pattern, pattern, pattern]
        sql += " ORDER BY created DESC LIMIT ?"
        args.append(limit)
        return [_record(r) for r in self.conn.execute(sql, args).fetchall()]

    def prune(self, older_than_days: float) -> int:
        """Delete jobs last touched before the cutoff (not one that is running now)."""
        cutoff = time.time() - older_than_days * 86400
        ids = [r[0] for r in self.conn.execute("SELECT id FROM jobs WHERE updated < ?", (cutoff,)).fetchall()]
        ids = [i for i in ids if not is_running(i)]
        if ids:
            with _tx(self.conn):
                for job_id in ids:
                    self.conn.execute("DELETE FROM failures WHERE job_id=?", (job_id,))
                    self.conn.execute("DELETE FROM batches WHERE job_id=?", (job_id,))
                    self.conn.execute("DELETE FROM jobs WHERE id=?", (job_id,))
            for job_id in ids:
                with contextlib.suppress(OSError):
                    (_lock_dir() / f"{job_id}.lock").unlink()
        return len(ids)


# ---------------------------------------------------------------------------------------------
# Module-level API for the window and the CLI (each call opens and closes a connection).


@contextlib.contextmanager
def _open() -> Iterator[Journal]:
    j = Journal()
    try:
        yield j
    finally:
        j.close()


def unfinished_jobs() -> list[JobRecord]:
    """Jobs of files that were interrupted (the process died) or stopped with events unsent
    (cancelled, network or quota gave out), not running in any process now. Oldest first."""
    with _open() as j:
        return j.unfinished()


def get_job(job_id: str) -> JobRecord | None:
    with _open() as j:
        return j.job(job_id)


def find_jobs(prefix: str) -> list[JobRecord]:
    with _open() as j:
        return j.find(prefix)


def history(search: str = "", limit: int = 200) -> list[JobRecord]:
    """Newest first; `search` matches the file name, dataset or job id."""
    with _open() as j:
        return j.history(search, limit)


def failures(job_id: str) -> list[tuple[int | None, int | None, str, str | None]]:
    with _open() as j:
        return j.failures(job_id)


def prune(older_than_days: float) -> int:
    """Forget jobs older than this (config.Settings.history_keep_days); returns how many."""
    with _open() as j:
        return j.prune(older_than_days)


def discard(job_id: str) -> None:
    with _open() as j:
        j.discard(job_id)


# ---------------------------------------------------------------------------------------------
# The async side an upload job drives (one worker thread: ordered writes, the loop never blocks)


class JobRecorder:
    """Journals one job. Every call runs in its own single worker thread, so writes keep their
    order and an fsync never stalls the event loop (which may be Qt's). When the journal cannot
    be written, the job goes on unjournaled and `problem` says why (shown as a warning)."""

    def __init__(self) -> None:
        import concurrent.futures

        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="axiom-drop-journal")
        self._journal: Journal | None = None
        self._lock: JobLock | None = None
        self.job_id: str | None = None
        self.problem: str | None = None

    @property
    def active(self) -> bool:
        return self.job_id is not None and self.problem is None

    async def _call(self, fn, *args, **kw):
        import asyncio

        if self.problem is not None and self._journal is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, lambda: fn(*args, **kw))
        except (sqlite3.Error, JournalError, OSError) as e:
            self._fail(e)
            return None

    def _fail(self, e: BaseException) -> None:
        if self.problem is None:
            self.problem = (f"the journal could not be written ({e}): this upload cannot be resumed if it "
                            "is interrupted")
        self.job_id = None

    def _ensure(self) -> Journal:
        if self._journal is None:
            self._journal = Journal()
        return self._journal

    # -- starting ----------------------------------------------------------------------------
    async def start_new(self, *, kind: str, name: str, path: str | None, dataset: str, profile: str | None,
                        endpoint: str | None, plan: Any, max_events: int, max_bytes: int,
                        compression: str | None) -> str | None:
        def go() -> str:
            identity = None
            if kind == "file" and path is not None:
                try:
                    identity = identify(path)
                except OSError:
                    identity = None  # the job's own open reports why
            job_id = self._ensure().create_job(
                kind=kind, name=name, identity=identity, dataset=dataset, profile=profile, endpoint=endpoint,
                plan=plan, max_events=max_events, max_bytes=max_bytes, compression=compression)
            lock = JobLock(job_id)
            lock.acquire()
            self._lock = lock
            return job_id

        self.job_id = await self._call(go)
        return self.job_id

    async def start_resume(self, record: JobRecord) -> tuple[list[BatchMark], list, str | None]:
        """(batches, acked failures, refusal) for a job about to run again. Refusal is a message
        when it cannot: it runs elsewhere, or its source changed (then it is closed for good)."""

        def go():
            lock = JobLock(record.id)
            if not lock.acquire():
                return [], [], f"job {record.id} ({record.name}) is running in another window or process"
            self._lock = lock
            j = self._ensure()
            current = j.job(record.id)
            if current is None or not (current.state == "running" or current.resumable):
                lock.release()
                self._lock = None
                return [], [], f"job {record.id} ({record.name}) has already finished"
            change = source_change(record)
            if change is not None:
                if "no longer exists" not in change and "cannot be read" not in change:
                    j.refuse(record.id, change)
                lock.release()
                self._lock = None
                return [], [], change
            j.restart(record.id)
            return j.batches(record.id), j.failures(record.id, acked_only=True), None

        out = await self._call(go)
        if out is None:
            return [], [], self.problem
        if out[2] is None:
            self.job_id = record.id
        return out

    # -- batches -------------------------------------------------------------------------------
    async def inflight(self, seq: int, start: int, end: int, first_line, last_line, events: int) -> None:
        if self.active:
            await self._call(self._journal.mark_inflight, self.job_id, seq, start, end, first_line, last_line, events)

    async def ack(self, **kw) -> None:
        if self.active:
            await self._call(self._journal.ack, self.job_id, **kw)

    async def unmark(self, seq: int) -> None:
        if self.active:
            await self._call(self._journal.unmark, self.job_id, seq)

    async def finish(self, **kw) -> None:
        if self.active:
            await self._call(self._journal.finish, self.job_id, **kw)
        self.close()

    def close(self) -> None:
        """Release the job's lock and the connection (also when the job's task is cancelled)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

        def shut() -> None:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

        try:
            self._pool.submit(shut)
        except RuntimeError:
            pass
        self._pool.shutdown(wait=False)
