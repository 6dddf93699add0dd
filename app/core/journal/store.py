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
import json
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from app.core import config
from app.core.io import shown
from app.core.journal import markers, repair
from app.core.journal.connection import close as _close, open_db as _open, tx as _tx
from app.core.journal.identity import Identity
from app.core.journal.locks import is_running, lock_dir, wait_stopped
from app.core.journal.schema import (
    ACKED, INFLIGHT, QUEUED, RUNNING, BatchMark, JobRecord, JobState, StopKind)


DB_NAME = "journal.sqlite3"


class JournalError(Exception):
    """The journal cannot be read or written (disk full, permissions): uploads go on unjournaled."""


class ResumeError(Exception):
    """A job that cannot be resumed; the message says why (source changed, running elsewhere…)."""


def plan_to_json(plan: Any) -> dict:
    return dataclasses.asdict(plan)


def plan_from_json(data: dict) -> Any:
    from app.core.plan import Plan
    from app.core.sniff import CsvDialect

    data = dict(data)
    csv = data.pop("csv", None)
    known = {f.name for f in dataclasses.fields(Plan)}
    plan = Plan(**{k: v for k, v in data.items() if k in known})
    zone = plan.time_zone
    if isinstance(zone, dict):  # journaled as {"name": …}; older journals have none (UTC)
        from app.core.time.civil import NaiveZone
        plan.time_zone = NaiveZone(zone.get("name") or "UTC")
    plan.date_orders = tuple(plan.date_orders)
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



def new_job_id() -> str:
    return uuid.uuid4().hex[:12]


def job_row(*, job_id: str, kind: str, name: str, identity: Identity | None, dataset: str, profile: str | None,
            endpoint: str | None, plan: Any, max_events: int, max_bytes: int, compression: str | None) -> dict:
    """A job's row as created (and as its marker keeps it, to recreate it if the journal lost it)."""
    return {"id": job_id, "created": time.time(), "kind": kind, "name": shown(name),
            "path": identity.path if identity else None, "size": identity.size if identity else None,
            "mtime_ns": identity.mtime_ns if identity else None,
            "head_sha256": identity.head_sha256 if identity else None, "dataset": dataset, "profile": profile,
            "endpoint": safe_endpoint(endpoint), "plan": plan if isinstance(plan, dict) else plan_to_json(plan),
            "max_events": max_events, "max_bytes": max_bytes, "compression": compression}


def db_path() -> Path:
    return config.data_dir() / DB_NAME


_opening = threading.Lock()


def connect(path: Path | None = None) -> sqlite3.Connection:
    """A connection with the journal's settings (see the module docstring for why). A damaged
    journal (checked once per process) is moved aside and a new one started (repair.py)."""
    path = path or db_path()
    with _opening:  # one at a time: another thread's connection to a file moved aside would spoil the new one
        return _connect(path)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = None
        try:
            conn = _open(path)  # closed by _open when it fails
            problem = repair.integrity_problem(conn, path)
        except sqlite3.DatabaseError as e:
            _close(conn)  # before the file is moved aside (connection.py says why)
            if isinstance(e, sqlite3.OperationalError):  # full, locked, unreadable: not damage
                raise
            conn, problem = None, str(e)
        if problem is None:
            return conn
        _close(conn)
        aside = repair.move_aside(path)
        return _open(path, notice=repair.damage_notice(path, problem, aside))
    except (sqlite3.Error, OSError) as e:
        raise JournalError(f"the journal ({path}) cannot be opened: {e}") from None


def stored_path(path: str | None) -> str | bytes | None:
    """A path as the journal keeps it: text when it is UTF-8, else its raw bytes (a BLOB), so a
    name with other bytes (Linux allows them) is kept losslessly and resume finds the file again."""
    if path is None:
        return None
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


def loaded_path(value: str | bytes | None) -> str | None:
    return os.fsdecode(value) if isinstance(value, bytes) else value


def _record(row: sqlite3.Row) -> JobRecord:
    d = dict(row)
    d["path"] = loaded_path(d["path"])
    d["plan"] = json.loads(d["plan"])
    d["warnings"] = json.loads(d["warnings"] or "[]")
    d["resumable"] = bool(d["resumable"])
    return JobRecord(**d)


