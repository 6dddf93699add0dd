"""Failed answers into typed errors: the server's words (JSON, text, an HTML page) made into one
short sentence, without the token, and the status mapped to its AxiomError subclass."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import orjson

from app.core.axiom.errors import (
    AuthError,
    AxiomError,
    BadRequest,
    Conflict,
    ErrorKind,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    kind_for_status,
)
from app.core.axiom.headers import human_seconds, parse_ingest_limit, parse_rate_limit, parse_retry_after, rate_limit_wait

MESSAGE_CHARS = 200  # the longest server text quoted in a message

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)
_INDEX = re.compile(r"\bindex\s+(\d+)", re.I)


def scrub(text: str, token: str) -> str:
    """The text with the token replaced, should a server (or an exception) have quoted it."""
    return text.replace(token, "[token]") if token and token in text else text


def body_message(content: bytes, reason: str) -> tuple[str, Any, Any]:
    """(message, code, parsed JSON or None) from an error body, however odd it is."""
    try:
        data = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        msg = data.get("message") or data.get("error")
        if isinstance(msg, dict):  # {"error": {"message": ...}}
            msg = msg.get("message")
        return (str(msg).strip() if msg else reason), data.get("code"), data
    text = content.decode("utf-8", "replace").strip()
    if text.startswith("<"):
        import html  # only for HTML error pages: not worth loading at start-up

        text = html.unescape(_TAG.sub(" ", text))
    text = " ".join(text.split())
    if len(text) > MESSAGE_CHARS:
        text = text[:MESSAGE_CHARS].rstrip() + "…"
    return (text or reason), None, data


def bad_answer(response: httpx.Response, token: str) -> AxiomError:
    """A success status whose body is not the JSON the API promises."""
    text, _, _ = body_message(response.content, response.reason_phrase)
    return AxiomError(
        f"unexpected answer from the server ({response.status_code}): {scrub(text, token)}",
        kind=ErrorKind.UNEXPECTED,
        status=response.status_code,
        trace_id=response.headers.get("X-Axiom-Trace-Id"),
        rate_limit=parse_rate_limit(response.headers),
    )


def error_for(response: httpx.Response, token: str, *, dataset: str | None, action: str) -> AxiomError:
    """The typed error for a failed answer to `action` ("ingest", "list", "create", "user")."""
    status = response.status_code
    detail, code, _ = body_message(response.content, response.reason_phrase or f"HTTP {status}")
    detail = scrub(detail, token)
    kw: dict[str, Any] = dict(
        status=status,
        code=code,
        trace_id=response.headers.get("X-Axiom-Trace-Id"),
        rate_limit=parse_rate_limit(response.headers),
        ingest_limit=parse_ingest_limit(response.headers),
        detail=detail,
    )
    ds = f"dataset {dataset!r}" if dataset else "the dataset"
    kind = kind_for_status(status)
    if kind is ErrorKind.AUTH:
        return AuthError("the token was refused (401): check it or paste a new one", forbidden=False, **kw)
    if kind is ErrorKind.FORBIDDEN:
        need = {
            "ingest": f"it needs ingest permission on {ds}",
            "list": "it needs permission to list datasets (an ingest-only token can still send: type the dataset name)",
            "get": f"it needs permission to read {ds}",
            "create": "it needs permission to create datasets",
            "user": "reading the user needs a personal access token (xapt-…) with the organization ID",
        }.get(action, "it lacks a permission")
        # Axiom answers 403 for failed authentication too (its docs): a 403 alone never proves the
        # token valid, so the sentence names both readings.
        return AuthError(f"the token was refused or lacks a permission (403): {need}", forbidden=True, **kw)
    if kind is ErrorKind.NOT_FOUND:
        if action == "ingest":
            text = f"{ds} does not exist (404): create it or check the name"
        else:
            text = f"not found (404): {detail}"
        return NotFound(text, **kw)
    if kind is ErrorKind.CONFLICT:
        return Conflict(f"{ds} already exists (409)" if action == "create" else f"conflict (409): {detail}", **kw)
    if kind is ErrorKind.TOO_LARGE:
        return TooLarge(f"the request is too large for the server (413): {detail}", **kw)
    if kind is ErrorKind.BAD_REQUEST:
        m = _INDEX.search(detail)
        return BadRequest(f"the server refused the request (400): {detail}", event_index=int(m.group(1)) if m else None, **kw)
    if kind in (ErrorKind.RATE_LIMITED, ErrorKind.QUOTA):
        now = time.time()
        quota = kind is ErrorKind.QUOTA
        retry_at = parse_retry_after(response.headers.get("Retry-After"), now)
        err = RateLimited("", quota=quota, retry_at=retry_at, **kw)
        err.wait_seconds = rate_limit_wait(err, now)
        wait = human_seconds(err.wait_seconds)
        if quota:
            err.message = f"the monthly ingest limit is reached (430): {detail}; it resets in {wait}"
        else:
            err.message = f"rate limited (429): {detail}; try again in {wait}"
        return err
    if kind is ErrorKind.SERVER:
        return ServerError(f"the server had a problem ({status}): {detail}", **kw)
    return AxiomError(f"the server answered {status}: {detail}", kind=ErrorKind.UNEXPECTED, **kw)

