"""Locks: a job being run holds one; the OS drops it when the process dies (even by SIGKILL), so
a job still running in another process is never listed as unfinished."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from app.core import config


def lock_dir() -> Path:
    path = config.data_dir() / "journal-locks"
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobLock:
    def __init__(self, job_id: str):
        self.job_id = job_id
        self.path = lock_dir() / f"{job_id}.lock"
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



# Jobs this process has stopped whose lock it keeps only until the writes queued before the stop
# have run (journal acks are written behind): set once they have.
_stopping: dict[str, threading.Event] = {}
_stopping_guard = threading.Lock()


def stopping(job_id: str) -> threading.Event:
    """The job is stopped here; set the event returned once its last write ran (stopped())."""
    done = threading.Event()
    with _stopping_guard:
        _stopping[job_id] = done
    return done


def stopped(job_id: str, done: threading.Event) -> None:
    with _stopping_guard:
        if _stopping.get(job_id) is done:
            del _stopping[job_id]
    done.set()


def wait_stopped(job_id: str | None = None, timeout: float = 60.0) -> None:
    """Before this process takes a job's lock, or lists the unfinished jobs (job_id None: all of
    them): the writes of its own stop of that job come first (milliseconds), so a resume started
    right after a cancel reads every acknowledgement and resends none, and a listing counts them."""
    with _stopping_guard:
        waits = list(_stopping.values()) if job_id is None else [d for d in (_stopping.get(job_id),) if d]
    for done in waits:
        done.wait(timeout)


def is_uploading(job_id: str) -> bool:
    """A process is sending the job now: its lock is held, and not by this process's stop of it,
    which holds it only until its writes ran (the job is listed as unfinished at once)."""
    with _stopping_guard:
        if job_id in _stopping:
            return False
    return is_running(job_id)
