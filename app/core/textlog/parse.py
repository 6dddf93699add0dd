"""One grouped event (its lines) as the JSON object sent: the format's fields, `_time` as RFC 3339,
`message` holding the whole text of a multi-line event."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.core.textlog import formats as F
from app.core.textlog.clock import Clock
from app.core.textlog.fast import PATTERNS as FAST_PATTERNS, FastPath
from app.core.textlog.fast_events import Events
from app.core.textlog.fast_logfmt import Logfmt
from app.core.textlog.multiline import Grouped
from app.core.textlog.timestamps import form_of


def settings_problem(format_id: str, start: str | None) -> str | None:
    """Why these text-log settings cannot be used (a sentence for the user), or None (the zone is
    checked where every zone choice is: time.civil.NaiveZone)."""
    if format_id not in F.BY_ID:
        return f"unknown text-log format {format_id!r}; expected one of {', '.join(F.BY_ID)}"
    if start:
        try:
            re.compile(start)
        except re.error as e:
            return f"the line-start pattern {start!r} is not a valid regular expression ({e})"
    return None


class Parser:
    """How one input's lines become events: its format, line-start pattern and zone.

    start: a regular expression a line starting an event matches at its start (None: the
    format's own line pattern). zone: a NaiveZone name for times written without one."""

    def __init__(self, fmt: F.LogFormat, start: str | None = None, zone: str | None = None,
                 today: date | None = None):
        self.fmt = fmt
        self.clock = Clock(zone, today)
        self.start_pattern = start
        self._user = re.compile(start) if start else None
        self.start = fmt.regex.fullmatch if self._user is None else self._user.match
        self.partial = _cri_partial if fmt is F.CRI else None
        self.drop_blank = fmt.one_line
        self.unread: list[tuple[int, str]] = []  # (line, timestamp text) read as no time
        # whole blocks at once for the big regular formats (same events; see fast.py)
        self.fast: FastPath | Logfmt | None = None
        if self._user is None and fmt.id in FAST_PATTERNS:
            self.fast = FastPath(fmt.id, self.clock)
        elif self._user is None and fmt is F.LOGFMT:
            self.fast = Logfmt(self.clock)
        # whole regions of multi-line events for framework logs (same events; see fast_events.py)
        self.events = Events(self.clock) if self._user is None and fmt is F.FRAMEWORK else None

    def event(self, g: Grouped) -> dict[str, Any]:
        fmt, lines = self.fmt, g.lines
        m = g.match
        if m is not None and m.re is not fmt.regex:
            m = fmt.regex.fullmatch(lines[0])  # started by the user's pattern: the format's fields if it fits
        if m is None:
            return {"message": _joined(lines)}
        event: dict[str, Any] = {}
        if fmt is F.CRI:
            event.update(fmt.build(m))
            F.cri_payload(event, _cri_text(m, lines))
        else:
            event.update(fmt.build(m))
            if len(lines) > 1:
                event["message"] = _joined([event.get("message", ""), *lines[1:]])
        stamp = None
        form = fmt.time_form
        if form is not None:
            stamp = m.group("time")
        elif fmt is F.LOGFMT:
            for key in F.LOGFMT_TIME_KEYS:
                value = event.get(key)
                if isinstance(value, str):
                    stamp, form = value, "auto"
                    break
        if stamp and stamp != "-":
            if form == "auto":
                form = form_of(stamp)
            elif form == "iso":
                form = "iso-zoned" if stamp[-1] in "Zz" or "+" in stamp[19:] or "-" in stamp[19:] else "iso-naive"
            t = self.clock.rfc3339(form, stamp) if form else None
            if t is None:
                event.setdefault("timestamp", stamp)
                if len(self.unread) < 1000:
                    self.unread.append((g.first_line, stamp))
            else:
                return {"_time": t, **event}
        return event


def _joined(lines: list[str]) -> str:
    end = len(lines)
    while end > 1 and not lines[end - 1].strip():
        end -= 1  # blank lines after an event are no part of its text
    return "\n".join(lines[:end]) if end > 1 else lines[0]


def _cri_partial(m: "re.Match[str]") -> bool:
    return m.re is F.CRI.regex and m.group("tag") == "P"


def _cri_text(m: "re.Match[str]", lines: list[str]) -> str:
    """The payloads of a partial (`P`) run and its final line, joined as the runtime cut them."""
    parts = [m.group("log") or ""]
    for ln in lines[1:]:
        m2 = F.CRI.regex.fullmatch(ln)
        parts.append((m2.group("log") or "") if m2 else "\n" + ln)
    return "".join(parts)
