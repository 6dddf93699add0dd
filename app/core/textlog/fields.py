"""Small field readers the formats share: syslog priorities, RFC 5424 structured data, HTTP
request lines, numbers, logfmt pairs, the level/logger/thread of a framework log line."""

from __future__ import annotations

import re
from typing import Any

from app.core.textlog.timestamps import LEVEL

SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
              "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3",
              "local4", "local5", "local6", "local7")


def priority(event: dict, pri: str | None) -> None:
    """<PRI> as facility and severity names (RFC 5424 §6.2.1)."""
    if pri is None:
        return
    n = int(pri)
    if n > 191:
        event["priority"] = n
        return
    event["facility"] = FACILITIES[n >> 3]
    event["severity"] = SEVERITIES[n & 7]


_SD_ELEMENT = re.compile(r'\[([^\s\]=]+)((?:\s+[^\s=\]]+="(?:[^"\\]|\\.)*")*)\s*\]')
_SD_PARAM = re.compile(r'([^\s=\]]+)="((?:[^"\\]|\\.)*)"')
_SD_UNESCAPE = re.compile(r'\\([\\"\]])')


def structured_data(text: str) -> dict[str, dict[str, str]]:
    """RFC 5424 STRUCTURED-DATA as {sd-id: {param: value}}."""
    out: dict[str, dict[str, str]] = {}
    for m in _SD_ELEMENT.finditer(text):
        out[m.group(1)] = {k: _SD_UNESCAPE.sub(r"\1", v) for k, v in _SD_PARAM.findall(m.group(2))}
    return out


_REQUEST = re.compile(r"([A-Z]+) (\S+)(?: (HTTP/[\d.]+))?$")


def request(event: dict, text: str) -> None:
    """An access log's request line as method, path, protocol (else the text as `request`)."""
    m = _REQUEST.match(text)
    if m:
        event["method"], event["path"] = m.group(1), m.group(2)
        if m.group(3):
            event["protocol"] = m.group(3)
    elif text and text != "-":
        event["request"] = text


_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,17})(?:\.\d+)?(?:[eE][+-]?\d+)?")


def typed(value: str) -> Any:
    """A logfmt value as a number or boolean when it is exactly one, else the text."""
    if _NUMBER.fullmatch(value):
        return float(value) if any(c in value for c in ".eE") else int(value)
    if value == "true":
        return True
    if value == "false":
        return False
    return value


# A key starts a word (the line's start or after a space, "=" or '"'): findall's pairs are the
# same, but a word with no "=" is scanned once, not once from each of its bytes (quadratic: a
# 64 KB word took 19 s, a 1 MB one over an hour).
LOGFMT_PAIR = re.compile(r'(?<![^\s="])([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)')
_ESCAPE = re.compile(r'\\(.)')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def logfmt(text: str) -> dict[str, Any]:
    """key=value pairs; quoted values unescaped; a bare key (no '=') is `true`, as in go-logfmt."""
    out: dict[str, Any] = {}
    for key, value in LOGFMT_PAIR.findall(text):
        if value.startswith('"'):
            inner = value[1:-1]
            out[key] = _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), inner) if "\\" in inner else inner
        else:
            out[key] = typed(value)
    return out


def logfmt_share(text: str) -> tuple[int, float]:
    """(pairs, share of the line's characters the pairs cover): logfmt lines are nearly all pairs."""
    pairs = LOGFMT_PAIR.findall(text)
    if not text:
        return 0, 0.0
    covered = sum(len(k) + 1 + len(v) for k, v in pairs) + len(pairs) - 1
    return len(pairs), min(1.0, covered / len(text))


_LEVEL_AT = re.compile(r"(?:^|(?<=[\s\[|:-]))(" + LEVEL + r")(?=$|[\s\]|:-])", re.IGNORECASE)
LEVEL_AT = _LEVEL_AT  # the level framework() takes: the first of these (fast_events checks threads hold none)
_THREAD = re.compile(r"\[([^\]]*)\]\s*")
_PY_DEFAULT = re.compile(r"([\w.\-]+):(?=\S)")
_LOGGER_SEP = re.compile(r"([\w.$:/<>-]+?)\s*(?:\s-\s|:\s|\s\|\s)")


def framework(event: dict, rest: str) -> None:
    """"LEVEL [thread] logger - message" and its common orders (log4j/logback, Python logging):
    the level, a bracketed thread and a logger ahead of " - " or ": " become fields."""
    m = _LEVEL_AT.search(rest, 0, 80)
    if not m:
        event["message"] = rest
        return
    event["level"] = m.group(1).upper()
    before = rest[: m.start()].strip(" -|:")
    after = rest[m.end():].lstrip(" ]|")
    if after.startswith(("- ", ": ")):
        after = after[2:]
    elif after.startswith(":") and not after.startswith("::"):
        after = after[1:]
    t = _THREAD.match(after)
    if t and len(t.group(1)) < 60:
        event["thread"] = t.group(1)
        after = after[t.end():]
    if before:
        bt = _THREAD.fullmatch(before + " ") if before.startswith("[") else None
        if bt:
            event["thread"] = bt.group(1)
        elif before.strip("[]"):
            event["logger"] = before.strip("[]")
    if "logger" not in event:
        py = _PY_DEFAULT.match(after) if m.start() == 0 else None  # Python's default "LEVEL:name:message"
        lg = py or _LOGGER_SEP.match(after)
        if lg and len(lg.group(1)) < 80:
            event["logger"] = lg.group(1)
            after = after[lg.end():]
    event["message"] = after
