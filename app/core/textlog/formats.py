"""The text-log formats read into fields: one regular expression per format for the line an event
starts with, and what each named group becomes.

Hand-written, precompiled `re` patterns modelled on Logstash's grok set (SYSLOGLINE,
SYSLOG5424LINE, COMMONAPACHELOG, COMBINEDAPACHELOG): grok libraries for Python (pygrok, last
released 2016) expand those names into the same kind of regex at run time, with a dict of every
capture per line and no way to say what a value means (a status is a number, a `-` is nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import orjson

from app.core.textlog import fields as f
from app.core.textlog.timestamps import ANY_TIME, APACHE, ISO_NAIVE, ISO_ZONED, LEVEL, SLASHED, SYSLOG

Builder = Callable[["re.Match[str]"], dict[str, Any]]


@dataclass(frozen=True)
class LogFormat:
    id: str
    label: str
    regex: "re.Pattern[str]"   # matches a whole line that starts an event; group "time" is the timestamp
    time_form: str | None      # timestamps.FORMS name of group "time"
    build: Builder             # the event's fields from that match (not `_time`: parse.py adds it)
    one_line: bool = False     # events never span lines (the line-start pattern is every line)


def _some(event: dict, m: "re.Match[str]", *names: str) -> None:
    """Copy the named groups that hold something ('-' is syslog's and Apache's nothing)."""
    for name in names:
        v = m.group(name)
        if v is not None and v != "-" and v != "":
            event[name] = v


# -- container runtime (CRI: containerd, CRI-O, Kubernetes node logs) ---------------------------
_CRI = re.compile(r"(?P<time>" + ISO_ZONED + r") (?P<stream>stdout|stderr) (?P<tag>[FP])(?: (?P<log>.*))?")


def _cri(m: "re.Match[str]") -> dict[str, Any]:
    return {"stream": m.group("stream")}


def cri_payload(event: dict, payload: str) -> None:
    """A JSON object payload becomes fields (its own keys win over nothing, lose to `_time`)."""
    if payload.startswith("{") and payload.endswith("}"):
        try:
            value = orjson.loads(payload)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            for k, v in value.items():
                event.setdefault(k, v)
            return
    event["message"] = payload


# -- syslog -------------------------------------------------------------------------------------
_TAG = r"(?:(?P<appname>[^\s\[\]:]+)(?:\[(?P<procid>[^\]]*)\])?: ?)?"
_RFC3164 = re.compile(r"(?:<(?P<pri>\d{1,3})>)?(?P<time>" + SYSLOG + r") (?P<hostname>\S+) " + _TAG
                      + r"(?P<message>.*)")
_RFC5424 = re.compile(r"<(?P<pri>\d{1,3})>\d{1,2} (?P<time>-|\S+) (?P<hostname>\S+) (?P<appname>\S+) "
                      r"(?P<procid>\S+) (?P<msgid>\S+) (?P<sd>-|(?:\[(?:[^\]\\\"]|\\.|\"(?:[^\"\\]|\\.)*\")*\])+)"
                      r"(?: (?:\ufeff)?(?P<message>.*))?")
_IDENT = r"(?P<hostname>[^\s\[]\S*) (?P<appname>[^\s\[\]:]+)(?:\[(?P<procid>[^\]]*)\])?: ?"  # ident required
_ISO_SYSLOG = re.compile(r"(?:<(?P<pri>\d{1,3})>)?(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) "
                         + _IDENT + r"(?P<message>.*)")
_JOURNAL = re.compile(r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?[+-]\d{4}) "
                      + _IDENT + r"(?P<message>.*)")


def _syslog(m: "re.Match[str]") -> dict[str, Any]:
    event: dict[str, Any] = {}
    if "pri" in m.re.groupindex:
        f.priority(event, m.group("pri"))
    _some(event, m, "hostname", "appname", "procid")
    event["message"] = m.group("message") or ""
    return event


def _rfc5424(m: "re.Match[str]") -> dict[str, Any]:
    event: dict[str, Any] = {}
    f.priority(event, m.group("pri"))
    _some(event, m, "hostname", "appname", "procid", "msgid")
    if m.group("sd") != "-":
        event["structured_data"] = f.structured_data(m.group("sd"))
    event["message"] = m.group("message") or ""
    return event


# -- access logs (Apache, nginx) ------------------------------------------------------------------
_Q = r'"((?:[^"\\]|\\.)*)"'
_ACCESS = re.compile(r"(?:(?P<vhost>\S+) (?=\S+ \S+ \S+ \[))?(?P<remote_addr>\S+) (?P<ident>\S+) (?P<remote_user>\S+) \[(?P<time>" + APACHE + r")\] "
                     + _Q.replace("(", "(?P<request>", 1) + r" (?P<status>\d{3}|-) (?P<bytes>\d+|-)"
                     + r"(?: " + _Q.replace("(", "(?P<referer>", 1) + " " + _Q.replace("(", "(?P<user_agent>", 1)
                     + r")?(?P<extra>.*)")


def _unq(s: str) -> str:
    return s.replace('\\"', '"').replace("\\\\", "\\") if "\\" in s else s


def _access(m: "re.Match[str]") -> dict[str, Any]:
    event: dict[str, Any] = {}
    _some(event, m, "vhost", "remote_addr", "ident", "remote_user")
    f.request(event, _unq(m.group("request")))
    if m.group("status") != "-":
        event["status"] = int(m.group("status"))
    if m.group("bytes") != "-":
        event["bytes"] = int(m.group("bytes"))
    for name in ("referer", "user_agent"):
        v = m.group(name)
        if v is not None and v != "-":
            event[name] = _unq(v)
    extra = m.group("extra").strip()
    if extra:
        event["extra"] = extra
    return event


# -- Go's log package, framework logs, logfmt -------------------------------------------------------
_GO = re.compile(r"(?:(?P<prefix>[\w.\-\[\]]{1,30}:?) )?(?P<time>" + SLASHED + r") (?:(?P<file>[\w.\-/]+\.go:\d+): )?(?P<message>.*)")


_NGINX_ERROR = re.compile(r"(?P<time>" + SLASHED + r") \[(?P<level>[a-z]+)\] (?P<pid>\d+)#(?P<tid>\d+): "
                          r"(?:\*(?P<connection>\d+) )?(?P<message>.*)")


def _nginx_error(m: "re.Match[str]") -> dict[str, Any]:
    event: dict[str, Any] = {"level": m.group("level"), "pid": int(m.group("pid")), "tid": int(m.group("tid"))}
    if m.group("connection"):
        event["connection"] = int(m.group("connection"))
    event["message"] = m.group("message")
    return event


def _go(m: "re.Match[str]") -> dict[str, Any]:
    event: dict[str, Any] = {}
    _some(event, m, "prefix", "file")
    event["message"] = m.group("message")
    return event


_FRAMEWORK = re.compile(r"\[?(?P<time>" + ISO_ZONED + "|" + ISO_NAIVE + r")\]?[ \t]+(?P<rest>.*)")
_LEVEL_NEAR = re.compile(r"(?:^|.{0,60}?[\s\[|:-])" + LEVEL + r"(?=$|[\s\]|:-])", re.IGNORECASE)


def _framework(m: "re.Match[str]") -> dict[str, Any]:
    event: dict[str, Any] = {}
    f.framework(event, m.group("rest"))
    return event


_LOGFMT = re.compile(r"(?P<line>[^\s=\"]+=(?:\"(?:[^\"\\]|\\.)*\"|[^\s\"]*)(?:\s+.*)?)")
LOGFMT_TIME_KEYS = ("time", "ts", "timestamp", "t", "@timestamp", "datetime", "date")


def _logfmt(m: "re.Match[str]") -> dict[str, Any]:
    return f.logfmt(m.group("line"))


# -- the generic ones: "timestamp message", "LEVEL message", plain lines ------------------------------
_STAMPED = re.compile(r"[\[(]?(?P<time>" + ANY_TIME + r")[\])]?[ \t]*[:|-]?[ \t]+(?P<rest>.*)")


def _stamped(m: "re.Match[str]") -> dict[str, Any]:
    event: dict[str, Any] = {}
    rest = m.group("rest")
    lv = _LEADING_LEVEL.match(rest)
    if lv:
        event["level"] = lv.group(1).upper()
        rest = rest[lv.end():]
    event["message"] = rest
    return event


_LEADING_LEVEL = re.compile(r"[\[<(]?(" + LEVEL + r")[\]>)]?(?::|\s+-)?\s+", re.IGNORECASE)
_LEVEL_START = re.compile(r"(?P<rest>(?P<lv>[\[<(]?" + LEVEL + r"\b[\]>)]?)(?:[ :]+\[?(?P<time>" + ANY_TIME
                          + r")\]?(?=[ \t]|$))?.*)")


def _level_start(m: "re.Match[str]") -> dict[str, Any]:
    """"LEVEL message", also with the time after the level (log4j's "%-5p %d [%t] %c - %m")."""
    event: dict[str, Any] = {}
    rest = m.group("rest")
    if m.group("time"):
        rest = m.group("lv") + rest[m.end("time") - m.start("rest"):].lstrip("]")
    f.framework(event, rest)
    return event


_PLAIN = re.compile(r"(?P<message>.*)")


def _plain(m: "re.Match[str]") -> dict[str, Any]:
    return {"message": m.group("message")}


CRI = LogFormat("cri", "container runtime (CRI)", _CRI, "iso-zoned", _cri)
RFC5424 = LogFormat("syslog-rfc5424", "syslog (RFC 5424)", _RFC5424, "iso-zoned", _rfc5424)
RFC3164 = LogFormat("syslog-rfc3164", "syslog (RFC 3164)", _RFC3164, "syslog", _syslog)
ISO_SYSLOG = LogFormat("syslog-iso", "syslog (ISO timestamps, rsyslog)", _ISO_SYSLOG, "iso-zoned", _syslog)
JOURNAL = LogFormat("journal-short-iso", "journalctl (short-iso)", _JOURNAL, "iso-zoned", _syslog)
ACCESS_COMBINED = LogFormat("access-combined", "access log (combined: Apache, nginx)", _ACCESS, "apache", _access)
ACCESS_COMMON = LogFormat("access-common", "access log (common: Apache, nginx)", _ACCESS, "apache", _access)
GO_LOG = LogFormat("go-log", "Go log", _GO, "slashed", _go)
NGINX_ERROR = LogFormat("nginx-error", "nginx error log", _NGINX_ERROR, "slashed", _nginx_error)
FRAMEWORK = LogFormat("framework", "timestamp · level · message (Python logging, log4j/logback)", _FRAMEWORK,
                      "iso", _framework)
LOGFMT = LogFormat("logfmt", "logfmt (key=value)", _LOGFMT, None, _logfmt, one_line=True)
STAMPED = LogFormat("timestamped", "timestamped lines", _STAMPED, "auto", _stamped)
LEVEL_START = LogFormat("level-lines", "lines starting with a level", _LEVEL_START, "auto", _level_start)
PLAIN = LogFormat("plain", "plain lines", _PLAIN, None, _plain, one_line=True)

# In the order detection prefers them when they fit equally well (the most specific first).
FORMATS: tuple[LogFormat, ...] = (CRI, RFC5424, RFC3164, JOURNAL, ISO_SYSLOG, ACCESS_COMBINED, ACCESS_COMMON,
                                  NGINX_ERROR, GO_LOG, FRAMEWORK, LOGFMT, STAMPED, LEVEL_START, PLAIN)
BY_ID = {fmt.id: fmt for fmt in FORMATS}
LEVEL_NEAR = _LEVEL_NEAR

# What a line that starts an event looks like, as shown (and editable) on the card: the format's
# own pattern is the whole-line one above; these are its readable beginnings.
START_HINTS: dict[str, str | None] = {
    "cri": r"^\d{4}-\d\d-\d\dT\S+ (?:stdout|stderr) [FP] ",
    "syslog-rfc5424": r"^<\d{1,3}>\d{1,2} ",
    "syslog-rfc3164": r"^(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ",
    "journal-short-iso": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d",
    "syslog-iso": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d",
    "access-combined": r"^\S+ \S+ \S+ \[",
    "access-common": r"^\S+ \S+ \S+ \[",
    "go-log": r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d",
    "nginx-error": r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[",
    "framework": r"^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d",
    "timestamped": r"^[\[(]?(?:\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d\d/[A-Z][a-z]{2}/\d{4}:)",
    "level-lines": r"^[\[<(]?" + LEVEL + r"\b",
    "logfmt": None,
    "plain": None,
}
STARTS_WITH = {"level-lines": "a level", "cri": "a timestamp", "access-combined": "a client address",
               "access-common": "a client address", "syslog-rfc5424": "a priority and a timestamp"}
