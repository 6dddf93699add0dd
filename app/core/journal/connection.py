"""One SQLite connection to a journal file with the journal's settings (store.py says why), and
its transactions. A connection is closed when it fails, never left to the garbage collector: a
connection to a file since moved aside (repair.py) would, at a moment of the collector's choosing,
delete the WAL and shared-memory files by name, the new journal's by then, so that journal lost
its last commits (the damage notice, the recovered jobs) or its locks, and the window's start-up
waited out the busy timeout."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Iterator

from app.core.journal.schema import ADDED_COLUMNS, SCHEMA, SCHEMA_VERSION


def open_db(path: Path, notice: str | None = None) -> sqlite3.Connection:
    """A connection to `path` (its schema made or brought up to date), `notice` recorded in it."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            with tx(conn):
                for stmt in SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                for v in range(version + 1, SCHEMA_VERSION + 1):
                    for table, column in ADDED_COLUMNS.get(v, []):
                        if column.split()[0] not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
                            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        if notice is not None:
            with tx(conn):
                conn.execute("INSERT INTO notices (created, text) VALUES (?, ?)", (time.time(), notice))
    except BaseException:
        close(conn)
        raise
    return conn


def close(conn: sqlite3.Connection | None) -> None:
    """Now, not whenever the garbage collector gets to it (see the module docstring)."""
    if conn is not None:
        with contextlib.suppress(sqlite3.Error):
            conn.close()


@contextlib.contextmanager
def tx(conn: sqlite3.Connection, durable: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction: all of it commits, or none of it (also on a kill).

    durable=False commits without an fsync (synchronous=NORMAL for this one): safe from a process
    kill, and on a power loss lost only until the next durable commit or checkpoint of this file,
    which syncs the whole WAL, these frames included. For writes whose loss the journal already
    reads conservatively (a lost "acked" is a batch in flight: resent as a possible duplicate)."""
    if not durable:
        conn.execute("PRAGMA synchronous=NORMAL")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        if not durable:
            conn.execute("PRAGMA synchronous=FULL")
