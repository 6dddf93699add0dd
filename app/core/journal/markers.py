"""A marker per running job, outside SQLite: what the journal should hold for it, so a journal
that comes back damaged or rolled back (a truncated file, a WAL deleted after a kill), or that
could not be written (a full disk), is noticed at the next open instead of hiding the job or
resuming it from a state that forgets what was sent.

`journal-markers/{id}.marker` is written (and fsync'ed) before the job's first transaction and
removed only once its final state is committed and checkpointed into the database file. Its
first SLOT bytes are the changing part, rewritten in place (the space is allocated when it is
created, so updating it works on a full disk too): how many transactions of the job committed,
the highest batch seq whose request may have started, whether a journal write failed, and the
final counts when they could not be committed. After the slot: the job as created (to recreate
it if the journal lost it).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from app.core import config

SLOT = 1024


def marker_dir() -> Path:
    path = config.data_dir() / "journal-markers"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class MarkerState:
    commits: int = 0           # the job's transactions the journal should have
    sent_seq: int = -1         # the highest batch seq whose request may have started
    sent_line: int | None = None  # the last input line of that batch
    failed: str | None = None  # why a journal write failed
    final: dict | None = None  # Journal.finish's arguments, when they could not be committed


@dataclass
class Marker:
    job_id: str
    state: MarkerState = field(default_factory=MarkerState)
    job: dict = field(default_factory=dict)  # create_job's row (path as surrogate-escaped text)
    _fd: int | None = None

    @property
    def path(self) -> Path:
        return marker_dir() / f"{self.job_id}.marker"

    def create(self) -> None:
        """Written whole and fsync'ed before the job's first transaction (OSError when it cannot)."""
        body = json.dumps(self.job).encode()
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(self._slot() + body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._fd = os.open(self.path, os.O_RDWR)

    def attach(self) -> None:
        """Continue the marker a resumed job left (or create it: a journal of an older version)."""
        try:
            self._fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            self.create()

    def update(self, **changes) -> None:
        """Rewrite the slot in place (no new space needed). OSError when even that fails."""
        for k, v in changes.items():
            setattr(self.state, k, v)
        if self._fd is not None:
            os.pwrite(self._fd, self._slot(), 0)

    def _slot(self) -> bytes:
        data = json.dumps(self.state.__dict__).encode()
        if len(data) >= SLOT:  # long messages: keep the counts, cut the words
            final = self.state.final
            if final is not None:
                final = dict(final, warnings=[], error=(final.get("error") or "")[:200] or None)
            data = json.dumps(dict(self.state.__dict__, failed=(self.state.failed or "")[:200] or None,
                                   final=final)).encode()
        if len(data) >= SLOT:
            raise OSError(f"the marker of job {self.job_id} has grown past {SLOT} bytes")
        return data.ljust(SLOT - 1) + b"\n"

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        self.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def read_markers() -> list[Marker | str]:
    """Every marker left (a Marker), or the name of one that cannot be read."""
    out: list[Marker | str] = []
    for p in sorted(marker_dir().glob("*.marker")):
        try:
            raw = p.read_bytes()
            state = MarkerState(**json.loads(raw[:SLOT]))
            job = json.loads(raw[SLOT:] or b"{}")
        except (OSError, ValueError, TypeError):
            out.append(p.name)
            continue
        out.append(Marker(p.stem, state, job))
    return out


def remove(job_id: str) -> None:
    with contextlib.suppress(OSError):
        (marker_dir() / f"{job_id}.marker").unlink()
