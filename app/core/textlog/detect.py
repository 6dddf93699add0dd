"""Which text-log format a sample of lines is, where its events start, and why: the guess the
sniffer ranks against CSV and JSON, with a confidence and reasons like theirs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.textlog import formats as F
from app.core.textlog.fields import logfmt_share

# Lines that continue an event: indented, a stack frame, "Caused by:", a traceback's header or its
# exception line, a closing bracket.
_CONTINUATION = re.compile(r"\s|Caused by|Traceback \(|\.\.\. \d+ (?:more|common)|[\w$.]*(?:Exception|Error|Warning)\b"
                           r"|[}\])]|File \"|During handling|The above exception|---"
                           r"|panic: |goroutine \d+ |created by |\[signal ")
_PY = re.compile(r"Traceback \(most recent call last\)|.* - [A-Z]+ - ")
_JAVA = re.compile(r"\s+at [\w$.<>]+\(|Caused by: |.*\[[\w\-. ]+\] +[A-Z]+ ")
_SPECIFIC = (F.CRI, F.RFC5424, F.RFC3164, F.JOURNAL, F.ISO_SYSLOG, F.ACCESS_COMBINED, F.NGINX_ERROR, F.GO_LOG, F.FRAMEWORK,
             F.LOGFMT)
_GENERIC = (F.STAMPED, F.LEVEL_START)


@dataclass
class LogGuess:
    format: str                 # a formats.BY_ID key
    label: str                  # "syslog (RFC 3164)"
    start: str | None           # the line-start pattern, as shown (None: one event per line)
    starts_with: str            # "a timestamp", "a level", "each line"
    confidence: float
    reasons: list[str] = field(default_factory=list)
    lines_per_event: float = 1.0

    def summary(self) -> str:
        """The card's line: "syslog (RFC 3164) · events start with a timestamp · 2 lines per event on average"."""
        parts = [self.label]
        if self.start is None:
            parts.append("one event per line")
        else:
            parts.append(f"events start with {self.starts_with}")
            lpe = self.lines_per_event
            parts.append("one line per event" if lpe < 1.05 else f"{lpe:.1f} lines per event on average".replace(".0 ", " "))
        return " · ".join(parts)


def _hits(fmt: F.LogFormat, lines: list[str]) -> int:
    rx = fmt.regex.fullmatch
    if fmt is F.LOGFMT:
        return sum(1 for ln in lines if rx(ln) and _is_logfmt(ln))
    if fmt is F.FRAMEWORK:
        near = F.LEVEL_NEAR.match
        return sum(1 for ln in lines if (m := rx(ln)) and near(m.group("rest")))
    return sum(1 for ln in lines if rx(ln))


def _is_logfmt(line: str) -> bool:
    pairs, share = logfmt_share(line)
    return pairs >= 2 and share >= 0.8


def _label(fmt: F.LogFormat, lines: list[str]) -> tuple[F.LogFormat, str]:
    if fmt is F.ACCESS_COMBINED:
        combined = sum(1 for ln in lines if (m := fmt.regex.fullmatch(ln)) and m.group("user_agent") is not None)
        if combined * 2 < sum(1 for ln in lines if fmt.regex.fullmatch(ln)):
            return F.ACCESS_COMMON, F.ACCESS_COMMON.label
    if fmt is F.FRAMEWORK:
        if any(_PY.match(ln) for ln in lines):
            return fmt, "Python logging (timestamp · level · message)"
        if any(_JAVA.match(ln) for ln in lines):
            return fmt, "log4j/logback (timestamp · level · message)"
    return fmt, fmt.label


def guess_log(lines: list[str]) -> LogGuess | None:
    """The best-fitting format for these sample lines (no line ends), or None when no line starts
    like a log event (then it is plain text: CSV or nothing)."""
    body = [ln for ln in lines if ln.strip()]
    n = len(body)
    if not n:
        return None
    scored = [(fmt, _hits(fmt, body)) for fmt in _SPECIFIC]
    fmt, hits = max(scored, key=lambda fh: fh[1])  # max keeps the first (most specific) of equal scores
    if hits < max(1, n // 20):
        fmt, hits = max(((g, _hits(g, body)) for g in _GENERIC), key=lambda fh: fh[1])
        if hits < max(1, n // 20):
            return None
    elif fmt is F.FRAMEWORK or fmt is F.GO_LOG:
        stamped = _hits(F.STAMPED, body)
        if stamped > hits * 1.25:  # most lines have a timestamp but no level: "timestamp message"
            fmt, hits = F.STAMPED, stamped
    fmt, label = _label(fmt, body)
    share = hits / n
    others = [ln for ln in body if not fmt.regex.fullmatch(ln)]
    reasons = [f"{hits} of {n} non-blank sampled lines read as {label}"]
    if others and not fmt.one_line:
        cont = sum(1 for ln in others if _CONTINUATION.match(ln)) / len(others)
        reasons.append(f"the other {len(others)} lines continue the event before them "
                       f"({cont:.0%} are indented, stack frames or 'Caused by:')")
    else:
        cont = 1.0
    if share >= 0.9:
        conf = 0.97
    elif share >= 0.5:
        conf = 0.8 + 0.15 * cont
    else:
        conf = 0.5 + 0.45 * cont
    if fmt in _GENERIC:
        conf *= 0.9
    if hits < 3 and n >= 3:
        conf *= 0.7
    start = F.START_HINTS.get(fmt.id)
    starts_with = F.STARTS_WITH.get(fmt.id, "a timestamp") if start else "each line"
    return LogGuess(fmt.id, label, start, starts_with, round(conf, 3), reasons)
