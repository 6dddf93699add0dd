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
    DatasetMissing,
    NotFound,
    RateLimited,
    ServerError,
    TooLarge,
    kind_for_status,
)
from app.core.axiom.models import IngestResult
from app.core.axiom.headers import human_seconds, parse_ingest_limit, parse_rate_limit, parse_retry_after, rate_limit_wait

MESSAGE_CHARS = 200  # the longest server text quoted in a message

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)
_INDEX = re.compile(r"\bindex\s+(\d+)", re.I)


def scrub(text: str, token: str) -> str:
    """The text with the token replaced, should a server (or an exception) have quoted it."""
    return text.replace(token, "[token]") if token and token in text else text


def _scrub_json(value: Any, token: str) -> Any:
    if isinstance(value, str):
        return scrub(value, token)
    if isinstance(value, list):
        return [_scrub_json(v, token) for v in value]
    if isinstance(value, dict):
        return {scrub(k, token): _scrub_json(v, token) for k, v in value.items()}
    return value


def _scrub_body(content: bytes, token: str) -> bytes:
    """The body with the token gone in every form a reader of it could decode: as it is, and
    behind JSON \\u escapes or HTML character references."""
    raw = token.encode()
    if b"\\u" in content:
        try:
            return orjson.dumps(_scrub_json(orjson.loads(content), token))
        except orjson.JSONDecodeError:
            pass
    if b"&" in content:
        import html  # only for bodies with character references

        text = content.decode("utf-8", "replace")
        if token in html.unescape(text):
            return scrub(html.unescape(text), token).encode()
    return content.replace(raw, b"[token]")


def scrubbed(response: httpx.Response, token: str) -> httpx.Response:
    """The answer as the rest of the client sees it: the token replaced wherever the server
    could have echoed it (a header value, the reason phrase, the body), so failures, warnings,
    trace ids, error details and dataset fields never carry it. Every answer passes here once,
    as soon as it is read: the one place the client scrubs what a server says."""
    content = _scrub_body(response.content, token)
    reason = scrub(response.reason_phrase, token)
    headers = [(k, scrub(v, token)) for k, v in response.headers.multi_items()]
    if content is response.content and reason == response.reason_phrase and \
            all(v == old for (_, v), (_, old) in zip(headers, response.headers.multi_items())):
        return response
    # The body is decoded already: the copy must not claim an encoding or the old length.
    headers = [(k, v) for k, v in headers if k.lower() not in ("content-encoding", "content-length")]
    return httpx.Response(response.status_code, headers=headers, content=content, request=response.request,
                          extensions={"reason_phrase": reason.encode("ascii", "replace"),
                                      "http_version": response.http_version.encode()})


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


def bad_answer(response: httpx.Response, *, maybe_sent: bool = False) -> AxiomError:
    """A success status whose body is not the JSON the API promises (`response` is scrubbed).
    `maybe_sent`: an ingest whose body reached the server — it may have stored the events."""
    text, _, _ = body_message(response.content, response.reason_phrase)
    return AxiomError(
        f"unexpected answer from the server ({response.status_code}): {text}",
        kind=ErrorKind.UNEXPECTED,
        status=response.status_code,
        trace_id=response.headers.get("X-Axiom-Trace-Id"),
        rate_limit=parse_rate_limit(response.headers),
        maybe_sent=maybe_sent,
    )


def _is_count(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
            and float(value).is_integer())


def _count(value: Any) -> int:
    return int(value) if _is_count(value) else 0


def ingest_result(response: httpx.Response, *, body_sent: bool) -> IngestResult:
    """A 2xx answer to an ingest, read. An answer whose meaning is unknown (not JSON, or not the
    documented object with "ingested" and "failed" counts) says nothing of what was stored: it
    raises bad_answer with `maybe_sent`, and the job resends those events as possible duplicates."""
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not (_is_count(data.get("ingested")) and _is_count(data.get("failed"))):
        raise bad_answer(response, maybe_sent=body_sent)
    failures = data.get("failures")
    warnings = data.get("messages")
    return IngestResult(
        ingested=int(data["ingested"]),
        failed=int(data["failed"]),
        failures=[f for f in failures if isinstance(f, dict)] if isinstance(failures, list) else [],
        processed_bytes=_count(data.get("processedBytes")),
        warnings=[w for w in warnings if isinstance(w, dict)] if isinstance(warnings, list) else [],
        trace_id=response.headers.get("X-Axiom-Trace-Id"),
        rate_limit=parse_rate_limit(response.headers),
        ingest_limit=parse_ingest_limit(response.headers),
    )


def error_for(response: httpx.Response, *, dataset: str | None, action: str, body_sent: bool = False) -> AxiomError:
    """The typed error for a failed answer to `action` ("ingest", "list", "create", "user");
    `response` is scrubbed already (scrubbed()). A 4xx says the request was refused; any other
    failed answer to a request whose body arrived whole (`body_sent`) leaves its events perhaps
    stored (the error's maybe_sent)."""
    status = response.status_code
    detail, code, _ = body_message(response.content, response.reason_phrase or f"HTTP {status}")
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
        if action == "ingest" and dataset:
            return DatasetMissing(f"{ds} does not exist (404): create it or check the name", dataset=dataset, **kw)
        return NotFound(f"not found (404): {detail}", **kw)
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
        return ServerError(f"the server had a problem ({status}): {detail}", maybe_sent=body_sent, **kw)
    return AxiomError(f"the server answered {status}: {detail}", kind=ErrorKind.UNEXPECTED,
                      maybe_sent=body_sent and not 400 <= status < 500, **kw)

