"""A local stand-in for Axiom's ingest API (see AXIOM_API.md), served on loopback.

Why it exists: a newcomer can try the whole app without an account, and the client, the retry
logic, the UI and the benchmarks are tested against a server that answers like Axiom does —
same endpoints, token rules, content types, limits, response and error shapes, rate-limit
headers — plus knobs (`Faults`) that make it slow, fail, drop connections or reject events.

Built on aiohttp's web server in a background thread with its own asyncio loop, so synchronous
tests and a Qt app can both use it. Stored events go to `{data_dir}/{dataset}.ndjson`.
Tokens are compared, never logged nor written anywhere.

Decisions where Axiom's behaviour is not documented (keep in sync with the tests):
- `application/json` takes a JSON array, or a stream of JSON objects (one object, pretty-printed
  or not, or NDJSON); `application/x-ndjson` is strictly one object per non-blank line.
- Every event must be a JSON object (`null` too is refused); the first that is not fails the whole
  request with 400 "invalid event at index N: ReadObject: …" (N 0-based within the request) and
  nothing of that request is stored.
- CSV: values are strings; leading spaces/tabs of a field are trimmed (Go's TrimLeadingSpace,
  which the documented `user, name` example needs); blank lines are skipped; a UTF-8 BOM is
  kept, as in JSON bodies (clients strip it); a ragged row keeps the header's fields: missing
  ones are absent, extra values are ignored. A malformed record (unclosed quote) is a 400
  naming its index.
- The timestamp field (default `_time`) is parsed (RFC 3339 / ISO 8601 / epoch s·ms·µs·ns by
  magnitude, or the Go layout of `timestamp-format`); when it parses, its value becomes `_time`
  and a field other than `_time` is removed. When it does not parse (or the layout is one this
  sandbox cannot translate), `_time` is the ingest time and a non-`_time` field is kept as sent.
  With a `timestamp-field` the event lacks, a parseable `_time` in the event is still used.
  A layout without a year uses the current year.
- Labels (`X-Axiom-Event-Labels`) are merged into each event and win over its own fields.
- Field names counted against `max_fields` are the flattened leaf names ("a.b.c"; arrays are one
  field); `_time` and `_sysTime` are not counted.
- Scripted faults are consumed by every ingest request before anything else (like a proxy in
  front of Axiom); status faults read the body first so the client always sees the answer.
- `reject_field` matches a top-level key or a flattened name ("user.password").
- String values over 1 MiB of UTF-8 become "<invalid string: too long>"; objects/arrays nested
  deeper than 100 levels (the event is level 1) become null. A key over 200 bytes fails
  the event (200 partial failure: "field name too long").
- `walLength` in the 200 answer equals `ingested`.
- A personal access token ("xapt-sandbox-…") is generated when none is given, so the PAT rules
  can be tried; dataset descriptions live in `{data_dir}/.datasets.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hmac
import io
import json
import logging
import math
import re
import secrets
import signal
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import zstandard
from aiohttp import web

from app.core import config
from app.core.time import datetime_ns, format_time, parse_time

log = logging.getLogger(__name__)

MAX_EVENTS = 10_000
MAX_VALUE_BYTES = 1 << 20            # a longer string value is replaced (AXIOM_API.md)
MAX_DEPTH = 100                      # deeper objects/arrays become null
TOO_LONG = "<invalid string: too long>"
RESERVED_FIELDS = ("_blockInfo", "_cursor", "_rowID", "_source", "_sysTime")
EVENT_KIND = "axiom:events:v1"
DATASET_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")
HARD_BODY_CAP = 1 << 30              # uncompressed bytes, when no max_body_bytes is set
DEFAULT_INGEST_LIMIT = 500 * 10**9   # bytes per month (X-IngestLimit-Limit)
METADATA_FILE = ".datasets.json"     # cannot clash with "{name}.ndjson"
CONTENT_TYPES = ("application/json", "application/x-ndjson", "text/csv")
_KEY = getattr(web, "RequestKey", None)
_ENTRY: Any = _KEY("entry", dict) if _KEY else "entry"     # this request's requests_log entry
_INGEST: Any = _KEY("ingest", bool) if _KEY else "ingest"  # an ingest request (X-IngestLimit-*)

_SCRIPT_RE = re.compile(
    r"\d{3}|429:retry-after=\d+(\.\d+)?|429:reset=\d+|drop-request|drop-response|slow=\d+(\.\d+)?|html-500"
)
_REASONS = {400: "bad request", 401: "invalid token", 403: "forbidden", 404: "not found",
            405: "method not allowed", 409: "conflict", 413: "request entity too large",
            415: "unsupported media type", 429: "rate limit exceeded",
            430: "monthly ingest limit reached", 500: "internal server error", 502: "bad gateway",
            503: "service unavailable", 504: "gateway timeout"}


# ---------------------------------------------------------------- faults

MAX_FIELD_NAME_BYTES = 200  # AXIOM_API.md: field names are at most 200 bytes (each key; nesting is
                            # limited by depth instead)

@dataclass
class Faults:
    """Knobs a test (or `POST /_sandbox/faults`) turns; read by the server thread, hence the lock."""

    delay: float = 0.0                  # hold every response this long (seconds)
    script: list[str] = field(default_factory=list)  # consumed one per ingest request
    max_body_bytes: int | None = None   # uncompressed body over this -> 413
    reject_field: str | None = None     # events with this field fail (200 partial failure)
    rate_limit_per_minute: int = 100_000
    max_fields: int = 1024
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    KNOBS = ("delay", "script", "max_body_bytes", "reject_field", "rate_limit_per_minute", "max_fields")

    def pop_script(self) -> str | None:
        with self._lock:
            return self.script.pop(0) if self.script else None

    def update(self, values: dict[str, Any]) -> None:
        """Set some knobs at once; ValueError (with a message for the HTTP answer) on bad input."""
        checked = {k: _check_knob(k, v) for k, v in values.items()}
        with self._lock:
            for k, v in checked.items():
                setattr(self, k, v)

    def clear(self) -> None:
        with self._lock:
            defaults = Faults()
            for k in self.KNOBS:
                setattr(self, k, getattr(defaults, k))

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {k: (list(v) if isinstance(v := getattr(self, k), list) else v) for k in self.KNOBS}


def _check_knob(name: str, value: Any) -> Any:
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if name == "delay":
        if not (is_int(value) or isinstance(value, float)) or value < 0:
            raise ValueError("delay must be a number of seconds >= 0")
        return float(value)
    if name == "script":
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise ValueError("script must be a list of strings")
        bad = [s for s in value if not _SCRIPT_RE.fullmatch(s)]
        if bad:
            raise ValueError(f"unknown script entries: {', '.join(bad)}")
        return list(value)
    if name == "max_body_bytes":
        if value is not None and (not is_int(value) or value < 1):
            raise ValueError("max_body_bytes must be a positive integer or null")
        return value
    if name == "reject_field":
        if value is not None and (not isinstance(value, str) or not value):
            raise ValueError("reject_field must be a field name or null")
        return value
    if name in ("rate_limit_per_minute", "max_fields"):
        if not is_int(value) or value < (0 if name == "rate_limit_per_minute" else 1):
            raise ValueError(f"{name} must be a non-negative integer")
        return value
    raise ValueError(f"unknown fault {name!r} (known: {', '.join(Faults.KNOBS)})")


# ---------------------------------------------------------------- errors

class ApiError(Exception):
    """An error answer: JSON {"message","code"} with this status (and maybe extra headers)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class BadEvent(Exception):
    """Event `index` of the request is not a JSON object: the whole request is refused."""

    def __init__(self, index: int, reason: str):
        super().__init__(f"invalid event at index {index}: {reason}")
        self.index = index


