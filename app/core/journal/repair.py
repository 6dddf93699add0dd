"""A journal that is not what it should be: a damaged file (checked once per process when it is
opened) is moved aside, never deleted, and a new one started; then each job's marker (markers.py)
is held against its record, so a job the journal lost, or whose last transactions it lost (a WAL
deleted or cut after a kill) or could not write (a full disk), is offered again with what it may
already have stored counted as possible duplicates, and a note that says why.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from app.core.journal import markers
from app.core.journal.locks import is_running
from app.core.journal.schema import QUEUED, RUNNING

_checked: set[tuple] = set()  # journal files found sound by this process (path, inode, size)


def integrity_problem(conn: sqlite3.Connection, path: Path) -> str | None:
    """What SQLite's quick_check finds wrong with the file, or None. Checked again only when the
    file's size or inode changed since this process found it sound (a checkpoint, or damage)."""
    try:
        st = os.stat(path)
        key: tuple = (str(path), st.st_ino, st.st_size)
    except OSError:
        key = (str(path),)
    if key in _checked:
        return None
    rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    if rows != ["ok"]:
        return "; ".join(rows)
    conn.execute("SELECT count(*) FROM jobs").fetchone()
    _checked.add(key)
    return None


def move_aside(path: Path) -> Path:
    """Rename the damaged file (and its WAL and shared-memory files) beside it; returns the new name."""
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        n += 1
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            os.replace(src, Path(str(aside) + suffix))
    return aside


def damage_notice(path: Path, problem: str, aside: Path) -> str:
    return (f"The journal {path} was damaged ({problem}). It was moved aside to {aside.name} (kept, not "
            "deleted) and a new journal started: uploads it recorded are no longer in the History, and "
            "unfinished ones come back from their markers, with what they may already have stored counted "
            "as possible duplicates when they are resumed.")


def _note(m: markers.Marker, lost: bool) -> str | None:
    """Why a resume counts the events this job sent before as possible duplicates."""
    if m.state.sent_seq < 0:
        return None
    lines = f"lines 1–{m.state.sent_line:,}" if m.state.sent_line else "what was sent"
    if m.state.failed and not lost:
        return (f"the journal could not be written while this upload ran ({m.state.failed}): {lines} may "
                "already be stored; resuming sends what the journal does not show as stored and counts it "
                "as possible duplicates")
    return (f"the journal lost its record of part of this upload (it was damaged, or rolled back after the app "
            f"was killed): {lines} may already be stored; resuming sends them again and counts them as "
            "possible duplicates")


def reconcile(j) -> None:
    """(j: a store.Journal) Hold every marker of a job not running now against the journal (see the module docstring)."""
    for m in markers.read_markers():
        if isinstance(m, str):
            _unreadable(j, m)
            continue
        if is_running(m.job_id):
            continue
        rec = j.job(m.job_id)
        if rec is None and not m.job:
            markers.remove(m.job_id)
            continue
        lost = rec is None or rec.commits < m.state.commits
        if not lost and not m.state.failed:
            if rec.state not in (RUNNING, QUEUED):
                j.settled(m.job_id)
            continue
        note = _note(m, lost)
        suspect = m.state.sent_seq if m.state.sent_seq >= 0 else None
        with _tx(j):
            if rec is None:
                j.insert_job(m.job, state=RUNNING, suspect_seq=suspect, note=note, commits=m.state.commits)
            else:
                j.conn.execute(
                    "UPDATE jobs SET suspect_seq=MAX(COALESCE(suspect_seq, -1), COALESCE(?, -1)),"
                    " note=COALESCE(?, note), commits=MAX(commits, ?), resumable=CASE WHEN kind='file'"
                    " AND path IS NOT NULL AND state NOT IN ('done') THEN 1 ELSE resumable END WHERE id=?",
                    (suspect, note, m.state.commits, m.job_id))
        final = m.state.final
        if final is not None and (rec is None or rec.state in (RUNNING, QUEUED)):
            j.finish(m.job_id, **final, suspect_seq=suspect, note=note)
        settled = j.job(m.job_id)
        marker = markers.Marker(m.job_id, markers.MarkerState(**dict(m.state.__dict__, failed=None)), m.job)
        marker.state.commits = settled.commits if settled else m.state.commits
        try:
            marker.attach()
            marker.update()
        except OSError:
            pass
        finally:
            marker.close()
        if settled is not None and settled.state not in (RUNNING, QUEUED) and not settled.resumable:
            j.settled(m.job_id)


def _unreadable(j, name: str) -> None:
    """A marker that cannot be read: said once, kept aside."""
    path = markers.marker_dir() / name
    try:
        os.replace(path, path.with_suffix(".unreadable"))
    except OSError:
        return
    with _tx(j):
        j.conn.execute("INSERT INTO notices (created, text) VALUES (?, ?)", (time.time(), (
            f"the marker {name} of an upload cannot be read (kept as {path.with_suffix('.unreadable').name}): "
            "if an upload is missing from the unfinished ones, send it again and check for duplicates")))


class _tx:
    def __init__(self, j):
        self.conn = j.conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
