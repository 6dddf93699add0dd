"""AxiomClient: ingest, datasets, routing; one per profile.

It never retries (the upload job decides that) and it never lets the token out: the token goes
only into the Authorization header of requests to the configured hosts, never into a URL, an
exception message, a repr or a log line, and never to another host on a redirect. The API facts
it follows, each with its source, are in docs/axiom-api.md.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import threading
from dataclasses import replace
from typing import Any, Mapping
from urllib.parse import quote, urljoin

from app.core.axiom import lean_httpx  # noqa: F401  (before httpx: it spares httpx's own command line)
import httpx
import orjson

from app import __version__
from app.core.axiom import network, pool, routing
from app.core.axiom.errors import AuthError, AxiomError, CredentialsInURL, ErrorKind, InsecureURL, TransportError
from app.core.axiom.headers import parse_ingest_limit, parse_rate_limit
from app.core.axiom.models import (Dataset, IngestLimit, IngestOptions, IngestResult, RateLimit, base_url,
                                   dataset_name_problem, token_kind)
from app.core.axiom.routing import Endpoint, Route
from app.core.axiom.responses import bad_answer, error_for, ingest_result, scrubbed
from app.core.axiom.trust import tls_context
from app.core.axiom.urls import check_url, is_loopback_url, origin

USER_AGENT = f"axiom-drop/{__version__}"
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0


def _load_tls_context(trust_env: bool) -> concurrent.futures.Future:
    """The verifying TLS context (the system's CAs, or SSL_CERT_FILE / SSL_CERT_DIR, or certifi's:
    core/axiom/trust.py says which), made in a thread: parsing the CA bundle takes ~15 ms that start-up need not wait for (OpenSSL
    releases the GIL meanwhile). The client is made with it at its first request."""
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_running_or_notify_cancel()  # running: a cancelled request cannot cancel it for the next ones

    def load() -> None:
        try:
            future.set_result(tls_context(trust_env)[0])
        except BaseException as e:  # handed to the first request, which raises it
            future.set_exception(e)

    # Not a daemon: the interpreter joins it before finalising. A daemon thread still inside
    # OpenSSL while Python tears down crashed ~1 in 10 quick exits (SIGSEGV).
    threading.Thread(target=load, name="axiom-drop-tls", daemon=False).start()
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
        max_connections: int = pool.CONNECTIONS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`transport` replaces the network (httpx.MockTransport in tests): requests go to it
        alone, with no TLS context and no proxy from the environment. `max_connections`: what
        the uploads at once keep in flight (core/axiom/pool.py)."""
        if not token or not token.strip():
            raise AuthError("no token: paste an Axiom API token (xaat-…)")
        self.allow_http = allow_http
        self.endpoint = replace(
            endpoint,
            api_url=check_url(base_url(endpoint.api_url), allow_http=allow_http),
            ingest_url=check_url(base_url(endpoint.ingest_url), allow_http=allow_http),
        )
        self._token = token.strip()
        self.org_id = (org_id or "").strip() or None
        self.token_kind = token_kind(self._token)
        self._regions: dict[str, tuple[str | None, str | None]] = {}  # dataset → (edgeDeployment, its URL)
        self.last_rate_limit: RateLimit | None = None
        self.last_ingest_limit: IngestLimit | None = None
        # TLS verification is httpx's default (on) and deliberately not configurable here.
        # Proxy settings from the environment apply, except when everything is on this machine
        # (the sandbox): a corporate HTTP_PROXY would otherwise swallow loopback requests.
        local = all(is_loopback_url(u) for u in (self.endpoint.api_url, self.endpoint.ingest_url))
        self._trust_env = not local and transport is None
        self._max_connections = max_connections
        self._timeout = timeout
        self._transport = transport
        self._tls = None if transport is not None else _load_tls_context(self._trust_env)
        self._http: httpx.AsyncClient | None = None  # made at the first request, once the TLS context is ready

    async def prepare(self) -> None:
        """Make the HTTP client now rather than at the first request (waits for the TLS context;
        opens no connection). Raises AxiomError (kind TLS) when the CA certificates cannot be read."""
        await self._client()

    async def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            tls: Any = True
            if self._tls is not None:
                try:
                    tls = await asyncio.wrap_future(self._tls)
                except OSError as e:  # SSL_CERT_FILE / SSL_CERT_DIR naming something unreadable, say
                    raise AxiomError(f"cannot set up HTTPS: the CA certificates could not be loaded ({e})",
                                      kind=ErrorKind.TLS) from None
            if self._http is None:
                self._http = httpx.AsyncClient(
                    verify=tls,
                    transport=self._transport,
                    trust_env=self._trust_env,
                    http1=True,
                    http2=False,
                    follow_redirects=False,
                    timeout=httpx.Timeout(connect=CONNECT_TIMEOUT, read=self._timeout, write=self._timeout,
                                          pool=self._timeout),
                    limits=httpx.Limits(max_connections=self._max_connections,
                                        max_keepalive_connections=self._max_connections),
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                )
                if self._transport is None:
                    from app.core.axiom import plain_asyncio

                    plain_asyncio.use_on(self._http)  # httpcore without anyio (its import: ~10 % of the CLI's start-up)
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

    def route(self, dataset: str) -> Route:
        """Where an ingest into this dataset goes (routing.ingest_route with what the listing said).
        Raises RegionError when it cannot go anywhere that stores it in the dataset's region."""
        region, url = self._regions.get(dataset, (None, None))
        return routing.ingest_route(self.endpoint, self.token_kind, dataset, region, url)

    def ingest_url_for(self, dataset: str) -> str:
        """The URL an ingest to this dataset goes to (shown to the user, never holds the token)."""
        return self.route(dataset).url

    def needs_region(self, dataset: str) -> bool:
        """The dataset's region could change its route and no listing has said it yet."""
        return dataset not in self._regions and routing.depends_on_region(self.endpoint, self.token_kind)

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
        response, body_sent = await self._request("POST", url, headers=headers, params=params, content=payload,
                                                  dataset=dataset, action="ingest")
        return ingest_result(response, body_sent=body_sent)

    async def list_datasets(self) -> list[Dataset]:
        """The datasets this token can see. Remembers each one's region for ingest routing."""
        response, _ = await self._request("GET", f"{self.endpoint.api_url}/v2/datasets", action="list")
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
            self._remember(ds)
        return sorted(datasets, key=lambda d: d.name.lower())

    async def get_dataset(self, name: str) -> Dataset:
        """GET /v2/datasets/{id}: one dataset, its region remembered for ingest routing."""
        response, _ = await self._request("GET", f"{self.endpoint.api_url}/v2/datasets/{quote(name, safe='')}",
                                          dataset=name, action="get")
        ds = Dataset.from_json(self._json(response))
        ds.name = ds.name or name
        self._remember(ds)
        return ds

    async def create_dataset(self, name: str, description: str = "", *, edge_deployment: str | None = None) -> Dataset:
        """POST /v2/datasets in `edge_deployment` (default: the profile's region, so a dataset made
        from the EU profile is in the EU; a region cannot change later). A name Axiom would refuse
        is refused here, before asking (kind BAD_REQUEST); a 409 (exists) raises Conflict."""
        problem = dataset_name_problem(name)
        if problem:
            raise AxiomError(f"“{name}” cannot be a dataset name: {problem}", kind=ErrorKind.BAD_REQUEST)
        body: dict[str, Any] = {"name": name}
        if description:
            body["description"] = description
        edge_deployment = edge_deployment or self.endpoint.region
        if edge_deployment:
            body["edgeDeployment"] = edge_deployment
        response, _ = await self._request(
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
        ds.region = ds.region or edge_deployment
        self._remember(ds)
        return ds

    async def current_user(self) -> dict:
        """GET /v2/user: {id, name, email, role}. Works with personal tokens."""
        response, _ = await self._request("GET", f"{self.endpoint.api_url}/v2/user", action="user")
        return self._json(response)

    # -- internals ----------------------------------------------------------------------------

    def _remember(self, ds: Dataset) -> None:
        url = ds.edge_url
        if url:
            try:
                check_url(url, allow_http=self.allow_http)
            except (InsecureURL, CredentialsInURL):
                url = None  # never route the token over clear text (or basic auth) because a listing said so
        self._regions[ds.name] = (ds.region, url)

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
    ) -> tuple[httpx.Response, bool]:
        """Send with the token, follow same-origin redirects by hand, map failures to errors.
        The answer, and whether the whole request body reached the server."""
        all_headers = {**(headers or {}), **self._auth_headers()}
        target = httpx.URL(url, params=params or None)
        for _ in range(MAX_REDIRECTS + 1):
            response, body_sent = await self._send(method, target, all_headers, content)
            self._note_limits(response)
            if response.is_redirect:
                location = response.headers.get("Location", "")
                new = httpx.URL(urljoin(str(target), location))
                if origin(new) != origin(target) or new.userinfo:  # user info would replace the token
                    scheme, host, port = origin(new)
                    raise AxiomError(
                        f"the server redirected to another host ({scheme}://{host}:{port}): "
                        "not followed, so the token is not sent there. Check the profile's URL.",
                        kind=ErrorKind.REDIRECT,
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
                return response, body_sent
            raise error_for(response, dataset=dataset, action=action, body_sent=body_sent)
        raise AxiomError(f"too many redirects (more than {MAX_REDIRECTS})", kind=ErrorKind.REDIRECT)

    async def _send(self, method: str, url: httpx.URL, headers: Mapping[str, str | bytes],
                    content: bytes | None) -> tuple[httpx.Response, bool]:
        """One exchange within its deadline (network.deadline): the answer, scrubbed of the token
        (the one place), and whether the whole body reached the server (a response at all means
        it did, unless the transport's trace says the server answered before reading it all)."""
        progress = {"traced": False, "body_sent": False}

        async def trace(event: str, info: dict) -> None:
            progress["traced"] = True
            if event == "http11.send_request_body.complete":
                progress["body_sent"] = True

        seconds = network.deadline(CONNECT_TIMEOUT, self._timeout, len(content or b""))
        failure: tuple[str, bool] | None = None
        try:
            http = await self._client()
            request = http.build_request(method, url, headers=headers, content=content, extensions={"trace": trace})
            async with asyncio.timeout(seconds):
                response = await http.send(request)
                await response.aread()
            return scrubbed(response, self._token), progress["body_sent"] or not progress["traced"]
        except (httpx.HTTPError, TimeoutError) as exc:
            # Only summarise here: raising from inside `except` would chain the httpx exception,
            # whose request object holds the Authorization header.
            sent = network.maybe_sent(exc, progress["body_sent"] if progress["traced"] else None)
            failure = (network.transport_message(exc, url, sent, self._token, seconds), sent)
        assert failure is not None
        raise TransportError(failure[0], maybe_sent=failure[1])

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
        return bad_answer(response)


def client_from_env(
    environ: Mapping[str, str] | None = None,
    *,
    allow_http: bool = False,
    timeout: float = 60.0,
    max_connections: int = pool.CONNECTIONS,
) -> AxiomClient:
    """A client configured like Axiom's own CLI and Go client: AXIOM_TOKEN, AXIOM_ORG_ID, AXIOM_URL
    (a base URL alone: API calls and legacy ingest there) and AXIOM_EDGE_URL / AXIOM_EDGE (the
    edge for ingest); neither URL set: Axiom US (routing.from_env)."""
    env = os.environ if environ is None else environ
    token = (env.get("AXIOM_TOKEN") or "").strip()
    if not token:
        raise AuthError("no token: set AXIOM_TOKEN to an Axiom API token (xaat-…) or a personal token (xapt-…)")
    return AxiomClient(routing.from_env(env), token, env.get("AXIOM_ORG_ID") or None, allow_http=allow_http,
                       timeout=timeout, max_connections=max_connections)
