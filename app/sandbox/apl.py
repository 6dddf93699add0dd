"""The APL query endpoints, for the counts a conformance check reads back: POST
/v1/datasets/_apl?format=tabular on the API host (as axiom-js sends it with `url`) and
/v1/query/_apl?format=tabular on an edge (with `edge`/`edgeUrl`; the docs' query page).

Only a small subset of APL, answered in Axiom's tabular shape (the docs' example response):
`['dataset']` (or a bare name), then any of `| where FIELD == "value"` (or 'value'),
`| summarize count() [by FIELD]`, `| count`; `startTime`/`endTime` bound `_time`. Anything else
is a 400 saying what is understood. An API token that may only ingest gets 403, as on Axiom.
"""

from __future__ import annotations

import re
from collections import Counter

from aiohttp import web

from app.core.time import parse_time
from app.sandbox.auth import TokenChecks
from app.sandbox.bodies import json_object
from app.sandbox.errors import ApiError, json_response
from app.sandbox.store import DatasetStore

_SOURCE = re.compile(r"\s*(?:\[\s*'([^']+)'\s*\]|\[\s*\"([^\"]+)\"\s*\]|([A-Za-z0-9._-]+))\s*")
_WHERE = re.compile(r"where\s+([A-Za-z0-9_.]+)\s*==\s*(?:\"([^\"]*)\"|'([^']*)')")
_SUMMARIZE = re.compile(r"summarize\s+count\(\)(?:\s+by\s+([A-Za-z0-9_.]+))?")
UNDERSTOOD = ("the sandbox understands only ['dataset'] | where f == \"v\" | summarize count() [by f] | count")


def _field(event: dict, name: str):
    value = event
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def run_apl(store: DatasetStore, apl: str, start_ns: int | None, end_ns: int | None) -> dict:
    """The tabular answer to `apl` (the subset above); ApiError 400/404."""
    parts = [p.strip() for p in apl.split("|")]
    source = _SOURCE.fullmatch(parts[0])
    if not source:
        raise ApiError(400, f"cannot read the dataset of the query: {UNDERSTOOD}")
    dataset = next(g for g in source.groups() if g)
    if not store.exists(dataset):
        raise ApiError(404, "Not found")
    rows = [e for e in store.events(dataset)
            if (t := parse_time(e.get("_time"))) is not None and (start_ns is None or t >= start_ns)
            and (end_ns is None or t < end_ns)]
    examined, table = len(rows), None
    for op in parts[1:]:
        if table is not None:
            raise ApiError(400, f"nothing may follow a count: {UNDERSTOOD}")
        if m := _WHERE.fullmatch(op):
            value = m.group(2) if m.group(2) is not None else m.group(3)
            rows = [e for e in rows if _field(e, m.group(1)) is not None and str(_field(e, m.group(1))) == value]
        elif m := _SUMMARIZE.fullmatch(op):
            by = m.group(1)
            if by:
                counts = Counter(_field(e, by) for e in rows)
                table = ([{"name": by, "type": "string"}, {"name": "count_", "type": "integer"}],
                         [list(counts), list(counts.values())])
            else:
                table = ([{"name": "count_", "type": "integer"}], [[len(rows)]])
        elif op == "count":
            table = ([{"name": "Count", "type": "integer"}], [[len(rows)]])
        else:
            raise ApiError(400, f"unsupported APL {op!r}: {UNDERSTOOD}")
    if table is None:
        raise ApiError(400, f"the query must end in a count: {UNDERSTOOD}")
    fields, columns = table
    return {"format": "tabular",
            "status": {"elapsedTime": 0, "rowsExamined": examined, "rowsMatched": len(rows), "isPartial": False},
            "tables": [{"name": "0", "sources": [{"name": dataset}], "fields": fields, "order": [], "columns": columns}],
            "datasetNames": [dataset]}


class QueryRoutes(TokenChecks):
    """Mixin of the Sandbox: the APL query handler (one for both paths)."""

    _store: DatasetStore

    async def _query_apl(self, request: web.Request) -> web.Response:
        self._auth_api(request)  # an ingest-only API token: 403
        if request.query.get("format") not in ("tabular", "legacy"):
            raise ApiError(400, "format must be tabular (or legacy)")
        if request.query["format"] != "tabular":
            raise ApiError(400, "the sandbox answers format=tabular only")
        body = await json_object(request, "the body must be a JSON object with an apl query")
        apl = body.get("apl")
        if not isinstance(apl, str) or not apl.strip():
            raise ApiError(400, "apl must be a query string")
        bounds = []
        for key in ("startTime", "endTime"):
            value = body.get(key)
            ns = parse_time(value) if value else None
            if value and ns is None:
                raise ApiError(400, f"invalid {key} {value!r}: use RFC 3339")
            bounds.append(ns)
        return json_response(200, run_apl(self._store, apl, *bounds))
