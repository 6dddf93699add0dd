"""The HTTP client for Axiom: ingest, datasets, routing, typed errors, rate-limit headers.

One `AxiomClient` per profile. It never retries (the upload job decides that with retry.py) and
it never lets the token out: the token goes only into the Authorization header of requests to
the configured hosts, never into a URL, an exception message, a repr or a log line, and never to
another host on a redirect. See /work/shared/AXIOM_API.md for the API facts this follows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import ipaddress
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote, urljoin, urlsplit

import httpx
import orjson

from app import __version__
from app.core import config

USER_AGENT = f"axiom-drop/{__version__}"
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
# Used when a 429/430 carries neither Retry-After nor X-RateLimit-Reset. Axiom's request limits
# are per minute, so a short pause followed by the server's own answer is the sensible guess.
DEFAULT_RATE_LIMIT_WAIT = 10.0
_MESSAGE_CHARS = 200


# ---------------------------------------------------------------------------------------------
# Data


@dataclass
class Endpoint:
    """Where requests go: the API host (datasets, legacy ingest) and the ingest (edge) host."""

    api_url: str
    ingest_url: str

    @classmethod
    def for_profile(cls, profile: config.Profile, sandbox_url: str | None = None) -> "Endpoint":
        kind = profile.kind
        if kind == "sandbox":
            if not sandbox_url:
                raise ValueError("the local sandbox is not running (no sandbox URL)")
            url = _strip(sandbox_url)
            return cls(url, url)
        if kind in config.EDGE_URLS:
            return cls(config.API_URL, config.EDGE_URLS[kind])
        if kind == "custom":
            if not profile.url.strip():
                raise ValueError(f"profile {profile.name!r} has no URL")
            # Plain http is checked by AxiomClient (with the profile's or the CLI's allow_http).
            url = _strip(profile.url)
            return cls(url, url)
        raise ValueError(f"unknown profile kind {kind!r}")


def _strip(url: str) -> str:
    return url.strip().rstrip("/")


@dataclass
class IngestOptions:
    timestamp_field: str | None = None
    timestamp_format: str | None = None
    csv_delimiter: str | None = None
    csv_fields: list[str] | None = None
    labels: dict[str, str] | None = None


@dataclass
class RateLimit:
    """X-RateLimit-*: requests per minute for this scope (user/organization)."""

    scope: str | None
    limit: int | None
    remaining: int | None
    reset: int | None  # UTC epoch seconds


@dataclass
class IngestLimit:
    """X-IngestLimit-*: ingest volume (bytes) per month."""

    limit: int | None
    remaining: int | None
    reset: int | None  # UTC epoch seconds


@dataclass
class IngestResult:
    ingested: int
    failed: int
    failures: list[dict] = field(default_factory=list)  # [{"timestamp": str, "error": str}]
    processed_bytes: int = 0
    warnings: list[dict] = field(default_factory=list)  # the "messages" array (locked schema)
    trace_id: str | None = None
    rate_limit: RateLimit | None = None
    ingest_limit: IngestLimit | None = None


@dataclass
class Dataset:
    name: str
    description: str = ""
    kind: str | None = None
    region: str | None = None  # edgeDeployment, e.g. "cloud.eu-central-1.aws"
    edge_url: str | None = None  # edgeDeploymentUrl
    can_write: bool | None = None
    created: str | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Dataset":
        edge_url = obj.get("edgeDeploymentUrl") or None
        can_write = obj.get("canWrite")
        return cls(
            name=str(obj.get("name") or obj.get("id") or ""),
            description=str(obj.get("description") or ""),
            kind=obj.get("kind") or None,
            region=obj.get("edgeDeployment") or None,
            edge_url=_strip(edge_url) if isinstance(edge_url, str) else None,
            can_write=can_write if isinstance(can_write, bool) else None,
            created=obj.get("created") or None,
        )


# ---------------------------------------------------------------------------------------------
# Errors


class AxiomError(Exception):
    """Anything that went wrong talking to Axiom. `str(err)` is a sentence a user can act on."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: Any = None,
        trace_id: str | None = None,
        rate_limit: RateLimit | None = None,
        ingest_limit: IngestLimit | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.trace_id = trace_id
        self.rate_limit = rate_limit
        self.ingest_limit = ingest_limit
        self.detail = detail  # the server's own words, when it said something

    def __str__(self) -> str:
        return self.message


