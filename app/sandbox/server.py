"""A local stand-in for Axiom's ingest API (docs/axiom-api.md), served on loopback.

Why it exists: a newcomer can try the whole app without an account, and the client, the retry
logic, the UI and the benchmarks are tested against a server that answers like Axiom does —
same endpoints, token rules, content types, limits, response and error shapes, rate-limit
headers — plus knobs (`Faults`) that make it slow, fail, drop connections or reject events.

Built on aiohttp's web server in a background thread with its own asyncio loop, so synchronous
tests and a Qt app can both use it. The handlers live in `ingest` and `api` (mixins of
`Sandbox`); this module wires them, and its middleware adds what every answer carries.
A personal access token ("xapt-sandbox-…") is generated when none is given, so the PAT rules
can be tried.

By default one port plays both of Axiom's roles (API host and edge), so curl examples and the
official clients work against one URL. `strict=True` serves them apart, as Axiom does: `url` is
the API host (/v2/..., legacy ingest into US East), `edge_urls` one edge per region (only
/v1/ingest/{id}, only that region's datasets); an edge path on the API host, or /v2 on an edge,
is a 404.

`plan` is Axiom's plan the sandbox plays: "cloud" (1,024 fields per dataset) or "personal" (256).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from app.core import config
from app.sandbox.api import ApiRoutes
from app.sandbox.apl import QueryRoutes
from app.sandbox.errors import REASONS, ApiError, Dropped, HtmlError, error_response
from app.sandbox.faults import Faults
from app.sandbox.ingest import IngestRoutes
from app.sandbox.limits import DEFAULT_INGEST_LIMIT, HARD_BODY_CAP, MAX_HEADER_BYTES, PLAN_FIELDS
from app.sandbox.names import LOCAL, REGION, REGIONS, US_EAST
from app.sandbox.quotas import INGESTING, Quotas
from app.sandbox.requestlog import ENTRY, RequestLog, new_entry
from app.sandbox.store import EVENT_KIND, DatasetStore

log = logging.getLogger(__name__)


class Sandbox(IngestRoutes, ApiRoutes, QueryRoutes):
    """A local Axiom: `Sandbox(tmp).start()` or `with Sandbox(tmp) as sb:` then `sb.url`, `sb.token`."""

    def __init__(self, data_dir: Path | str | None = None, *, token: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, org_id: str = "sandbox-org",
                 personal_token: str | None = None, auto_create: bool = False,
                 datasets: tuple[str, ...] = (),
                 ingest_only: bool = False, faults: Faults | None = None,
                 ingest_limit_bytes: int = DEFAULT_INGEST_LIMIT, fast: bool = False,
                 strict: bool = False, regions: tuple[str, ...] = REGIONS, default_region: str | None = None,
                 list_edge_urls: bool = False, refused_status: int = 401, plan: str = "cloud"):
        self.data_dir = Path(data_dir) if data_dir is not None else config.sandbox_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.token = token or "xaat-sandbox-" + secrets.token_hex(16)
        self.personal_token = personal_token or "xapt-sandbox-" + secrets.token_hex(16)
        self.host = host
        self.port = port
        self.org_id = org_id
        # Ingest into an unknown dataset is a 404, as on Axiom, which never creates a dataset on
        # ingest. auto_create=True is a test convenience only (a name is made by its first ingest).
        self.auto_create = auto_create
        self.ingest_only = ingest_only    # the API token may only ingest (403 on /v2/datasets)
        # Benchmarks: validate cheaply (body decompresses, events counted, first/last checked as
        # JSON objects by orjson), store nothing and lift the per-request event cap, so the
        # server is never what is measured.
        self.fast = fast
        self.faults = faults or Faults()
        self.ingest_limit_bytes = ingest_limit_bytes
        self.strict = strict              # API host and one edge per region apart (see above)
        self.regions = tuple(regions) if strict else ()
        self.default_region = default_region or (US_EAST if strict else LOCAL)
        self.list_edge_urls = list_edge_urls  # the listing carries edgeDeploymentUrl (strict mode)
        self.refused_status = refused_status  # a wrong token: 401, or 403 as Axiom's docs say
        if plan not in PLAN_FIELDS:
            raise ValueError(f"unknown plan {plan!r} (known: {', '.join(PLAN_FIELDS)})")
        self.plan = plan                  # Axiom's plan: fields per dataset (limits.PLAN_FIELDS)
        self.url = ""
        self.edge_urls: dict[str, str] = {}  # strict: region → its edge's URL
        self._store = DatasetStore(self.data_dir, max_fields=PLAN_FIELDS[plan])
        for name in datasets:  # exist from the start (the app's "playground" for a newcomer)
            if not self._store.exists(name):
                self.create_dataset(name, "made by the sandbox to try things in")
        self._requests = RequestLog()
        self._quotas = Quotas()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runners: list[web.AppRunner] = []

    # ---- lifecycle

    def start(self) -> "Sandbox":
        """Serve in a background thread; returns once the port listens (errors re-raised here)."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as e:  # noqa: BLE001 — handed to the starting thread
                failure.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="axiom-sandbox", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    async def _serve(self) -> None:
        api = self._app(None, api=True, edge=not self.strict)
        self.url = await self._listen(api, self.port)
        self.port = self._runners[0].addresses[0][1]
        for region in self.regions:
            self.edge_urls[region] = await self._listen(self._app(region, api=False, edge=True), 0)

    def _app(self, region: str | None, *, api: bool, edge: bool) -> web.Application:
        """The routes of one listener: the API host's, an edge's (of `region`), or both."""
        app = web.Application(middlewares=[self._middleware], client_max_size=HARD_BODY_CAP)
        app[REGION] = region
        if edge:
            app.router.add_post("/v1/ingest/{dataset}", self._edge_ingest)
            app.router.add_post("/v1/query/_apl", self._query_apl)
        if api:
            app.router.add_post("/v1/datasets/_apl", self._query_apl)
            app.router.add_post("/v1/datasets/{dataset}/ingest", self._legacy_ingest)
            app.router.add_get("/v2/datasets", self._list_datasets)
            app.router.add_post("/v2/datasets", self._create_dataset)
            app.router.add_get("/v2/datasets/{dataset}", self._get_dataset)
            app.router.add_delete("/v2/datasets/{dataset}", self._delete_dataset)
            app.router.add_get("/v2/user", self._user)
            app.router.add_get("/_sandbox/faults", self._get_faults)
            app.router.add_post("/_sandbox/faults", self._set_faults)
            app.router.add_get("/_sandbox/requests", self._get_requests)
            app.router.add_post("/_sandbox/reset", self._reset)
        return app

    async def _listen(self, app: web.Application, port: int) -> str:
        # Header lines as long as Go's net/http takes them (limits.MAX_HEADER_BYTES), not aiohttp's 8 KB
        runner = web.AppRunner(app, access_log=None, auto_decompress=False, handle_signals=False,
                               shutdown_timeout=1.0, max_line_size=MAX_HEADER_BYTES,
                               max_field_size=MAX_HEADER_BYTES)
        await runner.setup()
        self._runners.append(runner)
        await web.TCPSite(runner, self.host, port).start()
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{runner.addresses[0][1]}"

    @property
    def edge_url(self) -> str:
        """Where edge ingest goes: the default region's edge in strict mode, else the one port."""
        return self.edge_urls.get(self.default_region, self.url) if self.strict else self.url

    def stop(self) -> None:
        """Close the listener, let in-flight requests finish (1 s at most), end the thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        for runner in self._runners:
            try:
                asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
            except Exception:  # noqa: BLE001 — stopping must not fail
                log.exception("sandbox: cleanup failed")
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = self._loop = None
        self._runners = []
        self.edge_urls = {}

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> "Sandbox":
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    # ---- what tests look at

    def events(self, dataset: str) -> list[dict]:
        """What is stored in `dataset` (empty when nothing is)."""
        return self._store.events(dataset)

    def datasets(self) -> list[str]:
        return self._store.names()

    def create_dataset(self, name: str, description: str = "", region: str | None = None) -> dict:
        """Create a dataset directly (as a test's set-up: ingest does not create one), in `region`
        (an edgeDeployment name; default: the sandbox's default region)."""
        return self._store.create(name, description, EVENT_KIND, who="sandbox", region=region or self.default_region)

    @property
    def requests_log(self) -> list[dict]:
        """Per request, oldest first: time, method, path, status, dataset, events, stored, failed,
        bytes, processed_bytes, content_type, content_encoding, query, headers (names only),
        fault, trace_id. A copy: later requests do not change it."""
        return self._requests.entries()

    def reset(self) -> None:
        """Clear faults, stored events, datasets, counters and the request log."""
        self.faults.clear()
        self._store.clear()
        self._requests.clear()
        self._quotas.clear()

    # ---- what every answer carries

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_sandbox/"):
            try:
                return await handler(request)
            except ApiError as e:
                return error_response(e.status, e.message)
            except web.HTTPException as e:
                return error_response(e.status, REASONS.get(e.status, e.reason))
        now = time.time()
        entry = new_entry(request, now)
        request[ENTRY] = entry
        limit = self.faults.rate_limit_per_minute
        remaining, reset, over = self._quotas.count_request(now, limit)
        headers = {"X-RateLimit-Scope": "organization", "X-RateLimit-Limit": str(limit),
                   "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset),
                   "X-Axiom-Trace-Id": secrets.token_hex(16)}
        entry["trace_id"] = headers["X-Axiom-Trace-Id"]
        error_headers: dict[str, str] = {}
        try:
            if over:
                raise ApiError(429, "rate limit exceeded", {"X-RateLimit-Remaining": "0"})
            response = await handler(request)
        except HtmlError as e:
            response = web.Response(status=e.status, text=e.message, content_type="text/html")
        except ApiError as e:
            response = error_response(e.status, e.message)
            error_headers = e.headers
        except web.HTTPException as e:
            response = error_response(e.status, REASONS.get(e.status, e.reason or "error"))
        except Dropped:  # the transport is aborted: aiohttp's write of this fails quietly
            self._requests.add(entry)
            return web.Response()
        if request.get(INGESTING):
            headers.update(self._quotas.ingest_headers(now, self.ingest_limit_bytes))
        headers.update(error_headers)
        response.headers.update(headers)
        if (delay := self.faults.delay) > 0:
            await asyncio.sleep(delay)
        entry["status"] = response.status
        self._requests.add(entry)
        log.debug("sandbox %s %s -> %s", request.method, request.path, response.status)
        return response
