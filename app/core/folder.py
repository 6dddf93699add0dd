"""A dropped folder as one group: its files, what they add up to, which are odd, and the
settings applied to all of them. The window shows a group as one card; this module decides
what it says.

Why a group: a folder of 2,000 small files as 2,000 cards took minutes and gigabytes. A group
keeps a small fixed record per file (its size and the sniff's answers, without the sample),
is sniffed in chunks off the GUI thread (`sniff_next`), and sends every readable file with the
group's settings.

Odd files are flagged, never silently dropped: unreadable (cannot be opened or decompressed),
not data (binary, empty, not text), or a format other than most of the group's. The first two
are not sent and are named in the totals; a different format is sent as what it is.
"""

from __future__ import annotations

import enum
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.core.io import expand_paths, shown
from app.core.job import Source
from app.core.plan import Overrides, Plan, PlanError, check_plan_times, plan_for
from app.core.sniff import NOT_DATA, Sniff, sniff_path

SNIFF_CHUNK = 64  # files sniffed per trip to the thread pool (the GUI hears after each)
MAX_FIELDS = 200  # time-field candidates kept for "apply to all"
# Of each head, a few events cut short are kept (not the whole sample): enough for Send to check
# a time field applied to all later (time_problem), at a fixed cost per file.
TIME_SAMPLE = 10
TIME_SAMPLE_KEYS = 24


class Oddity(str, enum.Enum):
    UNREADABLE = "can't be read"
    NOT_DATA = "not data"
    OTHER_FORMAT = "a different format"


@dataclass(slots=True, eq=False)
class FolderFile:
    """One file of a group: a fixed, small record (the sniff is kept without its sample)."""

    path: str
    size: int
    sniff: Sniff | None = None
    time_check: tuple | None = None  # (the plan's time settings, their TimeCheck): see FolderGroup.time_check

    @property
    def name(self) -> str:
        return shown(os.path.basename(self.path))

    @property
    def format(self) -> str | None:
        return self.sniff.format if self.sniff is not None and not self.sniff.error else None


@dataclass
class GroupSettings:
    """"Apply to all": None keeps each file's own guess; timestamp_field "" means no field."""

    format: str | None = None
    timestamp_field: str | None = None
    dataset: str | None = None  # None: the dataset chosen in the window

    def overrides(self) -> Overrides:
        return Overrides(format=self.format, timestamp_field=self.timestamp_field)


@dataclass
class GroupTotals:
    files: int
    bytes: int
    sniffed: int
    formats: dict[str, int]  # format -> files, most first
    events: int  # estimated from the heads (exact when every head was the whole file)
    events_exact: bool
    odd: dict[Oddity, int]
    sendable: int

    @property
    def done_sniffing(self) -> bool:
        return self.sniffed >= self.files