class AuthError(AxiomError):
    """401 (token refused) or 403 (token lacks permission); also a PAT without an org ID."""

    def __init__(self, message: str, *, forbidden: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.forbidden = forbidden


class NotFound(AxiomError):
    pass


class Conflict(AxiomError):
    pass


class TooLarge(AxiomError):
    pass


class BadRequest(AxiomError):
    """400: the server took nothing from this request. `event_index` is the bad event's
    position within the request when the server named it ("invalid event at index 17")."""

    def __init__(self, message: str, *, event_index: int | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.event_index = event_index


class RateLimited(AxiomError):
    """429 (request rate) or 430 (monthly quota, `quota=True`).

    `retry_at` is the epoch second Retry-After named (None without the header); `wait_seconds`
    is how long to wait as seen when the response arrived (retry.wait_for_rate_limit recomputes
    it for a later moment)."""

    def __init__(
        self,
        message: str,
        *,
        quota: bool = False,
        retry_at: float | None = None,
        wait_seconds: float = DEFAULT_RATE_LIMIT_WAIT,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.quota = quota
        self.retry_at = retry_at
        self.wait_seconds = wait_seconds

    @property
    def reset(self) -> float | None:
        """When the relevant limit resets (epoch s), from the headers."""
        if self.quota and self.ingest_limit and self.ingest_limit.reset:
            return float(self.ingest_limit.reset)
        if self.rate_limit and self.rate_limit.reset:
            return float(self.rate_limit.reset)
        return None


class ServerError(AxiomError):
    pass


class TransportError(AxiomError):
    """The network failed: no HTTP answer at all.

    `maybe_sent` is True when the failure came after the request body was fully written (a read
    timeout, the server closing the connection without an answer): the server may have stored
    those events, so resending them may duplicate them and the job must report that. It is False
    when the request cannot have reached the server whole (connection refused, connect/pool
    timeout, a failed write): resending is safe."""

    def __init__(self, message: str, *, maybe_sent: bool, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.maybe_sent = maybe_sent


class InsecureURL(AxiomError):
    """Plain http:// to a host that is not this machine: the token would cross the network in clear."""


# ---------------------------------------------------------------------------------------------
# Helpers


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_http: bool = False) -> str:
    """Refuse URLs that would send the token in clear to another machine. Returns the URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InsecureURL(f"not an http(s) URL: {url!r}")
    if scheme == "http" and not allow_http and not is_loopback_host(parts.hostname):
        raise InsecureURL(
            f"{url} uses plain http to another machine: the token would travel unencrypted. "
            "Use https, or confirm that you want plain http for this profile."
        )
    return url


def token_kind(token: str) -> str:
    """"personal" for xapt- tokens (legacy ingest + org ID), else "api" (edge ingest)."""
    return "personal" if token.startswith("xapt-") else "api"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host.lower(), url.port or default)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    values = [headers.get(f"X-RateLimit-{k}") for k in ("Scope", "Limit", "Remaining", "Reset")]
    if all(v is None for v in values):
        return None
    scope, limit, remaining, reset = values
    return RateLimit(scope, _int(limit), _int(remaining), _int(reset))


def parse_ingest_limit(headers: Mapping[str, str]) -> IngestLimit | None:
    values = [headers.get(f"X-IngestLimit-{k}") for k in ("Limit", "Remaining", "Reset")]
    if all(v is None for v in values):
        return None
    return IngestLimit(*(_int(v) for v in values))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as an epoch second: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return now + max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return when.timestamp()


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)
_INDEX = re.compile(r"\bindex\s+(\d+)", re.I)


def _body_message(content: bytes, reason: str) -> tuple[str, Any, Any]:
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
        import html

        text = html.unescape(_TAG.sub(" ", text))
    text = " ".join(text.split())
    if len(text) > _MESSAGE_CHARS:
        text = text[:_MESSAGE_CHARS].rstrip() + "…"
    return (text or reason), None, data


# ---------------------------------------------------------------------------------------------
# Client


def _load_tls_context(trust_env: bool) -> concurrent.futures.Future:
    """httpx's own verifying TLS context (certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR), made
    in a thread: parsing the CA bundle takes ~15 ms that start-up need not wait for (OpenSSL
    releases the GIL meanwhile). The client is made with it at its first request."""
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_running_or_notify_cancel()  # running: a cancelled request cannot cancel it for the next ones

    def load() -> None:
        try:
            future.set_result(httpx.create_ssl_context(trust_env=trust_env))
        except BaseException as e:  # handed to the first request, which raises it
            future.set_exception(e)

    threading.Thread(target=load, name="axiom-drop-tls", daemon=True).start()
    return future


class AxiomClient:
    """Talks to one Axiom (or sandbox, or proxy) with one token. Async; create it on the loop
    that will use it. No retries inside: every failure surfaces as an AxiomError subclass."""

    def __init__(
        self,
        endpoint: Endpoint,
        token: str,
        org_id: str | None = None,
        *,
        allow_http: bool = False,
        timeout: float = 60.0,
        max_connections: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not token or not token.strip():
            raise AuthError("no token: paste an Axiom API token (xaat-…)")
        self.allow_http = allow_http
        self.endpoint = Endpoint(
            check_url(_strip(endpoint.api_url), allow_http=allow_http),
            check_url(_strip(endpoint.ingest_url), allow_http=allow_http),
        )
        self._token = token.strip()
        self.org_id = (org_id or "").strip() or None
        self.token_kind = token_kind(self._token)
        self._edge_urls: dict[str, str] = {}
        self.last_rate_limit: RateLimit | None = None
        self.last_ingest_limit: IngestLimit | None = None
        # TLS verification is httpx's default (on) and deliberately not configurable here.
        # Proxy settings from the environment apply, except when everything is on this machine
        # (the sandbox): a corporate HTTP_PROXY would otherwise swallow loopback requests.
        local = all(is_loopback_host(urlsplit(u).hostname or "") for u in (self.endpoint.api_url, self.endpoint.ingest_url))
        self._trust_env = not local
        self._max_connections = max_connections
        self._timeout = timeout
        self._transport = transport  # in-memory (httpx.MockTransport) for tests: no sockets, no TLS
        self._tls = _load_tls_context(self._trust_env) if transport is None else None
        self._http: httpx.AsyncClient | None = None  # made at the first request, once the TLS context is ready

    async def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            try:
                tls = await asyncio.wrap_future(self._tls) if self._tls is not None else True
            except OSError as e:  # SSL_CERT_FILE / SSL_CERT_DIR naming something unreadable, say
                raise AxiomError(f"cannot set up HTTPS: the CA certificates could not be loaded ({e})") from None
            if self._http is None:
                self._http = httpx.AsyncClient(
                    verify=tls,
                    trust_env=self._trust_env,
                    http1=True,
                    http2=False,
                    follow_redirects=False,
                    timeout=httpx.Timeout(connect=CONNECT_TIMEOUT, read=self._timeout, write=self._timeout,
                                          pool=self._timeout),
                    limits=httpx.Limits(max_connections=self._max_connections,
                                        max_keepalive_connections=self._max_connections),
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                    transport=self._transport,
                )
        return self._http

    def __repr__(self) -> str:
        return (
            f"AxiomClient(api_url={self.endpoint.api_url!r}, ingest_url={self.endpoint.ingest_url!r}, "
            f"token=<{self.token_kind} token, hidden>, org_id={self.org_id!r})"
        )

    async def __aenter__(self) -> "AxiomClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # -- public API ---------------------------------------------------------------------------

    def ingest_url_for(self, dataset: str) -> str:
        """The URL an ingest to this dataset goes to (shown to the user, never holds the token)."""
        name = quote(dataset, safe="")
        if self.token_kind == "personal":
            return f"{self.endpoint.api_url}/v1/datasets/{name}/ingest"
        base = self._edge_urls.get(dataset, self.endpoint.ingest_url)
        return f"{base}/v1/ingest/{name}"

    async def ingest(
        self,
        dataset: str,
        payload: bytes,
        *,
        content_type: str,
        content_encoding: str | None = None,
        options: IngestOptions | None = None,
    ) -> IngestResult:
        """Send one request of events. Raises an AxiomError subclass; never retries."""
        if not dataset:
            raise ValueError("no dataset name")
        options = options or IngestOptions()
        headers: dict[str, str | bytes] = {"Content-Type": content_type}
        if content_encoding:
            headers["Content-Encoding"] = content_encoding
        # Header values must be ASCII on the wire in httpx's str form: labels become JSON with
        # \u escapes (same JSON to the server); field names, which cannot be escaped in a comma
        # list, go as UTF-8 bytes.
        if options.csv_fields:
            headers["X-Axiom-CSV-Fields"] = ",".join(options.csv_fields).encode("utf-8")
        if options.labels:
            headers["X-Axiom-Event-Labels"] = json.dumps(options.labels, ensure_ascii=True, separators=(",", ":"))
        params = {}
        if options.timestamp_field:
            params["timestamp-field"] = options.timestamp_field
        if options.timestamp_format:
            params["timestamp-format"] = options.timestamp_format
        if options.csv_delimiter:
            params["csv-delimiter"] = options.csv_delimiter
        url = check_url(self.ingest_url_for(dataset), allow_http=self.allow_http)
        response = await self._request("POST", url, headers=headers, params=params, content=payload, dataset=dataset, action="ingest")
        data = self._json(response)
        failures = data.get("failures") or []
        warnings = data.get("messages") or []
        return IngestResult(
            ingested=_count(data.get("ingested")),
            failed=_count(data.get("failed")),
            failures=[f for f in failures if isinstance(f, dict)] if isinstance(failures, list) else [],
            processed_bytes=_count(data.get("processedBytes")),
            warnings=[w for w in warnings if isinstance(w, dict)] if isinstance(warnings, list) else [],
            trace_id=response.headers.get("X-Axiom-Trace-Id"),
            rate_limit=parse_rate_limit(response.headers),
            ingest_limit=parse_ingest_limit(response.headers),
        )

    async def list_datasets(self) -> list[Dataset]:
        """The datasets this token can see. Remembers each one's edge URL for ingest routing."""
        response = await self._request("GET", f"{self.endpoint.api_url}/v2/datasets", action="list")
        try:
            data = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise self._bad_answer(response) from None
        if isinstance(data, dict):  # tolerate {"datasets": [...]}
            data = data.get("datasets") or []
        if not isinstance(data, list):
            raise self._bad_answer(response)
        datasets = [Dataset.from_json(d) for d in data if isinstance(d, dict)]
        for ds in datasets:
            self._remember_edge(ds)
        return sorted(datasets, key=lambda d: d.name.lower())

    async def create_dataset(self, name: str, description: str = "", *, edge_deployment: str | None = None) -> Dataset:
        """POST /v2/datasets; a 409 (exists) raises Conflict."""
        body: dict[str, Any] = {"name": name}
        if description:
            body["description"] = description
        if edge_deployment:
            body["edgeDeployment"] = edge_deployment
        response = await self._request(
            "POST",
            f"{self.endpoint.api_url}/v2/datasets",
            headers={"Content-Type": "application/json"},
            content=orjson.dumps(body),
            dataset=name,
            action="create",
        )
        data = self._json(response)
        ds = Dataset.from_json(data) if data else Dataset(name=name, description=description)
        if not ds.name:
            ds.name = name
        self._remember_edge(ds)
        return ds

    async def current_user(self) -> dict:
        """GET /v2/user: {id, name, email, role}. Works with personal tokens."""
        response = await self._request("GET", f"{self.endpoint.api_url}/v2/user", action="user")
        return self._json(response)

    # -- internals ----------------------------------------------------------------------------

    def _remember_edge(self, ds: Dataset) -> None:
        if not ds.edge_url:
            return
        try:
            check_url(ds.edge_url, allow_http=self.allow_http)
        except InsecureURL:
            return  # never route the token over clear text because a listing said so
        self._edge_urls[ds.name] = ds.edge_url

    def _auth_headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._token}"}
        if self.token_kind == "personal":
            if not self.org_id:
                raise AuthError(
                    "a personal access token needs the organization ID: add it to the profile "
                    "(or use an API token, xaat-…)"
                )
            headers["X-Axiom-Org-Id"] = self.org_id
        return headers

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "[token]") if self._token in text else text

    async def _request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str | bytes] | None = None,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        dataset: str | None = None,
        action: str,
    ) -> httpx.Response:
        """Send with the token, follow same-origin redirects by hand, map failures to errors."""
        all_headers = {**(headers or {}), **self._auth_headers()}
        target = httpx.URL(url, params=params or None)
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send(method, target, all_headers, content)
            self._note_limits(response)
            if response.is_redirect:
                location = response.headers.get("Location", "")
                new = httpx.URL(urljoin(str(target), location))
                if _origin(new) != _origin(target):
                    raise AxiomError(
                        f"the server redirected to another host ({new.scheme}://{new.netloc.decode()}): "
                        "not followed, so the token is not sent there. Check the profile's URL.",
                        status=response.status_code,
                        trace_id=response.headers.get("X-Axiom-Trace-Id"),
                    )
                # Same origin: repeat the request there. 303 means "GET the answer"; for
                # 301/302/307/308 an API request keeps its method and body (dropping an ingest
                # body, as browsers do on 301/302, would only turn it into a confusing error).
                if response.status_code == 303:
                    method, content = "GET", None
                    all_headers = {k: v for k, v in all_headers.items() if k.lower() not in ("content-type", "content-encoding")}
                target = new
                continue
            if response.is_success:
                return response
            raise self._error(response, dataset=dataset, action=action)
        raise AxiomError(f"too many redirects (more than {MAX_REDIRECTS})")

    async def _send(self, method: str, url: httpx.URL, headers: Mapping[str, str | bytes], content: bytes | None) -> httpx.Response:
        progress = {"traced": False, "body_sent": False}

        async def trace(event: str, info: dict) -> None:
            progress["traced"] = True
            if event == "http11.send_request_body.complete":
                progress["body_sent"] = True

        failure: tuple[str, bool] | None = None
        try:
            http = await self._client()
            request = http.build_request(method, url, headers=headers, content=content, extensions={"trace": trace})
            response = await http.send(request)
            await response.aread()
            return response
        except httpx.HTTPError as exc:
            # Only summarise here: raising from inside `except` would chain the httpx exception,
            # whose request object holds the Authorization header.
            sent = self._maybe_sent(exc, progress["body_sent"] if progress["traced"] else None)
            failure = (self._transport_message(exc, url, sent), sent)
        assert failure is not None
        raise TransportError(failure[0], maybe_sent=failure[1])

    @staticmethod
    def _maybe_sent(exc: httpx.HTTPError, body_sent: bool | None) -> bool:
        """Could the server have received (and stored) the whole request?

        Connect errors and pool timeouts happen before anything is written; a failed write means
        the body never arrived whole. A read timeout or a dropped connection while waiting for the
        answer comes after the last byte left: the server may well have stored the events. The
        transport's trace tells us precisely when the body was written; the exception type is the
        fallback when it is silent."""
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)):
            return False
        if body_sent is not None:
            return body_sent
        # No trace: a failure while reading the answer means the body had been written; for
        # anything unknown, assume it may have been stored (report a possible duplicate rather
        # than silently lose or double events).
        return True

    def _transport_message(self, exc: httpx.HTTPError, url: httpx.URL, maybe_sent: bool) -> str:
        where = f"{url.scheme}://{url.netloc.decode()}"
        what = self._scrub(str(exc)).strip().rstrip(".")
        what = f": {what}" if what and what != type(exc).__name__ else f" ({type(exc).__name__})"
        if isinstance(exc, httpx.ConnectTimeout):
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
        if maybe_sent:
            text += "; the request was sent, so its events may have been stored"
        elif not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            text += "; the request did not reach the server whole, so nothing of it was stored"
        return text

    def _note_limits(self, response: httpx.Response) -> None:
        rl = parse_rate_limit(response.headers)
        if rl:
            self.last_rate_limit = rl
        il = parse_ingest_limit(response.headers)
        if il:
            self.last_ingest_limit = il

    def _json(self, response: httpx.Response) -> dict:
        if not response.content.strip():
            return {}
        try:
            data = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise self._bad_answer(response) from None
        if not isinstance(data, dict):
            raise self._bad_answer(response)
        return data

    def _bad_answer(self, response: httpx.Response) -> AxiomError:
        text, _, _ = _body_message(response.content, response.reason_phrase)
        return AxiomError(
            f"unexpected answer from the server ({response.status_code}): {self._scrub(text)}",
            status=response.status_code,
            trace_id=response.headers.get("X-Axiom-Trace-Id"),
            rate_limit=parse_rate_limit(response.headers),
        )

    def _error(self, response: httpx.Response, *, dataset: str | None, action: str) -> AxiomError:
        status = response.status_code
        detail, code, _ = _body_message(response.content, response.reason_phrase or f"HTTP {status}")
        detail = self._scrub(detail)
        kw: dict[str, Any] = dict(
            status=status,
            code=code,
            trace_id=response.headers.get("X-Axiom-Trace-Id"),
            rate_limit=parse_rate_limit(response.headers),
            ingest_limit=parse_ingest_limit(response.headers),
            detail=detail,
        )
        ds = f"dataset {dataset!r}" if dataset else "the dataset"
        if status == 401:
            return AuthError("the token was refused (401): check it or paste a new one", forbidden=False, **kw)
        if status == 403:
            need = {
                "ingest": f"it needs ingest permission on {ds}",
                "list": "it needs permission to list datasets (an ingest-only token can still send: type the dataset name)",
                "create": "it needs permission to create datasets",
                "user": "reading the user needs a personal access token (xapt-…) with the organization ID",
            }.get(action, "it lacks a permission")
            return AuthError(f"the token may not do this (403): {need}", forbidden=True, **kw)
        if status == 404:
            if action == "ingest":
                text = f"{ds} does not exist (404): create it or check the name"
            else:
                text = f"not found (404): {detail}"
            return NotFound(text, **kw)
        if status == 409:
            return Conflict(f"{ds} already exists (409)" if action == "create" else f"conflict (409): {detail}", **kw)
        if status == 413:
            return TooLarge(f"the request is too large for the server (413): {detail}", **kw)
        if status == 400:
            m = _INDEX.search(detail)
            return BadRequest(f"the server refused the request (400): {detail}", event_index=int(m.group(1)) if m else None, **kw)
        if status in (429, 430):
            now = time.time()
            quota = status == 430
            retry_at = parse_retry_after(response.headers.get("Retry-After"), now)
            err = RateLimited("", quota=quota, retry_at=retry_at, **kw)
            err.wait_seconds = rate_limit_wait(err, now)
            wait = _human_seconds(err.wait_seconds)
            if quota:
                err.message = f"the monthly ingest limit is reached (430): {detail}; it resets in {wait}"
            else:
                err.message = f"rate limited (429): {detail}; try again in {wait}"
            return err
        if status >= 500:
            return ServerError(f"the server had a problem ({status}): {detail}", **kw)
        return AxiomError(f"the server answered {status}: {detail}", **kw)


