"""Locks: a job being run holds one; the OS drops it when the process dies (even by SIGKILL), so
a job still running in another process is never listed as unfinished."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from app.core import config


def lock_dir() -> Path:
    path = config.data_dir() / "journal-locks"
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobLock:
    def __init__(self, job_id: str):
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

