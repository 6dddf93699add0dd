"""What a plan's time settings make of the sampled events, before anything is sent: how many
values do not read (Axiom refuses those events), how the first ones will be read, and what the
user still has to choose (a date order). The window's Send confirmation and the CLI's refusal
both come from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.core.time.civil import NaiveZone, local_zone_name
from app.core.time.detect import LikelyTime
from app.core.time.instant import InstantReader, misread_by_go
from app.core.time.orders import ORDER_NAMES
from app.core.time.units import utc_datetime

SHOWN = 3  # how many first values the card and the CLI show read


@dataclass
class Reading:
    value: str
    utc: dt.datetime
    local: dt.datetime  # the same instant in the chosen zone


@dataclass
class TimeCheck:
    field: str | None
    total: int = 0                  # sampled events holding a value in the field
    unread: int = 0                 # … whose value does not read
    bad_example: str | None = None
    first: list[Reading] = field(default_factory=list)
    orders: tuple[str, ...] = ()    # the date order is still to choose among these
    why_client: str | None = None   # why the app computes _time itself (None: Axiom reads it)
    unused: LikelyTime | None = None  # a field that looks like the time, left unused: events get the upload time

    @property
    def problem(self) -> str | None:
        """What stops or should stop a send, in words; None when nothing does."""
        if self.orders:
            return (f"the dates in field {self.field!r} read both "
                    + " and ".join(ORDER_NAMES.get(o, o) for o in self.orders)
                    + f" (e.g. {self.bad_example!r}): choose the order")
        if self.unread:
            return (f"the time field {self.field!r} does not read for {self.unread} of {self.total} sampled "
                    f"rows (e.g. {self.bad_example!r}): Axiom refuses such events, so they will fail")
        if self.unused:
            u = self.unused
            return (f"field {u.field!r} looks like the time, but {u.unread} of {u.total} sampled values do not "
                    "read as one, so no time field is used: every event gets the upload time")
        return None


def unused_time(likely: LikelyTime | None, field_name: str | None) -> LikelyTime | None:
    """The sniff's likely time field when the plan uses no time field (the rule: say so)."""
    return likely if likely is not None and not field_name else None


def check_times(sample: list, field_name: str | None, layout: str | None, zone: NaiveZone | None = None,
                orders: tuple[str, ...] = (), today: dt.date | None = None) -> TimeCheck:
    """Read the field of each sampled event as the plan would send it."""
    zone = zone or NaiveZone()
    check = TimeCheck(field_name, orders=tuple(orders))
    if not field_name:
        return check
    values: list[Any] = [e.get(field_name) for e in sample if isinstance(e, dict)]
    values = [v for v in values if v not in (None, "")]
    check.total = len(values)
    if orders:
        check.bad_example = str(values[0]) if values else None
        return check
    check.why_client = misread_by_go(layout) or (None if zone.is_utc else f"times without a zone are in {zone.label()}")
    reader = InstantReader(layout, zone, today or dt.date.today())
    tz = zone.tzinfo()
    for value in values:
        ns = reader.read(value)
        if ns is None:
            check.unread += 1
            if check.bad_example is None:
                check.bad_example = str(value)[:60]
        elif len(check.first) < SHOWN:
            utc = utc_datetime(ns)
            check.first.append(Reading(str(value), utc, utc.astimezone(tz)))
    return check


def describe_reading(r: Reading, zone: NaiveZone) -> str:
    """"'Jan  2 03:04:05' → 2026-01-02 03:04:05 Europe/Berlin = 2026-01-02 02:04:05 UTC"."""
    utc = r.utc.strftime("%Y-%m-%d %H:%M:%S")
    if zone.is_utc:
        return f"{r.value!r} → {utc} UTC"
    name = zone.name if zone.name != "local" else local_zone_name()
    return f"{r.value!r} → {r.local.strftime('%Y-%m-%d %H:%M:%S')} {name} = {utc} UTC"
