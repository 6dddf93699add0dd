"""What the sandbox received, one entry per request (a test's view of the wire): a plain list of
dicts, copied out, so a test may keep or compare it while requests go on."""

from __future__ import annotations

import threading
from typing import Any

from aiohttp import web

ENTRY = web.RequestKey("entry", dict)  # the request's entry, for its handler to fill in


def new_entry(request: web.Request, now: float) -> dict[str, Any]:
    """The entry for `request` (and the port it came in on); its handler fills in events, stored, failed, bytes and fault,
    the middleware status and trace_id. Header names only: values (the token) are never kept."""
    return {
        "time": now, "method": request.method, "path": request.path, "status": None,
        "dataset": request.match_info.get("dataset"), "events": 0, "stored": 0, "failed": 0,
        "bytes": 0, "processed_bytes": 0, "content_type": request.headers.get("Content-Type"),
        "content_encoding": request.headers.get("Content-Encoding"), "query": dict(request.query),
        "headers": sorted(h.lower() for h in request.headers.keys()), "fault": None,
        "port": _local_port(request),  # which listener: the API host's or an edge's (strict mode)
    }


def _local_port(request: web.Request) -> int | None:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return sockname[1] if isinstance(sockname, tuple) and len(sockname) >= 2 else None


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict] = []

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        """A copy of every entry so far, oldest first."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
