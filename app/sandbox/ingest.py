"""The two ingest endpoints: POST /v1/ingest/{dataset} (edge, API tokens only) and
POST /v1/datasets/{dataset}/ingest (also personal access tokens), whole or in the `fast`
benchmark mode. `walLength` in the 200 answer equals `ingested`.

In strict mode each listener serves one region (server.py): an edge ingests only into datasets of
its region, the API host's legacy endpoint only into US East; another region's dataset is not
found there (404), as on Axiom, where a dataset lives in one edge deployment."""

from __future__ import annotations

import asyncio

import orjson
from aiohttp import web

from app.sandbox.auth import TokenChecks
from app.sandbox.bodies import parse_csv, parse_json, parse_ndjson
from app.sandbox.errors import ApiError, BadEvent, drop_connection, json_response
from app.sandbox.fastcount import FastCounter
from app.sandbox.faults import Faults, apply_script
from app.sandbox.inflate import Inflater, decompress
from app.sandbox.limits import HARD_BODY_CAP, MAX_EVENTS
from app.sandbox.quotas import INGESTING, Quotas
from app.sandbox.requestlog import ENTRY
from app.sandbox.names import REGION, US_EAST, name_error
from app.sandbox.store import DatasetStore

CONTENT_TYPES = ("application/json", "application/x-ndjson", "text/csv")


