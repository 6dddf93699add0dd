"""The two quotas Axiom announces in headers: requests per minute (X-RateLimit-*, on every
answer; over it is a 429) and ingested bytes per month (X-IngestLimit-*, on ingest answers;
over it is a 430)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from aiohttp import web

from app.sandbox.errors import ApiError

INGESTING = web.RequestKey("ingesting", bool)  # set by the ingest handler: X-IngestLimit-* apply


def _month_key(now: float) -> tuple[int, int]:
    t = time.gmtime(now)
    return t.tm_year, t.tm_mon


class Quotas:
    """The counters behind both quotas; the limits are given per call, as tests change them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = (0, 0)             # (minute start epoch s, requests in it)
        self._ingested_bytes = 0          # this month
        self._month = _month_key(time.time())

    def count_request(self, now: float, limit: int) -> tuple[int, int, bool]:
        """(remaining, reset, over) for the current one-minute window, this request counted."""
        minute = int(now) // 60 * 60
        with self._lock:
            start, count = self._window
            count = count + 1 if start == minute else 1
            self._window = (minute, count)
        return max(0, limit - count), minute + 60, count > limit

    def check_ingest(self, limit_bytes: int) -> None:
        """ApiError 430 once this month's ingested bytes reached `limit_bytes`."""
        with self._lock:
            if self._ingested_bytes >= limit_bytes:
                raise ApiError(430, "monthly ingest limit reached", {"X-IngestLimit-Remaining": "0"})

    def add_ingested(self, size: int) -> None:
        with self._lock:
            self._ingested_bytes += size

    def ingest_headers(self, now: float, limit_bytes: int) -> dict[str, str]:
        """X-IngestLimit-* for an ingest answer (a new month starts from zero)."""
        with self._lock:
            month = _month_key(now)
            if month != self._month:
                self._month, self._ingested_bytes = month, 0
            used = self._ingested_bytes
        year, mon = self._month
        reset = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=timezone.utc)
        return {"X-IngestLimit-Limit": str(limit_bytes),
                "X-IngestLimit-Remaining": str(max(0, limit_bytes - used)),
                "X-IngestLimit-Reset": str(int(reset.timestamp()))}

    def clear(self) -> None:
        with self._lock:
            self._window = (0, 0)
            self._ingested_bytes = 0
