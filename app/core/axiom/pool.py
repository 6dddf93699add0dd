"""The HTTP connection pool's size: as many connections as the uploads keep requests in flight.

A request that finds every connection busy waits inside httpcore, and the job's in-flight probe
(tuning.InFlight) timed that wait as if it were the server's; each waiting request is also woken
whenever a connection frees up, and all but one go back to waiting. The pool held 8 connections
while one job may keep 16 requests in flight and the queue runs three jobs. So it holds every
request the queue's uploads may keep in flight at once, plus a few for the API calls beside
them; connections open only when a request needs one. (The check of an idle connection before
it is reused is plain_asyncio's `is_readable`.)
"""

from __future__ import annotations

from app.core import tuning

UPLOADS_AT_ONCE = 3  # the queue's (core/queue.MAX_CONCURRENT; tests/core/axiom/test_pool.py ties them)
CONNECTIONS = UPLOADS_AT_ONCE * tuning.MAX_IN_FLIGHT + 4
