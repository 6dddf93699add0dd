"""What a failed exchange means: whether the whole request had reached the server (so its events
may be stored), the sentence that says what broke, and how long one request may take in all."""

from __future__ import annotations

import re
import socket
import ssl

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
        text = f"no connection to {host_port(url)}: it did not answer in time — check the network"
    elif isinstance(exc, httpx.ConnectError):
        text = f"no connection to {host_port(url)}: {why_no_connection(exc, what)}"
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


def host_port(url: httpx.URL) -> str:
    """"api.axiom.co", or "127.0.0.1:8080" when a port is given: how a person names the place."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    return host + (f":{url.port}" if url.port else "")


def why_no_connection(exc: BaseException, what: str) -> str:
    """Why a connection could not be made, in words a person can act on (the one home of this
    phrasing: the window's connection state and the CLI both show it). `what` is httpx's own
    text (": …"), kept when the cause is not one of the known ones."""
    chain, cause = [], exc
    while cause is not None and len(chain) < 5:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    words = " ".join(str(c) for c in chain).lower()
    if any(isinstance(c, socket.gaierror) for c in chain) or any(
            k in words for k in ("name or service not known", "name resolution", "nodename nor servname", "getaddrinfo")):
        return "the name could not be resolved — check the network, or the URL"
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in chain) or "certificate_verify_failed" in words:
        detail = re.sub(r"^: \[SSL: [A-Z_]+\] |\s*\(_ssl\.c:\d+\)\.?$", "", what).strip(" .")
        return (f"its certificate could not be verified ({detail or 'certificate verify failed'}) — check the URL; "
                "a proxy on this network may be intercepting")
    if any(isinstance(c, ConnectionRefusedError) for c in chain) or any(
            k in words for k in ("connection refused", "all connection attempts failed")):
        return "nothing answers there (connection refused) — is the server running, and the port right?"
    if "unreachable" in words:
        return "the network is unreachable — check the network"
    return f"the connection could not be made{what}"
