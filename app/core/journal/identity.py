"""Source identity: is the file the job was sending still the same file?"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from app.core.journal.schema import JobRecord, Refusal, StopKind

HEAD_BYTES = 1 << 20


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


def source_change(record: JobRecord) -> Refusal | None:
    """Why the job's source no longer is what was being sent, or None when it is unchanged."""
    name = record.path or record.name
    try:
        now = identify(record.path or "")
    except FileNotFoundError:
        return Refusal(StopKind.INPUT, f"{name} no longer exists; not resuming")
    except OSError as e:
        return Refusal(StopKind.INPUT, f"{name} cannot be read ({e.strerror}); not resuming")
    if now.size != record.size:
        return Refusal(StopKind.CHANGED,
                       f"{name} changed since the upload started (size {record.size:,} → {now.size:,}); not resuming")
    if now.mtime_ns != record.mtime_ns:
        before = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime((record.mtime_ns or 0) / 1e9))
        after = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now.mtime_ns / 1e9))
        return Refusal(StopKind.CHANGED,
                       f"{name} changed since the upload started (modified {before} → {after}); not resuming")
    if now.head_sha256 != record.head_sha256:
        return Refusal(StopKind.CHANGED,
                       f"{name} changed since the upload started (its first MiB differs); not resuming")
    return None