@dataclass(eq=False)
class FolderGroup:
    root: str
    files: list[FolderFile]
    problems: list[str] = field(default_factory=list)  # from the folder walk (loops, unreadable folders)
    settings: GroupSettings = field(default_factory=GroupSettings)
    fields: Counter = field(default_factory=Counter)  # field names seen in the heads (time-field choices)
    _next: int = 0

    @property
    def name(self) -> str:
        return shown(os.path.basename(os.path.normpath(self.root)) or self.root)

    @property
    def sniffed(self) -> int:
        return self._next

    def majority_format(self) -> str | None:
        counts = Counter(f.format for f in self.files[: self._next] if f.format)
        return counts.most_common(1)[0][0] if counts else None

    def oddity(self, f: FolderFile, majority: str | None = None) -> Oddity | None:
        s = f.sniff
        if s is None:
            return None
        if s.error:
            return Oddity.NOT_DATA if s.error.startswith(NOT_DATA) else Oddity.UNREADABLE
        majority = majority if majority is not None else self.majority_format()
        if majority and s.format != majority:
            return Oddity.OTHER_FORMAT
        return None

    def why_odd(self, f: FolderFile, majority: str | None = None) -> str:
        """A sentence for the file's flag ("" when it is not odd)."""
        majority = majority if majority is not None else self.majority_format()
        odd = self.oddity(f, majority)
        if odd is None:
            return ""
        if odd is Oddity.OTHER_FORMAT:
            return f"{f.format} while most files here are {majority}; sent as {f.format}"
        return f"{f.sniff.error}; not sent"

    def totals(self) -> GroupTotals:
        majority = self.majority_format()
        formats: Counter = Counter()
        odd: Counter = Counter()
        events, exact, sendable = 0, True, 0
        for f in self.files[: self._next]:
            if f.format:
                formats[f.format] += 1
                events += f.sniff.estimated_events
                exact = exact and f.sniff.head_is_whole
                sendable += 1
            kind = self.oddity(f, majority)
            if kind is not None:
                odd[kind] += 1
        return GroupTotals(files=len(self.files), bytes=sum(f.size for f in self.files), sniffed=self._next,
                           formats=dict(formats.most_common()), events=events,
                           events_exact=exact and self._next == len(self.files), odd=dict(odd), sendable=sendable)

    def time_fields(self) -> list[str]:
        """Field names seen in the files, most common first (the "apply to all" time choices)."""
        return [name for name, _ in self.fields.most_common(MAX_FIELDS)]

    def plan_of(self, sniff: Sniff) -> Plan:
        """The Plan a file of the group goes with: its sniff, then "apply to all" (PlanError: unreadable)."""
        return plan_for(sniff, self.settings.overrides())

    def time_check(self, f: FolderFile):
        """The file's sample read with its plan's time settings, kept for those settings: worked
        out while sniffing (a worker thread), so Send asks about 2,000 files without reading
        20,000 times on the GUI thread (0.58 s); worked out again once "apply to all" changes them."""
        plan = self.plan_of(f.sniff)
        key = (plan.timestamp_field, plan.timestamp_format, plan.time_zone, repr(plan.date_orders))
        kept = f.time_check
        if kept is not None and kept[0] == key:
            return kept[1]
        check = check_plan_times(f.sniff, plan)
        f.time_check = (key, check)
        return check

    def time_problem(self) -> str | None:
        """Send's question for the whole folder: how many files and sampled rows the time field
        (the files' own, or the one applied to all) does not read; None when they all read."""
        files = rows = total = 0
        example = None
        for f in self.files[: self._next]:
            if not f.format:
                continue
            try:
                check = self.time_check(f)
            except PlanError:
                continue
            if check.unread:
                files, rows, total = files + 1, rows + check.unread, total + check.total
                example = example or (f.name, check.bad_example, check.field)
        if not files:
            return None
        readable = sum(1 for f in self.files[: self._next] if f.format)
        name, bad, field_name = example
        return (f"{self.name}/: the time field {field_name!r} does not read for {rows:,} of {total:,} sampled rows "
                f"in {files:,} of {readable:,} files (e.g. {name}: {bad!r}): Axiom refuses such events, "
                "so they will fail")

    def jobs(self) -> list[tuple[Source, Plan]]:
        """(Source, Plan) of every readable file, with the group's settings applied."""
        out = []
        for f in self.files[: self._next]:
            if not f.format:
                continue
            try:
                out.append((Source.from_path(f.path), self.plan_of(f.sniff)))
            except (PlanError, OSError):
                continue  # gone since it was sniffed: the job would fail to open it anyway
        return out


def scan(root: str | os.PathLike) -> FolderGroup:
    """The folder's data files (the same rule as the CLI: app.core.io.expand_paths) and their sizes."""
    paths, problems = expand_paths([root])
    files = []
    for p in paths:
        try:
            size = os.stat(p).st_size
        except OSError:
            size = 0
        files.append(FolderFile(str(p), size))
    return FolderGroup(root=str(root), files=files, problems=problems)


def sniff_next(group: FolderGroup, n: int | None = None) -> int:
    """Sniff the next `n` files (SNIFF_CHUNK; runs in a worker thread); returns how many are
    sniffed now. Each sniff is kept without its sample: a file costs the same whatever its head held."""
    end = min(len(group.files), group._next + (n or SNIFF_CHUNK))
    for f in group.files[group._next:end]:
        try:
            s = sniff_path(f.path)
        except Exception as e:  # sniff_path should never raise; the file is flagged, not lost
            s = Sniff(path=f.path, error=f"{shown(f.path)}: cannot be read ({e})")
        _note_fields(group, s)
        s.sample = _time_sample(s)
        s.path = None
        f.sniff = s
        if f.format:
            try:
                group.time_check(f)  # here, off the GUI thread, for the settings of now
            except PlanError:
                pass
        if s.size is not None:
            f.size = s.size
    group._next = end
    return end


def _time_sample(s: Sniff) -> list[dict]:
    """The first events with at most TIME_SAMPLE_KEYS scalar fields (the guessed time field first), values cut to 64."""
    guess = s.timestamp.field if s.timestamp else None
    out = []
    for event in s.sample[:TIME_SAMPLE]:
        if not isinstance(event, dict):
            continue
        keys = ([guess] if guess in event else []) + [k for k in event if k != guess]
        out.append({k: (event[k][:64] if isinstance(event[k], str) else event[k]) for k in keys[:TIME_SAMPLE_KEYS]
                    if isinstance(event[k], (str, int, float))})
    return out


def _note_fields(group: FolderGroup, s: Sniff) -> None:
    if s.error:
        return
    if s.csv is not None and s.format == "csv":
        names = s.csv.fields
    else:
        names = [k for event in s.sample[:5] if isinstance(event, dict) for k in event]
    if len(group.fields) < MAX_FIELDS * 4:
        group.fields.update(set(names))


def under(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """True when `path` is inside the folder `root` (or is it)."""
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except OSError:
        return False