def rate_limit_wait(err: RateLimited, now: float | None = None) -> float:
    """Seconds to wait before resending: Retry-After when given, else until the limit's reset
    (at least 1 s, so a reset that has just passed by our clock does not hammer the server)."""
    now = time.time() if now is None else now
    if err.retry_at is not None:
        return max(0.0, err.retry_at - now)
    reset = err.reset
    if reset is not None:
        return max(1.0, reset - now)
    return DEFAULT_RATE_LIMIT_WAIT


def _human_seconds(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{round(seconds / 60)} min"
    if seconds < 172800:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def client_from_env(
    environ: Mapping[str, str] | None = None,
    *,
    allow_http: bool = False,
    timeout: float = 60.0,
    max_connections: int = 8,
) -> AxiomClient:
    """A client configured like Axiom's own CLI and Go client: AXIOM_TOKEN, AXIOM_ORG_ID, and
    AXIOM_URL (a custom base URL used for both API calls and ingest; default https://api.axiom.co
    with the US edge for ingest). AXIOM_EDGE_URL, when set, overrides the ingest base."""
    env = os.environ if environ is None else environ
    token = (env.get("AXIOM_TOKEN") or "").strip()
    if not token:
        raise AuthError("no token: set AXIOM_TOKEN to an Axiom API token (xaat-…) or a personal token (xapt-…)")
    url = (env.get("AXIOM_URL") or "").strip()
    if url:
        endpoint = Endpoint(_strip(url), _strip(url))
    else:
        endpoint = Endpoint(config.API_URL, config.EDGE_URLS["us"])
    edge = (env.get("AXIOM_EDGE_URL") or "").strip()
    if edge:
        endpoint.ingest_url = _strip(edge)
    return AxiomClient(
        endpoint,
        token,
        env.get("AXIOM_ORG_ID") or None,
        allow_http=allow_http,
        timeout=timeout,
        max_connections=max_connections,
    )