class IngestRoutes(TokenChecks):
    """Mixin of the Sandbox: its ingest handlers."""

    faults: Faults
    auto_create: bool         # unknown dataset on ingest: 404 (False, as Axiom) or create it (tests)
    strict: bool              # API host and edges apart, one region per edge (server.py)
    default_region: str       # the region of datasets created without one
    fast: bool
    ingest_limit_bytes: int
    _store: DatasetStore
    _quotas: Quotas

    async def _edge_ingest(self, request: web.Request) -> web.StreamResponse:
        return await self._ingest(request, edge=True)

    async def _legacy_ingest(self, request: web.Request) -> web.StreamResponse:
        return await self._ingest(request, edge=False)

    async def _ingest(self, request: web.Request, *, edge: bool) -> web.StreamResponse:
        request[INGESTING] = True
        entry = request[ENTRY]
        dataset = request.match_info["dataset"]
        fault = self.faults.pop_script()
        entry["fault"] = fault
        if fault:
            await apply_script(request, fault, entry)
        kind = self._auth(request)
        if kind == "personal":
            if edge:
                raise ApiError(403, "edge ingest (/v1/ingest/{dataset}) needs an API token (xaat-…); "
                                    "personal access tokens work on /v1/datasets/{dataset}/ingest")
            self._check_org(request)
        served = (request.app[REGION] if edge else US_EAST) if self.strict else None
        region = self._store.region(dataset)
        exists = region is not None
        if (not exists and not self.auto_create) or (exists and served and region != served):
            raise ApiError(404, "dataset not found")
        if not exists and (problem := name_error(dataset)):
            raise ApiError(400, problem)

        labels = _labels(request)
        mime = request.content_type.lower()
        if mime not in CONTENT_TYPES:
            raise ApiError(415, f"unsupported content type {mime!r}: use application/json, "
                                "application/x-ndjson or text/csv")
        if self.fast:
            return await self._fast_ingest(request, mime)
        body = await request.read()
        entry["bytes"] = len(body)
        cap = self.faults.max_body_bytes or HARD_BODY_CAP
        data = decompress(body, _encoding(request), cap)
        entry["processed_bytes"] = len(data)
        self._quotas.check_ingest(self.ingest_limit_bytes)

        try:
            if mime == "text/csv":
                events = parse_csv(data, _delimiter(request), _csv_fields(request))
            elif mime == "application/x-ndjson":
                events = parse_ndjson(data)
            else:
                events = parse_json(data)
        except BadEvent as e:
            raise ApiError(400, str(e)) from None
        entry["events"] = len(events)
        if len(events) > MAX_EVENTS:
            raise ApiError(400, f"too many events: {len(events)} (max {MAX_EVENTS})")

        if fault and fault.startswith("slow="):
            await asyncio.sleep(float(fault.split("=", 1)[1]))
        # only a request that gets this far creates the dataset
        self._store.create_if_missing(dataset, who="ingest", region=served or self.default_region)
        stored, failures = self._store.append(
            dataset, events, labels=labels, layout=request.query.get("timestamp-format") or None,
            timestamp_field=request.query.get("timestamp-field") or "_time",
            reject=self.faults.reject_field, max_fields=self.faults.max_fields)
        self._quotas.add_ingested(len(data))
        entry["stored"], entry["failed"] = stored, len(failures)
        if fault == "drop-response":
            drop_connection(request)
        return json_response(200, {"ingested": stored, "failed": len(failures), "failures": failures,
                                   "processedBytes": len(data), "blocksCreated": 0, "walLength": stored})

    async def _fast_ingest(self, request: web.Request, mime: str) -> web.StreamResponse:
        """The `fast` ingest: the body is decompressed and counted while it arrives, with the same
        answers and checks as `_ingest` (whose order they keep); errors are answered once the
        whole body is received, as there."""
        entry = request[ENTRY]
        cap = self.faults.max_body_bytes or HARD_BODY_CAP
        counter = FastCounter(mime)
        error: ApiError | None = None
        try:
            inflater = Inflater(_encoding(request), cap)
        except ApiError as e:
            error = e
        received = 0
        async for piece in request.content.iter_any():
            received += len(piece)
            if received >= request.client_max_size:  # as request.read() does
                raise ApiError(413, "request entity too large")
            if error is None:
                try:
                    counter.feed(inflater.feed(piece))  # 413 past the cap, from the inflater
                except ApiError as e:
                    error = e  # the rest is read, so the client sees the answer
        entry["bytes"] = received
        if error is not None:
            raise error
        inflater.close()
        size = counter.size
        entry["processed_bytes"] = size
        self._quotas.check_ingest(self.ingest_limit_bytes)
        try:
            count = counter.finish(_delimiter(request), _csv_fields(request) is not None)
        except BadEvent as e:
            raise ApiError(400, str(e)) from None
        # No 10,000-event cap here: the tools compared with Axiom Drop in the benchmarks send a
        # whole file as one request, and that must be measured, not refused.
        entry["events"] = entry["stored"] = count
        self._quotas.add_ingested(size)
        return json_response(200, {"ingested": count, "failed": 0, "failures": [],
                                   "processedBytes": size, "blocksCreated": 0, "walLength": count})


def _encoding(request: web.Request) -> str | None:
    return request.headers.get("Content-Encoding", "").strip().lower() or None


def _labels(request: web.Request) -> dict | None:
    raw = request.headers.get("X-Axiom-Event-Labels")
    if raw is None:
        return None
    try:
        labels = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise ApiError(400, f"invalid X-Axiom-Event-Labels header: {e}") from None
    if type(labels) is not dict:
        raise ApiError(400, "invalid X-Axiom-Event-Labels header: it must be a JSON object")
    return labels


def _delimiter(request: web.Request) -> str:
    value = request.query.get("csv-delimiter", ",")
    value = {"\\t": "\t", "tab": "\t"}.get(value, value)
    if len(value) != 1 or value in "\r\n\"":
        raise ApiError(400, f"invalid csv-delimiter {value!r}: use a single character")
    return value


def _csv_fields(request: web.Request) -> list[str] | None:
    """The field names of a headerless CSV; None when the first row is the header — also for an
    empty header, which axiom-go sends with every CSV that has a header row (docs/axiom-api.md)."""
    raw = request.headers.get("X-Axiom-CSV-Fields", "")
    fields = [f.strip() for f in raw.split(",")]
    return fields if any(fields) else None