class Journal:
    """Synchronous access (one connection). The upload job drives it from one worker thread."""

    def __init__(self, path: Path | None = None, *, reconcile: bool = True):
        self.conn = connect(path)
        if reconcile:
            try:
                repair.reconcile(self)
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        _close(self.conn)

    # -- writing ---------------------------------------------------------------------------
    def create_job(self, *, kind: str, name: str, identity: Identity | None, dataset: str, profile: str | None,
                   endpoint: str | None, plan: Any, max_events: int, max_bytes: int,
                   compression: str | None, job_id: str | None = None, state: str = RUNNING,
                   queued_by: str | None = None) -> str:
        job_id = job_id or new_job_id()
        with _tx(self.conn):
            self.insert_job(job_row(
                job_id=job_id, kind=kind, name=name, identity=identity, dataset=dataset, profile=profile,
                endpoint=endpoint, plan=plan, max_events=max_events, max_bytes=max_bytes, compression=compression),
                state=state, queued_by=queued_by)
        return job_id

    def insert_job(self, row: dict, *, state: str = RUNNING, queued_by: str | None = None,
                   suspect_seq: int | None = None, note: str | None = None, commits: int = 1) -> None:
        """One job row (job_row's dict; inside a transaction). An id already there is left alone."""
        now = time.time()
        self.conn.execute(
            "INSERT OR IGNORE INTO jobs (id, created, updated, state, kind, name, path, size, mtime_ns,"
            " head_sha256, dataset, profile, endpoint, plan, max_events, max_bytes, compression, resumable,"
            " commits, suspect_seq, note, queued_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row["id"], row.get("created", now), now, state, row["kind"], row["name"], stored_path(row["path"]),
             row["size"], row["mtime_ns"], row["head_sha256"], row["dataset"], row["profile"], row["endpoint"],
             json.dumps(row["plan"]), row["max_events"], row["max_bytes"], row["compression"],
             1 if row["path"] else 0, commits, suspect_seq, note, queued_by))

    def restart(self, job_id: str) -> None:
        """A resumed job runs again: it is "running" until it finishes."""
        with _tx(self.conn):
            # A queued job starting is its first run, not a resume ("2 runs (resumed)" was shown).
            self.conn.execute("UPDATE jobs SET state=?, finished=NULL, updated=?, runs=runs+(state<>?),"
                              " commits=commits+1, queued_by=NULL, offered=NULL WHERE id=?",
                              (RUNNING, time.time(), QUEUED, job_id))

    def begin_queued(self, job_id: str, identity: Identity | None, **fresh: Any) -> None:
        """A queued job starts (restart's change too, in the same transaction): its file as it is
        now (nothing of it was sent before), and where and how it is sent now (`fresh`: dataset,
        profile, endpoint, plan, max_events, max_bytes, compression — the user may have switched
        profile meanwhile). Not synced on its own: the first batch's in-flight mark syncs it (a
        power loss before that leaves the job queued, and nothing of it was sent)."""
        sets = {"size": identity.size if identity else None, "mtime_ns": identity.mtime_ns if identity else None,
                "head_sha256": identity.head_sha256 if identity else None}
        if identity is not None:
            sets["path"] = stored_path(identity.path)
        for key, value in fresh.items():
            sets[key] = (json.dumps(value if isinstance(value, dict) else plan_to_json(value)) if key == "plan"
                         else safe_endpoint(value) if key == "endpoint" else value)
        sets.update(state=RUNNING, finished=None, updated=time.time(), queued_by=None, offered=None)
        with _tx(self.conn, durable=False):
            self.conn.execute(f"UPDATE jobs SET {', '.join(k + '=?' for k in sets)}, commits=commits+1 WHERE id=?",
                              (*sets.values(), job_id))

    def mark_inflight(self, job_id: str, seq: int, start: int, end: int, first_line: int | None,
                      last_line: int | None, events: int) -> None:
        """Before the first request of a batch: if we die now, it may have been stored."""
        with _tx(self.conn):
            self.conn.execute(
                "INSERT INTO batches (job_id, seq, start, end, first_line, last_line, events, status)"
                " VALUES (?,?,?,?,?,?,?,?)"
                " ON CONFLICT(job_id, seq) DO UPDATE SET status=excluded.status WHERE status != ?",
                (job_id, seq, start, end, first_line, last_line, events, INFLIGHT, ACKED))
            self._count(job_id)

    def ack(self, job_id: str, seq: int, start: int, end: int, first_line: int | None, last_line: int | None,
            events: int, ingested: int, failed: int, possible_duplicates: int, failures: list,
            warnings: list[str], trace_ids: list[str], more_failures: list | None = None) -> None:
        """Every event of the batch is stored or failed: record it (and its failures) at once. Not
        synced on its own (the next in-flight mark or the job's checkpoint syncs it): lost to a
        power loss, the batch reads as in flight, resent and counted as possible duplicates."""
        with _tx(self.conn, durable=False):
            self.conn.execute(
                "INSERT INTO batches (job_id, seq, start, end, first_line, last_line, events, status, ingested,"
                " failed, possible_duplicates, warnings, trace_ids, more_failures) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(job_id, seq) DO UPDATE SET status=excluded.status, start=excluded.start,"
                " end=excluded.end,"
                " first_line=excluded.first_line, last_line=excluded.last_line, events=excluded.events,"
                " ingested=excluded.ingested, failed=excluded.failed,"
                " possible_duplicates=excluded.possible_duplicates, warnings=excluded.warnings,"
                " trace_ids=excluded.trace_ids, more_failures=excluded.more_failures",
                (job_id, seq, start, end, first_line, last_line, events, ACKED, ingested, failed,
                 possible_duplicates, json.dumps(warnings), json.dumps(trace_ids), json.dumps(more_failures or [])))
            self.conn.execute("DELETE FROM failures WHERE job_id=? AND seq=?", (job_id, seq))
            self.conn.executemany(
                "INSERT INTO failures (job_id, seq, line, error, record) VALUES (?,?,?,?,?)",
                [(job_id, seq, f.line, f.error, f.record) for f in failures])
            self.conn.execute(
                "UPDATE jobs SET updated=?, ingested=ingested+?, failed=failed+?, commits=commits+1 WHERE id=?",
                (time.time(), ingested, failed, job_id))

    def unmark(self, job_id: str, seq: int) -> None:
        """A batch that was not sent after all (nothing of it can have been stored). Lost to a
        power loss, it reads as in flight: counted as possible duplicates, never hidden."""
        with _tx(self.conn, durable=False):
            self.conn.execute("DELETE FROM batches WHERE job_id=? AND seq=? AND status=?", (job_id, seq, INFLIGHT))
            self._count(job_id)

    def _count(self, job_id: str) -> None:
        """One more transaction of the job (its marker counts them too: fewer here = rolled back)."""
        self.conn.execute("UPDATE jobs SET commits=commits+1 WHERE id=?", (job_id,))

    def finish(self, job_id: str, *, state: str, ingested: int, failed: int, not_sent: int,
               possible_duplicates: int, error: str | None, error_kind: str | None, stopped_at: str | None,
               warnings: list[str], resumable: bool, job_failures: list | None = None,
               suspect_seq: int | None = None, note: str | None = None) -> None:
        """The job's outcome. `suspect_seq`: batches up to it may be stored though the journal does
        not say so (a write failed): a resume counts them as possible duplicates. Synced (with the
        acks before it): a job the window showed as done stays done after a power loss."""
        with _tx(self.conn):
            now = time.time()
            self.conn.execute(
                "UPDATE jobs SET state=?, finished=?, updated=?, ingested=?, failed=?, not_sent=?,"
                " possible_duplicates=?, error=?, error_kind=?, stopped_at=?, warnings=?, resumable=?,"
                " commits=commits+1, suspect_seq=MAX(COALESCE(suspect_seq, -1), COALESCE(?, -1)),"
                " note=COALESCE(?, note) WHERE id=?",
                (state, now, now, ingested, failed, not_sent, possible_duplicates, error, error_kind, stopped_at,
                 json.dumps(warnings), 1 if resumable else 0, suspect_seq, note, job_id))
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
                "UPDATE jobs SET state=?, finished=?, updated=?, error=?, error_kind=?, resumable=0,"
                " commits=commits+1 WHERE id=?",
                (JobState.FAILED.value, now, now, message, StopKind.CHANGED.value, job_id))

    def discard(self, job_id: str) -> None:
        """Forget an unfinished job (the user chose not to resume it); it stays in the history."""
        with _tx(self.conn):
            self.conn.execute(
                "UPDATE jobs SET resumable=0, state=CASE WHEN state IN (?, ?) THEN ? ELSE state END,"
                " finished=COALESCE(finished, ?), commits=commits+1 WHERE id=?",
                (RUNNING, QUEUED, JobState.CANCELLED.value, time.time(), job_id))
        self.settled(job_id)

    def settled(self, job_id: str) -> None:
        """The job's final state is committed: once it is checkpointed into the database file (a
        lost WAL can no longer roll it back), its marker goes."""
        try:  # PASSIVE: never waits on other connections; the marker stays if it did not get it all
            busy, log, done = self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            return
        if not busy and log == done:
            markers.remove(job_id)

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
            " possible_duplicates, warnings, trace_ids, more_failures FROM batches WHERE job_id=? ORDER BY seq",
            (job_id,)).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            for key in ("warnings", "trace_ids", "more_failures"):
                d[key] = json.loads(d[key])
            out.append(BatchMark(**d))
        return out

    def resume_marks(self, job_id: str) -> list[BatchMark]:
        """The batches as a resume reads them: those up to the job's suspect_seq that the journal
        has no mark of (lost, or never written) count as in flight, so they are reported as
        possible duplicates when they are sent again."""
        marks = self.batches(job_id)
        row = self.conn.execute("SELECT suspect_seq FROM jobs WHERE id=?", (job_id,)).fetchone()
        suspect = row[0] if row and row[0] is not None else -1
        have = {m.seq for m in marks}
        marks += [BatchMark(seq, 0, 0, None, None, 0, INFLIGHT) for seq in range(suspect + 1) if seq not in have]
        return sorted(marks, key=lambda m: m.seq)

    def notices(self) -> list[str]:
        """What the journal has to tell about itself (a damaged file moved aside), once."""
        rows = self.conn.execute("SELECT rowid, text FROM notices WHERE shown=0 ORDER BY created").fetchall()
        if rows:
            with _tx(self.conn):
                self.conn.executemany("UPDATE notices SET shown=1 WHERE rowid=?", [(r[0],) for r in rows])
        return [r[1] for r in rows]

    def failures(self, job_id: str, acked_only: bool = False) -> list[tuple[int | None, int | None, str, str | None]]:
        """(seq, line, error, record) of the job's failures, in line order."""
        sql = "SELECT seq, line, error, record FROM failures WHERE job_id=?"
        if acked_only:
            sql += " AND seq IS NOT NULL"
        sql += " ORDER BY line IS NULL, line, rowid"
        return [tuple(r) for r in self.conn.execute(sql, (job_id,)).fetchall()]

    def unfinished(self) -> list[JobRecord]:
        wait_stopped()  # the acknowledgements of a job this process just stopped are still being written
        rows = self.conn.execute(
            "SELECT * FROM jobs WHERE kind='file' AND (state IN (?, ?) OR resumable=1) ORDER BY created",
            (RUNNING, QUEUED)).fetchall()
        return [r for r in (_record(row) for row in rows)
                if not is_running(r.id) and not (r.queued_by and is_running(r.queued_by))]

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
                    (lock_dir() / f"{job_id}.lock").unlink()
                markers.remove(job_id)
        return len(ids)



@contextlib.contextmanager
def opened() -> Iterator[Journal]:
    """A Journal for a few calls, closed afterwards."""
    j = Journal()
    try:
        yield j
    finally:
        j.close()
