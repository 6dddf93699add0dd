"""The knobs that make the sandbox slow, fail, drop connections or reject events (`Faults`), and
what a scripted fault does to the request it is consumed by.

Scripted faults are consumed by every ingest request before anything else (like a proxy in front
of Axiom); status faults read the body first so the client always sees the answer.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from app.sandbox.errors import REASONS, ApiError, HtmlError, drop_connection

SCRIPT_RE = re.compile(
    r"\d{3}|429:retry-after=\d+(\.\d+)?|429:reset=\d+|drop-request|drop-response|slow=\d+(\.\d+)?|html-500"
)


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
        bad = [s for s in value if not SCRIPT_RE.fullmatch(s)]
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


async def apply_script(request: web.Request, fault: str, entry: dict) -> None:
    """Answer (or drop) as the scripted `fault` says; returns for faults that act later
    (drop-response, slow=). `entry` is the request's log entry (it gets the body's size)."""
    if not SCRIPT_RE.fullmatch(fault):
        raise ApiError(500, f"sandbox: unknown scripted fault {fault!r}")
    if fault == "drop-request":
        drop_connection(request)
    if fault == "drop-response" or fault.startswith("slow="):
        return
    body = await request.read()  # read first, so the client sees the answer, not a reset
    entry["bytes"] = len(body)
    now = time.time()
    if fault == "html-500":
        raise HtmlError("<html><head><title>500 Internal Server Error</title></head><body>"
                        "<h1>500 Internal Server Error</h1><hr><center>nginx</center></body></html>")
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
    raise ApiError(status, REASONS.get(status, "error"))
