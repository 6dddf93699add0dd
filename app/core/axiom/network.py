"""What a failed exchange means: whether the whole request had reached the server (so its events
may be stored), the sentence that says what broke, and how long one request may take in all."""

from __future__ import annotations

import httpx

from app.core.axiom.responses import scrub

# The least rate a request body is expected to move at (a slow link, 256 kbit/s): the deadline
# of one request grows by the time its body takes at this rate.
MIN_BODY_RATE = 32 * 1024


def deadline(connect_timeout: float, read_timeout: float, body_bytes: int) -> float:
    """Seconds one request may take in all, answer included: each phase's own allowance added up
    (the connection, the body at MIN_BODY_RATE, the read timeout for the server to answer).
    httpx applies its timeouts to each read alone, so a server trickling its answer a byte at a
    time would trip none of them; past this deadline the request counts as unanswered."""
    return connect_timeout + body_bytes / MIN_BODY_RATE + read_timeout


def maybe_sent(exc: BaseException, body_sent: bool | None) -> bool:
    """Could the server have received (and stored) the whole request?

    Connect errors and pool timeouts happen before anything is written; a failed write means
    the body never arrived whole. A read timeout, a dropped connection or the request's deadline
    while waiting for the answer come after the last byte left: the server may well have stored
    the events. The transport's trace tells us precisely when the body was written; the exception
    type is the fallback when it is silent."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)):
        return False
    if body_sent is not None:
        return body_sent
    # No trace: a failure while reading the answer means the body had been written; for
    # anything unknown, assume it may have been stored (report a possible duplicate rather
    # than silently lose or double events).
    return True


def transport_message(exc: BaseException, url: httpx.URL, sent: bool, token: str, seconds: float) -> str:
    """What broke, for a person: `exc` an httpx error, or TimeoutError when the request ran past
    its deadline of `seconds`."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    where = f"{url.scheme}://{host}" + (f":{url.port}" if url.port else "")
    what = scrub(str(exc), token).strip().rstrip(".")
    what = f": {what}" if what and what != type(exc).__name__ else f" ({type(exc).__name__})"
    if isinstance(exc, TimeoutError):
        text = f"the answer from {where} did not arrive whole within {seconds:.0f} s (it came too slowly)"
    elif isinstance(exc, httpx.ConnectTimeout):
        text = f"could not connect to {where} (timed out)"
    elif isinstance(exc, httpx.ConnectError):
        text = f"could not connect to {where}{what}"
    elif isinstance(exc, httpx.ReadTimeout):
        text = f"no answer from {where} in time (read timeout)"
    elif isinstance(exc, httpx.WriteTimeout):
        text = f"sending to {where} timed out"
    elif isinstance(exc, httpx.PoolTimeout):
        text = f"no free connection to {where} in time"
    elif isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        text = f"the connection to {where} broke{what}"
    else:
        text = f"network error talking to {where}: {type(exc).__name__}{what}"
    if sent:
        text += "; the request was sent, so its events may have been stored"
    elif not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        text += "; the request did not reach the server whole, so nothing of it was stored"
    return text
