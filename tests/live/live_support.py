"""The live check's targets and the calls the app itself does not make (query, delete).

A `Target` is an environment as Axiom's own tools read it (AXIOM_TOKEN, AXIOM_ORG_ID, AXIOM_URL,
AXIOM_EDGE_URL), so the app's client is made exactly as `axiom-drop send` makes it from the
environment (client_from_env). Real Axiom: the variables of this process. The sandbox: a strict
one on loopback (API host and edges apart), given to the same code. The token is only ever put in
request headers: never printed, never in a URL.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx

from app.core import axiom

LIVE_VARIABLES = ("AXIOM_TOKEN", "AXIOM_ORG_ID", "AXIOM_URL", "AXIOM_EDGE_URL", "AXIOM_EDGE", "AXIOM_TEST_DATASET")
NOT_SET = ("AXIOM_TOKEN is not set: the live check runs against real Axiom only with an account "
           "(AXIOM_TOKEN, and as needed AXIOM_ORG_ID, AXIOM_URL/AXIOM_EDGE_URL, AXIOM_TEST_DATASET)")


@dataclass
class Target:
    name: str                        # "sandbox" or "axiom"
    env: dict[str, str] = field(repr=False)  # what client_from_env reads (holds the token: never shown)
    allow_http: bool = False         # the sandbox: plain http on loopback
    given_dataset: str | None = None  # AXIOM_TEST_DATASET: used as is, never created nor deleted
    run: str = field(default_factory=lambda: secrets.token_hex(6))  # tags this run's events
    dataset: str = ""                # set once created (or given)
    created: bool = False
    query_wait: float = 0.0          # seconds to wait for ingested events to be queryable

    def client(self) -> axiom.AxiomClient:
        return axiom.client_from_env(self.env, allow_http=self.allow_http)

    def temp_name(self) -> str:
        """A unique dataset name Axiom accepts (not `axiom-…`, at most 80 characters)."""
        return f"drop-live-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{self.run}"


def axiom_target() -> Target | None:
    """Real Axiom from this process's environment; None when AXIOM_TOKEN is not set."""
    env = {k: os.environ[k] for k in LIVE_VARIABLES if os.environ.get(k, "").strip()}
    if "AXIOM_TOKEN" not in env:
        return None
    return Target("axiom", env, given_dataset=env.get("AXIOM_TEST_DATASET"), query_wait=60.0)


def sandbox_target(sandbox) -> Target:
    """A running strict sandbox: its API host as AXIOM_URL, its default region's edge as AXIOM_EDGE_URL."""
    return Target("sandbox", {"AXIOM_TOKEN": sandbox.token, "AXIOM_URL": sandbox.url,
                              "AXIOM_EDGE_URL": sandbox.edge_url}, allow_http=True)


def _headers(target: Target) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {target.env['AXIOM_TOKEN']}", "Content-Type": "application/json"}
    if target.env.get("AXIOM_ORG_ID"):
        headers["X-Axiom-Org-Id"] = target.env["AXIOM_ORG_ID"]
    return headers


def delete_dataset(target: Target, name: str) -> int:
    """DELETE /v2/datasets/{id} on the API host (v2.json: 204); the status."""
    api = target.client().endpoint.api_url
    return httpx.delete(f"{api}/v2/datasets/{name}", headers=_headers(target), timeout=30).status_code


class QueryRefused(Exception):
    """The token may not query (403): the counts cannot be read back."""


def count_by(target: Target, field_name: str, where: dict[str, str]) -> dict[str, int]:
    """{value of field_name: events} of this target's dataset where each `where` field equals its value,
    by the APL query endpoint axiom-js uses: the edge's /v1/query/_apl when an edge is set, else the
    API host's /v1/datasets/_apl (format=tabular)."""
    endpoint = target.client().endpoint
    url = (f"{endpoint.ingest_url}/v1/query/_apl" if endpoint.edge else f"{endpoint.api_url}/v1/datasets/_apl")
    filters = "".join(f' | where {k} == "{v}"' for k, v in where.items())
    now = datetime.now(timezone.utc)
    body = {"apl": f"['{target.dataset}']{filters} | summarize count() by {field_name}",
            "startTime": (now - timedelta(hours=1)).isoformat(), "endTime": (now + timedelta(hours=1)).isoformat()}
    r = httpx.post(url, params={"format": "tabular"}, json=body, headers=_headers(target), timeout=60)
    if r.status_code == 403:
        raise QueryRefused(f"the token may not query (403 from {httpx.URL(url).host})")
    r.raise_for_status()
    [table] = r.json()["tables"]
    names = [f["name"] for f in table["fields"]]
    if not table["columns"] or not table["columns"][0]:
        return {}
    values, counts = table["columns"][names.index(field_name)], table["columns"][1 - names.index(field_name)]
    return {str(v): int(c) for v, c in zip(values, counts)}


def wait_for_count(target: Target, fmt: str, expected: int) -> dict[str, int]:
    """The counts for `fmt` once they reach `expected` (or what they are when the wait is over):
    Axiom makes ingested events queryable within seconds, not at once."""
    deadline = time.monotonic() + target.query_wait
    while True:
        counts = count_by(target, "fmt", {"run": target.run, "fmt": fmt})
        if counts.get(fmt, 0) >= expected or time.monotonic() >= deadline:
            return counts
        time.sleep(2)