class _Dropped(Exception):
    """The connection was aborted on purpose: no answer is sent."""


async def _json_object(request: web.Request, not_an_object: str) -> dict:
    """The request's JSON object body; ApiError 400 when it is not JSON, or not an object."""
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise ApiError(400, "invalid JSON body") from None
    if type(body) is not dict:
        raise ApiError(400, not_an_object)
    return body


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json",
                        headers=headers)


def _error_response(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return _json_response(status, {"message": message, "code": status}, headers)


# ---------------------------------------------------------------- parsing bodies

def _found(value: Any) -> str:
    """What jsoniter's ReadObject reports it found instead of an object."""
    if value is None:
        return "ReadObject: expect {, but found null"
    if isinstance(value, list):
        ch = "["
    elif isinstance(value, str):
        ch = '"'
    elif isinstance(value, bool):
        ch = "t" if value else "f"
    else:
        ch = str(value)[:1]
    return f"ReadObject: expect {{ or n, but found {ch}"


def _syntax(text: bytes | str, err: Exception) -> str:
    first = text.lstrip()[:1]
    if isinstance(first, bytes):
        first = first.decode("utf-8", "replace")
    if first and first != "{":
        return f"ReadObject: expect {{ or n, but found {first}"
    return f"ReadObjectCB: invalid JSON: {err}"


def parse_ndjson(body: bytes) -> list[dict]:
    """One object per non-blank line; the index counts non-blank lines."""
    events: list[dict] = []
    for line in body.split(b"\n"):
        line = line.strip()
        if not line:
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            raise BadEvent(len(events), _syntax(line, e)) from None
        if type(value) is not dict:
            raise BadEvent(len(events), _found(value))
        events.append(value)
    return events


def _walk_values(text: str, in_array: bool) -> list[dict]:
    """Slow path that finds which value is bad: the elements of an array, or a stream of values."""
    decoder = json.JSONDecoder(parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    events: list[dict] = []
    pos, n = 0, len(text)

    def skip(p: int) -> int:
        while p < n and text[p] in " \t\r\n":
            p += 1
        return p

    pos = skip(pos)
    if in_array:
        pos = skip(pos + 1)  # past "["
        if pos < n and text[pos] == "]":
            pos = skip(pos + 1)
            if pos < n:
                raise BadEvent(0, f"ReadObject: expect {{ or n, but found {text[pos]}")
            return events
    while pos < n:
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, ValueError) as e:
            raise BadEvent(len(events), _syntax(text[pos:pos + 1], e)) from None
        if type(value) is not dict:
            raise BadEvent(len(events), _found(value))
        events.append(value)
        pos = skip(pos)
        if in_array:
            if pos < n and text[pos] == ",":
                pos = skip(pos + 1)
                continue
            if pos < n and text[pos] == "]":
                pos = skip(pos + 1)
                if pos < n:
                    raise BadEvent(len(events), f"ReadObject: expect {{ or n, but found {text[pos]}")
                return events
            found = text[pos] if pos < n else "EOF"
            raise BadEvent(len(events), f"ReadArray: expect , or ], but found {found}")
    if in_array:
        raise BadEvent(len(events), "ReadArray: expect , or ], but found EOF")
    return events


def parse_json(body: bytes) -> list[dict]:
    """application/json: an array of objects, one object, or a stream of objects (NDJSON)."""
    stripped = body.lstrip()
    if not stripped:
        return []
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        value = _MISSING
    if value is not _MISSING:
        if isinstance(value, list):
            for i, item in enumerate(value):
                if type(item) is not dict:
                    raise BadEvent(i, _found(item))
            return value
        if type(value) is dict:
            return [value]
        raise BadEvent(0, _found(value))
    if stripped[:1] != b"[":
        try:
            return parse_ndjson(body)
        except BadEvent:
            pass  # maybe pretty-printed objects one after another: the walk decides
    return _walk_values(body.decode("utf-8", "replace"), in_array=stripped[:1] == b"[")


_MISSING = object()


def parse_csv(body: bytes, delimiter: str = ",", fields: list[str] | None = None) -> list[dict]:
    """text/csv with a header row (or `fields` from X-Axiom-CSV-Fields); values stay strings."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadEvent(0, f"csv: the body is not UTF-8 ({e.reason} at byte {e.start})") from None
    record_start = [True]

    def lines():
        for line in io.StringIO(text, newline=""):
            if record_start[0]:
                line = line.lstrip(" \t")
                record_start[0] = False
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, skipinitialspace=True, strict=True)
    header = list(fields) if fields else None
    events: list[dict] = []
    while True:
        record_start[0] = True
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise BadEvent(len(events), f"csv: {e}") from None
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if header is None:
            header = row
            continue
        events.append(dict(zip(header, row)))
    return events


_BLANK_AFTER_NEWLINE = re.compile(rb"\n[\n \t\x0b\x0c]")  # a blank line or one starting with whitespace
_WHITESPACE = b"\n \t\x0b\x0c\r"                            # what bytes.strip() removes


class _FastCounter:
    """Counts the events of a body fed in pieces, cheaply (the `fast` benchmark mode).

    Why it exists: a benchmark may send a whole 80 MB file as one request; counting each piece as
    it is received and decompressed leaves nothing proportional to the body for after its last
    byte, as on a real ingest server. A plain NDJSON/CSV body only has its newlines counted and
    (NDJSON) its first and last lines parsed. Anything unusual (a CR, a blank line or one starting
    with whitespace, a quote in CSV, any JSON body) is joined in `finish` and given to the full
    parser, so a bad request still gets the same 400 as without `fast`."""

    def __init__(self, mime: str):
        self.mime = mime
        self.size = 0                       # bytes fed
        self.chunks: list[bytes] = []       # all of them, for the full parser
        self.plain = mime in ("application/x-ndjson", "text/csv")
        self._newlines = 0
        self._last_byte = 10                # "\n": the body starts a line
        self._first: bytes | None = None    # the first line, once its "\n" has come
        self._line = b""                    # the last complete line
        self._tail: list[bytes] = []        # the line after the last "\n", so far

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.chunks.append(chunk)
        self.size += len(chunk)
        if not self.plain:
            return
        if ((self._last_byte == 10 and chunk[0] in _WHITESPACE) or b"\r" in chunk
                or _BLANK_AFTER_NEWLINE.search(chunk) or (self.mime == "text/csv" and b'"' in chunk)):
            self.plain = False
            return
        self._last_byte = chunk[-1]
        end = chunk.rfind(b"\n")
        if end < 0:
            self._tail.append(chunk)
            return
        self._newlines += chunk.count(b"\n")
        if self._first is None:
            self._first = b"".join(self._tail) + chunk[: chunk.find(b"\n")]
        start = chunk.rfind(b"\n", 0, end) + 1  # 0: the line began in an earlier piece
        self._line = (b"".join(self._tail) if start == 0 else b"") + chunk[start:end]
        self._tail = [chunk[end + 1:]]

    def finish(self, delimiter: str = ",", headerless: bool = False) -> int:
        """The number of events; BadEvent as the full parser would raise it."""
        if not self.size:
            return 0
        if not self.plain:
            data = b"".join(self.chunks)
            if self.mime == "text/csv":
                return len(parse_csv(data, delimiter, ["f"] if headerless else None))
            if self.mime == "application/x-ndjson":
                return len(parse_ndjson(data))
            return len(parse_json(data))
        ends_with_newline = self._last_byte == 10
        n = self._newlines + (0 if ends_with_newline else 1)
        if self.mime == "text/csv":
            return n if headerless else n - 1
        tail = b"".join(self._tail)
        first = tail if self._first is None else self._first
        last = self._line if ends_with_newline else tail
        for index, line in ((0, first), (n - 1, last)):
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                raise BadEvent(index, _syntax(line, e)) from None
            if type(value) is not dict:
                raise BadEvent(index, _found(value))
        return n


def fast_count(data: bytes, mime: str, delimiter: str = ",", headerless: bool = False) -> int:
    """The number of events in a whole body, checked cheaply (see `_FastCounter`)."""
    counter = _FastCounter(mime)
    counter.feed(data)
    return counter.finish(delimiter, headerless)


def decompress(body: bytes, encoding: str | None, cap: int) -> bytes:
    """The uncompressed body; ApiError 413 past `cap`, 400 when it does not decompress, 415 for
    an encoding other than gzip and zstd."""
    inflater = _Inflater(encoding, cap)
    data = inflater.feed(body)
    inflater.close()
    return data


class _Inflater:
    """`decompress` piece by piece, for the `fast` mode: `feed` each received piece (returns what
    it decompresses to), then `close`. Same errors, but a corrupt deflate stream is a 400 too.
    Past `cap` uncompressed bytes it stops with a 413 while decompressing: a few KB of zstd can
    stand for gigabytes, so zstd output is taken 128 KB at a time (gzip's ratio is at most ~1000:1)."""

    def __init__(self, encoding: str | None, cap: int = HARD_BODY_CAP):
        if encoding not in (None, "", "identity", "gzip", "x-gzip", "zstd"):
            raise ApiError(415, f"unsupported content encoding {encoding!r}: use gzip or zstd")
        self.encoding = encoding
        self.cap = cap
        self.size = 0             # uncompressed bytes so far
        self._out: list[bytes] = []
        # the decompressor writes its output to self.write, across frames
        self._zstd = zstandard.ZstdDecompressor().stream_writer(self, write_return_read=True) \
            if encoding == "zstd" else None
        self._gzip = encoding in ("gzip", "x-gzip")
        self._member: Any = None  # gzip: the current member's decompressor
        self._members = 0
        self._head = b""          # gzip: a new member's first byte, until its magic can be checked

    def write(self, data: bytes) -> int:
        """zstd's output, a chunk at a time."""
        self._grow(len(data))
        self._out.append(bytes(data))
        return len(data)

    def _grow(self, n: int) -> None:
        self.size += n
        if self.size > self.cap:
            raise ApiError(413, "request entity too large")

    def feed(self, piece: bytes) -> bytes:
        try:
            if self._zstd is not None:
                self._zstd.write(piece)
                out, self._out = b"".join(self._out), []
                return out
            if self._gzip:
                return self._gunzip(piece)
            self._grow(len(piece))
            return piece
        except (OSError, EOFError, zlib.error, zstandard.ZstdError) as e:
            raise ApiError(400, f"failed to decompress the {self.encoding} body: {e}") from None

    def close(self) -> None:
        """The body ended: 400 when it ends inside a gzip member (a cut zstd frame is accepted,
        as `decompress` does)."""
        if self._member is not None:
            error = "Compressed file ended before the end-of-stream marker was reached"
        elif self._head:
            error = f"Not a gzipped file ({self._head!r})"
        else:
            return
        raise ApiError(400, f"failed to decompress the {self.encoding} body: {error}")

    def _gunzip(self, data: bytes) -> bytes:
        out = []
        while data:
            if self._member is None:  # a new member (zero padding after one is skipped, as GzipFile does)
                if self._members and not self._head:
                    data = data.lstrip(b"\0")
                self._head += data
                if len(self._head) < 2:
                    break
                if self._head[:2] != b"\x1f\x8b":
                    raise OSError(f"Not a gzipped file ({self._head[:2]!r})")
                data, self._head = self._head, b""
                self._member = zlib.decompressobj(wbits=31)
                self._members += 1
            out.append(self._member.decompress(data))
            self._grow(len(out[-1]))
            if not self._member.eof:
                break
            data, self._member = self._member.unused_data, None
        return b"".join(out)


# ---------------------------------------------------------------- events

def _clean(value: Any, depth: int) -> Any:
    """Apply the value limits to something inside an event (depth of the containing object)."""
    if isinstance(value, str):
        if len(value) > MAX_VALUE_BYTES // 4 and len(value.encode("utf-8", "surrogatepass")) > MAX_VALUE_BYTES:
            return TOO_LONG
        return value
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return None
        for k, v in value.items():
            if isinstance(v, (str, dict, list)):
                value[k] = _clean(v, depth + 1)
        return value
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return None
        for i, v in enumerate(value):
            if isinstance(v, (str, dict, list)):
                value[i] = _clean(v, depth + 1)
        return value
    return value


def _flatten_names(event: dict, prefix: str, names: set[str]) -> None:
    for k, v in event.items():
        if isinstance(v, dict) and v:
            _flatten_names(v, f"{prefix}{k}.", names)
        else:
            names.add(prefix + k)


def _sanitize(obj: dict, depth: int, prefix: str, names: set[str]) -> None:
    """`_clean` plus `_flatten_names` in one walk (the hot path of every stored event)."""
    for k, v in obj.items():
        kind = type(v)
        if kind is dict:
            if depth + 1 >= MAX_DEPTH:
                obj[k] = None
                names.add(prefix + k)
            elif v:
                _sanitize(v, depth + 1, f"{prefix}{k}.", names)
            else:
                names.add(prefix + k)
        else:
            names.add(prefix + k)
            if kind is str or kind is list:
                obj[k] = _clean(v, depth + 1)


def prepare_event(event: dict, *, labels: dict | None, timestamp_field: str, layout: str | None,
                  ingest_ns: int, names: set[str] | None = None) -> tuple[dict, int]:
    """The event as stored (with `_time` first, `_sysTime` second) and its time in ns;
    `names` receives its flattened field names (without `_time`/`_sysTime`)."""
    if labels:
        event.update(labels)
    for name in RESERVED_FIELDS:
        if name in event:
            event["_user_" + name] = event.pop(name)
    ts: int | None = None
    if timestamp_field in event:
        ts = parse_time(event[timestamp_field], layout)
        if ts is not None and timestamp_field != "_time":
            del event[timestamp_field]
    if ts is None and timestamp_field != "_time" and "_time" in event:
        ts = parse_time(event["_time"])
    event.pop("_time", None)
    if ts is None:
        ts = ingest_ns
    _sanitize(event, 0, "", names if names is not None else set())
    stored = {"_time": format_time(ts), "_sysTime": format_time(ingest_ns)}
    stored.update(event)
    return stored, ts


# ---------------------------------------------------------------- the server

class _Log(list):
    """`requests_log` works both as a property and as a call (`sb.requests_log()`)."""

    def __call__(self) -> "_Log":
        return self


class Sandbox:
    """A local Axiom: `Sandbox(tmp).start()` or `with Sandbox(tmp) as sb:` then `sb.url`, `sb.token`."""

    def __init__(self, data_dir: Path | str | None = None, *, token: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, org_id: str = "sandbox-org",
                 personal_token: str | None = None, auto_create: bool = True,
                 ingest_only: bool = False, faults: Faults | None = None,
                 ingest_limit_bytes: int = DEFAULT_INGEST_LIMIT, fast: bool = False):
        self.data_dir = Path(data_dir) if data_dir is not None else config.sandbox_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.token = token or "xaat-sandbox-" + secrets.token_hex(16)
        self.personal_token = personal_token or "xapt-sandbox-" + secrets.token_hex(16)
        self.host = host
        self.port = port
        self.org_id = org_id
        self.auto_create = auto_create    # unknown dataset on ingest: create it (True) or 404
        self.ingest_only = ingest_only    # the API token may only ingest (403 on /v2/datasets)
        # Benchmarks: validate cheaply (body decompresses, events counted, first/last checked as
        # JSON objects by orjson), store nothing and lift the per-request event cap, so the
        # server is never what is measured.
        self.fast = fast
        self.faults = faults or Faults()
        self.ingest_limit_bytes = ingest_limit_bytes
        self.url = ""
        self._lock = threading.RLock()    # storage, metadata, counters, request log
        self._requests: list[dict] = []
        self._fields: dict[str, set[str]] = {}
        self._meta: dict[str, dict] | None = None
        self._window = (0, 0)             # (minute start epoch s, requests in it)
        self._ingested_bytes = 0          # this month, for X-IngestLimit-Remaining
        self._month = self._month_key(time.time())
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None

    # ---- lifecycle

    def start(self) -> "Sandbox":
        """Serve in a background thread; returns once the port listens (errors re-raised here)."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as e:  # noqa: BLE001 — handed to the starting thread
                failure.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="axiom-sandbox", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=HARD_BODY_CAP)
        app.router.add_post("/v1/ingest/{dataset}", self._edge_ingest)
        app.router.add_post("/v1/datasets/{dataset}/ingest", self._legacy_ingest)
        app.router.add_get("/v2/datasets", self._list_datasets)
        app.router.add_post("/v2/datasets", self._create_dataset)
        app.router.add_get("/v2/datasets/{dataset}", self._get_dataset)
        app.router.add_get("/v2/user", self._user)
        app.router.add_get("/_sandbox/faults", self._get_faults)
        app.router.add_post("/_sandbox/faults", self._set_faults)
        app.router.add_get("/_sandbox/requests", self._get_requests)
        app.router.add_post("/_sandbox/reset", self._reset)
        self._runner = web.AppRunner(app, access_log=None, auto_decompress=False,
                                     handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{self.port}"

    def stop(self) -> None:
        """Close the listener, let in-flight requests finish (1 s at most), end the thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        if self._runner is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(timeout=10)
            except Exception:  # noqa: BLE001 — stopping must not fail
                log.exception("sandbox: cleanup failed")
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = self._loop = self._runner = None

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> "Sandbox":
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    # ---- what tests look at

    def events(self, dataset: str) -> list[dict]:
        """What is stored in `dataset` (empty when nothing is)."""
        path = self._path(dataset)
        with self._lock:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                return []
        return [orjson.loads(line) for line in data.splitlines() if line.strip()]

    def datasets(self) -> list[str]:
        with self._lock:
            return sorted(self._load_metadata())

    def create_dataset(self, name: str, description: str = "") -> dict:
        """Create a dataset directly (tests that start with auto_create=False)."""
        with self._lock:
            return self._create(name, description, EVENT_KIND, who="sandbox")

    @property
    def requests_log(self) -> _Log:
        """Per request: method, path, status, dataset, events, stored, failed, bytes,
        processed_bytes, content_type, content_encoding, query, headers (names only), fault."""
        with self._lock:
            return _Log(dict(r) for r in self._requests)

    def reset(self) -> None:
        """Clear faults, stored events, datasets, counters and the request log."""
        self.faults.clear()
        with self._lock:
            for path in self.data_dir.glob("*.ndjson"):
                path.unlink(missing_ok=True)
            (self.data_dir / METADATA_FILE).unlink(missing_ok=True)
            self._requests.clear()
            self._fields.clear()
            self._meta = None
            self._window = (0, 0)
            self._ingested_bytes = 0

    # ---- storage

    def _path(self, dataset: str) -> Path:
        if not DATASET_NAME_RE.fullmatch(dataset) or dataset in (".", ".."):
            raise ApiError(400, f"invalid dataset name {dataset!r}")
        return self.data_dir / f"{dataset}.ndjson"

    def _load_metadata(self) -> dict[str, dict]:
        """Known datasets (cached; the caller holds the lock). Files without metadata count too."""
        if self._meta is not None:
            return self._meta
        try:
            meta = json.loads((self.data_dir / METADATA_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            meta = {}
        for path in self.data_dir.glob("*.ndjson"):
            name = path.name[: -len(".ndjson")]
            if name not in meta and DATASET_NAME_RE.fullmatch(name):
                created = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
                meta[name] = {"description": "", "kind": EVENT_KIND, "who": "sandbox",
                              "created": format_time(datetime_ns(created.replace(microsecond=0)))}
        self._meta = meta
        return meta

    def _create(self, name: str, description: str, kind: str, who: str) -> dict:
        if not isinstance(name, str) or not DATASET_NAME_RE.fullmatch(name) or name in (".", ".."):
            raise ApiError(400, "invalid dataset name: use 1 to 128 letters, digits, '-', '_' or '.'")
        meta = self._load_metadata()
        if name in meta:
            raise ApiError(409, f"dataset {name!r} exists")
        meta[name] = {"description": description, "kind": kind, "who": who,
                      "created": format_time(time.time_ns() // 10**9 * 10**9)}
        tmp = self.data_dir / (METADATA_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, indent=1), "utf-8")
        tmp.replace(self.data_dir / METADATA_FILE)  # never half a file
        self._path(name).touch()
        return self._dataset_json(name, meta[name])

    @staticmethod
    def _dataset_json(name: str, meta: dict) -> dict:
        return {"id": name, "name": name, "description": meta.get("description", ""),
                "who": meta.get("who", "sandbox"), "created": meta.get("created"),
                "kind": meta.get("kind", EVENT_KIND), "edgeDeployment": "local", "canWrite": True}

    def _dataset_fields(self, dataset: str) -> set[str]:
        known = self._fields.get(dataset)
        if known is None:
            known = set()
            for event in self.events(dataset):
                _flatten_names(event, "", known)
            known -= {"_time", "_sysTime"}
            self._fields[dataset] = known
        return known

    def _store(self, dataset: str, events: list[dict], *, labels: dict | None, timestamp_field: str,
               layout: str | None) -> tuple[int, list[dict]]:
        """Prepare, check and append the events; returns (stored, failures). Runs on the loop
        thread without awaiting, so concurrent requests never interleave inside a dataset."""
        ingest_ns = time.time_ns()
        reject = self.faults.reject_field
        max_fields = self.faults.max_fields
        lines: list[bytes] = []
        failures: list[dict] = []
        with self._lock:
            known = self._dataset_fields(dataset)
            for raw in events:
                names: set[str] = set()
                event, ts = prepare_event(raw, labels=labels, timestamp_field=timestamp_field,
                                          layout=layout, ingest_ns=ingest_ns, names=names)
                error = None
                long_name = next((part for n in names for part in n.split(".")
                                  if len(part.encode("utf-8")) > MAX_FIELD_NAME_BYTES), None)
                if reject and (reject in event or reject in names):
                    error = f"rejected by sandbox: field {reject} is not allowed"
                elif long_name is not None:
                    error = (f"field name too long: {len(long_name.encode('utf-8'))} bytes "
                             f"(limit {MAX_FIELD_NAME_BYTES}): {long_name[:40]}…")
                else:
                    new = names - known
                    if new and len(known) + len(new) > max_fields:
                        error = (f"too many fields: the event would bring the dataset to "
                                 f"{len(known) + len(new)} fields (limit {max_fields})")
                if error:
                    failures.append({"timestamp": format_time(ts), "error": error})
                    continue
                known |= names
                lines.append(orjson.dumps(event))
            if lines:
                with open(self._path(dataset), "ab") as f:
                    f.write(b"\n".join(lines) + b"\n")
                    f.flush()
        return len(lines), failures

    # ---- limits and headers

    @staticmethod
    def _month_key(now: float) -> tuple[int, int]:
        t = time.gmtime(now)
        return t.tm_year, t.tm_mon

    def _count_request(self, now: float) -> tuple[int, int, int, bool]:
        """(limit, remaining, reset, over) for the current one-minute window."""
        limit = self.faults.rate_limit_per_minute
        minute = int(now) // 60 * 60
        with self._lock:
            start, count = self._window
            count = count + 1 if start == minute else 1
            self._window = (minute, count)
        return limit, max(0, limit - count), minute + 60, count > limit

    def _ingest_headers(self, now: float) -> dict[str, str]:
        with self._lock:
            month = self._month_key(now)
            if month != self._month:
                self._month, self._ingested_bytes = month, 0
            used = self._ingested_bytes
        year, mon = self._month
        reset = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=timezone.utc)
        return {"X-IngestLimit-Limit": str(self.ingest_limit_bytes),
                "X-IngestLimit-Remaining": str(max(0, self.ingest_limit_bytes - used)),
                "X-IngestLimit-Reset": str(int(reset.timestamp()))}

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_sandbox/"):
            try:
                return await handler(request)
            except ApiError as e:
                return _error_response(e.status, e.message)
            except web.HTTPException as e:
                return _error_response(e.status, _REASONS.get(e.status, e.reason))
        now = time.time()
        entry: dict[str, Any] = {
            "time": now, "method": request.method, "path": request.path, "status": None,
            "dataset": request.match_info.get("dataset"), "events": 0, "stored": 0, "failed": 0,
            "bytes": 0, "processed_bytes": 0, "content_type": request.headers.get("Content-Type"),
            "content_encoding": request.headers.get("Content-Encoding"), "query": dict(request.query),
            "headers": sorted(h.lower() for h in request.headers.keys()), "fault": None,
        }
        request[_ENTRY] = entry
        limit, remaining, reset, over = self._count_request(now)
        headers = {"X-RateLimit-Scope": "organization", "X-RateLimit-Limit": str(limit),
                   "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset),
                   "X-Axiom-Trace-Id": secrets.token_hex(16)}
        entry["trace_id"] = headers["X-Axiom-Trace-Id"]
        error_headers: dict[str, str] = {}
        try:
            if over:
                raise ApiError(429, "rate limit exceeded", {"X-RateLimit-Remaining": "0"})
            response = await handler(request)
        except _HtmlError as e:
            response = web.Response(status=e.status, text=e.message, content_type="text/html")
        except ApiError as e:
            response = _error_response(e.status, e.message)
            error_headers = e.headers
        except web.HTTPException as e:
            response = _error_response(e.status, _REASONS.get(e.status, e.reason or "error"))
        except _Dropped:  # the transport is aborted: aiohttp's write of this fails quietly
            self._log(entry)
            return web.Response()
        if request.get(_INGEST):
            headers.update(self._ingest_headers(now))
        headers.update(error_headers)
        response.headers.update(headers)
        if (delay := self.faults.delay) > 0:
            await asyncio.sleep(delay)
        entry["status"] = response.status
        self._log(entry)
        log.debug("sandbox %s %s -> %s", request.method, request.path, response.status)
        return response

    def _log(self, entry: dict) -> None:
        with self._lock:
            self._requests.append(entry)

    # ---- auth

    def _auth(self, request: web.Request) -> str:
        """"api" or "personal"; ApiError 401 otherwise. Constant-time compare, nothing logged."""
        value = request.headers.get("Authorization", "")
        scheme, _, given = value.partition(" ")
        if scheme.lower() == "bearer" and given.strip():
            given_b = given.strip().encode()
            if hmac.compare_digest(given_b, self.token.encode()):
                return "api"
            if hmac.compare_digest(given_b, self.personal_token.encode()):
                return "personal"
        raise ApiError(401, "invalid token")

    def _check_org(self, request: web.Request) -> None:
        org = request.headers.get("X-Axiom-Org-Id")
        if not org:
            raise ApiError(403, "missing X-Axiom-Org-Id: a personal access token needs the organization ID")
        if org != self.org_id:
            raise ApiError(403, "forbidden: this token has no access to that organization (X-Axiom-Org-Id)")

    def _auth_api(self, request: web.Request) -> str:
        """Auth for /v2 calls: PAT + org id, or an API token that may do more than ingest."""
        kind = self._auth(request)
        if kind == "personal":
            self._check_org(request)
        elif self.ingest_only:
            raise ApiError(403, "forbidden: this API token may only ingest data")
        return kind

    # ---- ingest

    async def _edge_ingest(self, request: web.Request) -> web.StreamResponse:
        return await self._ingest(request, edge=True)

    async def _legacy_ingest(self, request: web.Request) -> web.StreamResponse:
        return await self._ingest(request, edge=False)

    def _abort(self, request: web.Request) -> None:
        if request.transport is not None:
            request.transport.abort()
        raise _Dropped()

    async def _ingest(self, request: web.Request, *, edge: bool) -> web.StreamResponse:
        request[_INGEST] = True
        entry = request[_ENTRY]
        dataset = request.match_info["dataset"]
        fault = self.faults.pop_script()
        entry["fault"] = fault
        if fault:
            await self._scripted_fault(request, fault)
        kind = self._auth(request)
        if kind == "personal":
            if edge:
                raise ApiError(403, "edge ingest (/v1/ingest/{dataset}) needs an API token (xaat-…); "
                                    "personal access tokens work on /v1/datasets/{dataset}/ingest")
            self._check_org(request)
        with self._lock:
            exists = dataset in self._load_metadata()
        if not exists and not self.auto_create:
            raise ApiError(404, "dataset not found")
        if not exists and (not DATASET_NAME_RE.fullmatch(dataset) or dataset in (".", "..")):
            raise ApiError(400, "invalid dataset name: use 1 to 128 letters, digits, '-', '_' or '.'")

        labels = self._labels(request)
        mime = request.content_type.lower()
        if mime not in CONTENT_TYPES:
            raise ApiError(415, f"unsupported content type {mime!r}: use application/json, "
                                "application/x-ndjson or text/csv")
        if self.fast:
            return await self._fast_ingest(request, mime)
        body = await request.read()
        entry["bytes"] = len(body)
        cap = self.faults.max_body_bytes or HARD_BODY_CAP
        data = decompress(body, request.headers.get("Content-Encoding", "").strip().lower() or None, cap)
        entry["processed_bytes"] = len(data)
        with self._lock:
            if self._ingested_bytes >= self.ingest_limit_bytes:
                raise ApiError(430, "monthly ingest limit reached", {"X-IngestLimit-Remaining": "0"})

        try:
            if mime == "text/csv":
                events = parse_csv(data, self._delimiter(request), self._csv_fields(request))
            elif mime == "application/x-ndjson":
                events = parse_ndjson(data)
            else:
                events = parse_json(data)
        except BadEvent as e:
            raise ApiError(400, str(e)) from None
        entry["events"] = len(events)
        if len(events) > MAX_EVENTS:
            raise ApiError(400, f"too many events: {len(events)} (max {MAX_EVENTS})")

        if fault and fault.startswith("slow="):
            await asyncio.sleep(float(fault.split("=", 1)[1]))
        with self._lock:  # auto_create: only a request that gets this far creates the dataset
            if dataset not in self._load_metadata():
                self._create(dataset, "", EVENT_KIND, who="ingest")
        layout = request.query.get("timestamp-format") or None
        stored, failures = self._store(dataset, events, labels=labels, layout=layout,
                                       timestamp_field=request.query.get("timestamp-field") or "_time")
        with self._lock:
            self._ingested_bytes += len(data)
        entry["stored"], entry["failed"] = stored, len(failures)
        if fault == "drop-response":
            self._abort(request)
        return _json_response(200, {"ingested": stored, "failed": len(failures), "failures": failures,
                                    "processedBytes": len(data), "blocksCreated": 0, "walLength": stored})

    async def _fast_ingest(self, request: web.Request, mime: str) -> web.StreamResponse:
        """The `fast` ingest: the body is decompressed and counted while it arrives, with the same
        answers and checks as `_ingest` (whose order they keep); errors are answered once the
        whole body is received, as there."""
        entry = request[_ENTRY]
        cap = self.faults.max_body_bytes or HARD_BODY_CAP
        counter = _FastCounter(mime)
        error: ApiError | None = None
        try:
            inflater = _Inflater(request.headers.get("Content-Encoding", "").strip().lower() or None, cap)
        except ApiError as e:
            error = e
        received = 0
        async for piece in request.content.iter_any():
            received += len(piece)
            if received >= request.client_max_size:  # as request.read() does
                raise ApiError(413, "request entity too large")
            if error is None:
                try:
                    counter.feed(inflater.feed(piece))  # 413 past the cap, from the inflater
                except ApiError as e:
                    error = e  # the rest is read, so the client sees the answer
        entry["bytes"] = received
        if error is not None:
            raise error
        inflater.close()
        size = counter.size
        entry["processed_bytes"] = size
        with self._lock:
            if self._ingested_bytes >= self.ingest_limit_bytes:
                raise ApiError(430, "monthly ingest limit reached", {"X-IngestLimit-Remaining": "0"})
        try:
            count = counter.finish(self._delimiter(request), self._csv_fields(request) is not None)
        except BadEvent as e:
            raise ApiError(400, str(e)) from None
        # No 10,000-event cap here: the tools compared with Axiom Drop in the benchmarks send a
        # whole file as one request, and that must be measured, not refused.
        entry["events"] = entry["stored"] = count
        with self._lock:
            self._ingested_bytes += size
        return _json_response(200, {"ingested": count, "failed": 0, "failures": [],
                                    "processedBytes": size, "blocksCreated": 0, "walLength": count})

    async def _scripted_fault(self, request: web.Request, fault: str) -> None:
        """Answer (or drop) as the script says; returns for faults that act later."""
        if not _SCRIPT_RE.fullmatch(fault):
            raise ApiError(500, f"sandbox: unknown scripted fault {fault!r}")
        if fault == "drop-request":
            self._abort(request)
        if fault in ("drop-response",) or fault.startswith("slow="):
            return
        body = await request.read()  # read first, so the client sees the answer, not a reset
        request[_ENTRY]["bytes"] = len(body)
        now = time.time()
        if fault == "html-500":
            html = "<html><head><title>500 Internal Server Error</title></head><body>" \
                   "<h1>500 Internal Server Error</h1><hr><center>nginx</center></body></html>"
            raise _HtmlError(html)
        status = int(fault[:3])
        if status == 429:
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(math.floor(now) + 2)}
            if fault.startswith("429:retry-after="):
                headers = {"X-RateLimit-Remaining": "0", "Retry-After": fault.split("=", 1)[1]}
            elif fault.startswith("429:reset="):
                headers["X-RateLimit-Reset"] = str(math.ceil(now + int(fault.split("=", 1)[1])))
            raise ApiError(429, "rate limit exceeded", headers)
        if status == 430:
            raise ApiError(430, "monthly ingest limit reached", {"X-IngestLimit-Remaining": "0"})
        raise ApiError(status, _REASONS.get(status, "error"))

    @staticmethod
    def _labels(request: web.Request) -> dict | None:
        raw = request.headers.get("X-Axiom-Event-Labels")
        if raw is None:
            return None
        try:
            labels = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise ApiError(400, f"invalid X-Axiom-Event-Labels header: {e}") from None
        if type(labels) is not dict:
            raise ApiError(400, "invalid X-Axiom-Event-Labels header: it must be a JSON object")
        return labels

    @staticmethod
    def _delimiter(request: web.Request) -> str:
        value = request.query.get("csv-delimiter", ",")
        value = {"\\t": "\t", "tab": "\t"}.get(value, value)
        if len(value) != 1 or value in "\r\n\"":
            raise ApiError(400, f"invalid csv-delimiter {value!r}: use a single character")
        return value

    @staticmethod
    def _csv_fields(request: web.Request) -> list[str] | None:
        raw = request.headers.get("X-Axiom-CSV-Fields")
        if raw is None:
            return None
        fields = [f.strip() for f in raw.split(",")]
        if not any(fields):
            raise ApiError(400, "invalid X-Axiom-CSV-Fields header: no field names")
        return fields

    # ---- API endpoints

    async def _list_datasets(self, request: web.Request) -> web.Response:
        self._auth_api(request)
        with self._lock:
            meta = dict(self._load_metadata())
        return _json_response(200, [self._dataset_json(n, meta[n]) for n in sorted(meta)])

    async def _get_dataset(self, request: web.Request) -> web.Response:
        self._auth_api(request)
        name = request.match_info["dataset"]
        with self._lock:
            meta = dict(self._load_metadata())
        if name not in meta:
            raise ApiError(404, "dataset not found")
        return _json_response(200, self._dataset_json(name, meta[name]))

    async def _create_dataset(self, request: web.Request) -> web.Response:
        self._auth_api(request)
        body = await _json_object(request, "the body must be a JSON object with a name")
        description = body.get("description") or ""
        kind = body.get("kind") or EVENT_KIND
        if not isinstance(description, str) or not isinstance(kind, str):
            raise ApiError(400, "description and kind must be strings")
        with self._lock:
            created = self._create(body.get("name"), description, kind, who="sandbox-user")
        return _json_response(200, created)

    async def _user(self, request: web.Request) -> web.Response:
        if self._auth(request) != "personal":
            raise ApiError(403, "forbidden: /v2/user needs a personal access token (xapt-…)")
        return _json_response(200, {"id": "sandbox-user", "name": "Sandbox User",
                                    "email": "sandbox@localhost", "role": {"id": "owner", "name": "Owner"}})

    # ---- sandbox control

    async def _get_faults(self, request: web.Request) -> web.Response:
        self._auth(request)
        return _json_response(200, self.faults.to_json())

    async def _set_faults(self, request: web.Request) -> web.Response:
        self._auth(request)
        body = await _json_object(request, "the body must be a JSON object of fault settings")
        try:
            self.faults.update(body)
        except ValueError as e:
            raise ApiError(400, str(e)) from None
        return _json_response(200, self.faults.to_json())

    async def _get_requests(self, request: web.Request) -> web.Response:
        self._auth(request)
        return _json_response(200, list(self.requests_log))

    async def _reset(self, request: web.Request) -> web.Response:
        self._auth(request)
        self.reset()
        return _json_response(200, {"message": "reset"})


class _HtmlError(ApiError):
    def __init__(self, html: str):
        super().__init__(500, html)


# ---------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    """`sandbox [--port N] [--token T] [--data-dir D]`: serve until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(prog="axiom-drop sandbox", description="A local stand-in for Axiom's ingest API.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--token", help="API token to accept (default: a new random one)")
    parser.add_argument("--data-dir", type=Path, help="where to store events (default: the app's sandbox dir)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; benchmarks use a test namespace's address)")
    parser.add_argument("--fast", action="store_true",
                        help="benchmarks: count and spot-check events, store nothing")
    parser.add_argument("--delay", type=float, default=0.0, help="hold every response this many seconds")
    args = parser.parse_args(argv)
    sandbox = Sandbox(args.data_dir, token=args.token, port=args.port, host=args.host, fast=args.fast,
                      faults=Faults(delay=args.delay))
    try:
        sandbox.start()
    except OSError as e:
        print(f"cannot start the sandbox: {e}")
        return 1
    stop = threading.Event()
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
        except ValueError:  # not the main thread
            pass
    print(f"Axiom sandbox listening on {sandbox.url}", flush=True)
    print(f"token: {sandbox.token}", flush=True)
    print(f"data: {sandbox.data_dir}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
