"""The API endpoints besides ingest and query: /v2/datasets (list, get, create, delete), /v2/user, and the
sandbox's own /_sandbox/faults, /_sandbox/requests and /_sandbox/reset (any valid token).

A dataset carries its region (`edgeDeployment`, from the create body or the sandbox's default);
`edgeDeploymentUrl` is listed only when `list_edge_urls` says so (Axiom often leaves it out)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from app.sandbox.auth import TokenChecks
from app.sandbox.bodies import json_object
from app.sandbox.errors import ApiError, json_response
from app.sandbox.faults import Faults
from app.sandbox.names import LOCAL, REGIONS
from app.sandbox.requestlog import RequestLog
from app.sandbox.store import EVENT_KIND, DatasetStore


class ApiRoutes(TokenChecks):
    """Mixin of the Sandbox: its non-ingest handlers."""

    faults: Faults
    _store: DatasetStore
    _requests: RequestLog
    reset: Callable[[], None]   # the Sandbox's: faults, datasets, counters and log cleared
    strict: bool
    default_region: str
    list_edge_urls: bool
    edge_urls: dict[str, str]   # strict mode: region → its edge listener's URL

    def _with_url(self, described: dict) -> dict:
        url = self.edge_urls.get(described.get("edgeDeployment") or "") if self.list_edge_urls else None
        return {**described, "edgeDeploymentUrl": url} if url else described

    async def _list_datasets(self, request: web.Request) -> web.Response:
        self._auth_api(request)
        return json_response(200, [self._with_url(d) for d in self._store.describe_all()])

    async def _get_dataset(self, request: web.Request) -> web.Response:
        self._auth_api(request)
        described = self._store.describe(request.match_info["dataset"])
        if described is None:
            raise ApiError(404, "Not found")  # Axiom's words (v1.json NotFoundError)
        return json_response(200, self._with_url(described))

    async def _create_dataset(self, request: web.Request) -> web.Response:
        self._auth_api(request)
        body = await json_object(request, "the body must be a JSON object with a name")
        description = body.get("description") or ""
        kind = body.get("kind") or EVENT_KIND
        region = body.get("edgeDeployment") or self.default_region
        if not isinstance(description, str) or not isinstance(kind, str):
            raise ApiError(400, "description and kind must be strings")
        served = tuple(self.edge_urls) if self.strict else (*REGIONS, LOCAL)
        if region not in served:
            raise ApiError(400, f"unknown edgeDeployment {region!r}: use one of {', '.join(served)}")
        created = self._store.create(body.get("name"), description, kind, who="sandbox-user", region=region)
        return json_response(200, self._with_url(created))

    async def _delete_dataset(self, request: web.Request) -> web.Response:
        """DELETE /v2/datasets/{id}: 204 with no body (v2.json), its events gone; 404 when unknown."""
        self._auth_api(request)
        if not self._store.delete(request.match_info["dataset"]):
            raise ApiError(404, "Not found")
        return web.Response(status=204)

    async def _user(self, request: web.Request) -> web.Response:
        if self._auth(request) != "personal":
            raise ApiError(403, "forbidden: /v2/user needs a personal access token (xapt-…)")
        return json_response(200, {"id": "sandbox-user", "name": "Sandbox User",
                                   "email": "sandbox@localhost", "role": {"id": "owner", "name": "Owner"}})

    # ---- sandbox control

    async def _get_faults(self, request: web.Request) -> web.Response:
        self._auth(request)
        return json_response(200, self.faults.to_json())

    async def _set_faults(self, request: web.Request) -> web.Response:
        self._auth(request)
        body = await json_object(request, "the body must be a JSON object of fault settings")
        try:
            self.faults.update(body)
        except ValueError as e:
            raise ApiError(400, str(e)) from None
        return json_response(200, self.faults.to_json())

    async def _get_requests(self, request: web.Request) -> web.Response:
        self._auth(request)
        return json_response(200, self._requests.entries())

    async def _reset(self, request: web.Request) -> web.Response:
        self._auth(request)
        self.reset()
        return json_response(200, {"message": "reset"})
