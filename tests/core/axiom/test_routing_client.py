"""The routing table as the client and connect use it, with Axiom's own host names (an
httpx.MockTransport plays api.axiom.co and both edges): which host each request reached, what a
create asks for, what is refused before any request."""

from __future__ import annotations

import asyncio

import httpx
import orjson

from app.core import config, connect
from app.core.axiom import AxiomClient, AxiomError, ErrorKind, RegionError, client_from_env, dataset_name_problem

INGEST_OK = {"ingested": 1, "failed": 0, "failures": [], "processedBytes": 3}
EU, US = "cloud.eu-central-1.aws", "cloud.us-east-1.aws"


class FakeAxiom:
    """api.axiom.co (/v2, legacy ingest) and the two edges (/v1/ingest only); each request kept."""

    def __init__(self, datasets=(), list_status=200):
        self.datasets = {d["name"]: d for d in datasets}
        self.list_status = list_status
        self.seen: list[tuple[str, str, str, dict]] = []  # (method, host, path, json body)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content) if request.content and request.method == "POST" and \
            request.headers.get("content-type") == "application/json" and request.url.path.startswith("/v2") else {}
        self.seen.append((request.method, request.url.host, request.url.path, body))
        host, path = request.url.host, request.url.path
        if host == "api.axiom.co":
            if path.startswith("/v1/ingest/"):
                return httpx.Response(404, json={"message": "not found"})  # not served there
            if path == "/v2/datasets" and request.method == "GET":
                return httpx.Response(self.list_status, json=list(self.datasets.values()) if self.list_status == 200
                                      else {"message": "forbidden"})
            if path.startswith("/v2/datasets/") and request.method == "GET":
                name = path.rsplit("/", 1)[1]
                if self.list_status != 200:
                    return httpx.Response(self.list_status, json={"message": "forbidden"})
                ds = self.datasets.get(name)
                return httpx.Response(200, json=ds) if ds else httpx.Response(404, json={"message": "not found"})
            if path == "/v2/datasets" and request.method == "POST":
                return httpx.Response(200, json={"id": body["name"], "name": body["name"],
                                                 "edgeDeployment": body.get("edgeDeployment", US)})
            if path.endswith("/ingest"):
                return httpx.Response(200, json=INGEST_OK)
        if host.endswith(".edge.axiom.co"):
            if path.startswith("/v2/"):
                return httpx.Response(404, json={"message": "not found"})
            region = "cloud." + host[: -len(".edge.axiom.co")]
            ds = self.datasets.get(path.rsplit("/", 1)[1])
            if ds is None or ds.get("edgeDeployment", US) != region:
                return httpx.Response(404, json={"message": "dataset not found"})
            return httpx.Response(200, json=INGEST_OK)
        return httpx.Response(599)

    def ingests(self):
        return [(host, path) for method, host, path, _ in self.seen if path.startswith("/v1/")]


def _run(fake, client_maker, go):
    async def main():
        client = client_maker(httpx.MockTransport(fake))
        try:
            return await go(client)
        finally:
            await client.aclose()
    return asyncio.run(main())


def _profile_client(kind, token="xaat-routing-test", org_id=None):
    def make(transport):
        ep = config.Profile("p", kind)
        from app.core.axiom import Endpoint

        return AxiomClient(Endpoint.for_profile(ep), token, org_id, transport=transport)
    return make


async def _send(client, dataset):
    await connect.learn_region(client, dataset)
    try:
        return await client.ingest(dataset, b"{}\n", content_type="application/x-ndjson")
    except AxiomError as e:
        return e


def test_an_eu_dataset_from_the_default_us_setup_lands_on_the_eu_edge():
    fake = FakeAxiom([{"id": "eu-logs", "name": "eu-logs", "edgeDeployment": EU}])  # no edgeDeploymentUrl
    result = _run(fake, _profile_client("us"), lambda c: _send(c, "eu-logs"))
    assert result.ingested == 1
    assert fake.ingests() == [("eu-central-1.aws.edge.axiom.co", "/v1/ingest/eu-logs")]
    assert [(h, p) for _, h, p, _ in fake.seen][0] == ("api.axiom.co", "/v2/datasets/eu-logs")  # never /v2 on an edge


def test_the_window_listing_routes_without_a_lookup():
    fake = FakeAxiom([{"id": "eu-logs", "name": "eu-logs", "edgeDeployment": EU},
                      {"id": "us-logs", "name": "us-logs", "edgeDeployment": US}])

    async def go(client):
        access = await connect.list_datasets(client)
        return access, [await _send(client, "eu-logs"), await _send(client, "us-logs")]

    access, results = _run(fake, _profile_client("eu"), go)
    assert access.state == "connected" and [d.region for d in access.datasets] == [EU, US]
    assert all(r.ingested == 1 for r in results)
    assert [p for _, _, p, _ in fake.seen if p.startswith("/v2")] == ["/v2/datasets"]
    assert fake.ingests() == [("eu-central-1.aws.edge.axiom.co", "/v1/ingest/eu-logs"),
                              ("us-east-1.aws.edge.axiom.co", "/v1/ingest/us-logs")]


def test_axiom_url_alone_uses_the_legacy_path_on_the_api_host():
    """AXIOM_URL=https://api.axiom.co, a token that may not read the dataset: as axiom-go and axiom-js."""
    fake = FakeAxiom([{"id": "logs", "name": "logs", "edgeDeployment": US}], list_status=403)
    make = lambda t: AxiomClient(client_from_env({"AXIOM_TOKEN": "xaat-x", "AXIOM_URL": "https://api.axiom.co"}).endpoint,
                                 "xaat-x", transport=t)
    result = _run(fake, make, lambda c: _send(c, "logs"))
    assert result.ingested == 1
    assert fake.ingests() == [("api.axiom.co", "/v1/datasets/logs/ingest")]


def test_axiom_edge_url_with_axiom_url_sends_edge_ingest_there():
    fake = FakeAxiom([{"id": "eu-logs", "name": "eu-logs", "edgeDeployment": EU}], list_status=403)
    env = {"AXIOM_TOKEN": "xaat-x", "AXIOM_URL": "https://api.axiom.co",
           "AXIOM_EDGE_URL": "https://eu-central-1.aws.edge.axiom.co"}
    make = lambda t: AxiomClient(client_from_env(env).endpoint, "xaat-x", transport=t)
    assert _run(fake, make, lambda c: _send(c, "eu-logs")).ingested == 1
    assert fake.ingests() == [("eu-central-1.aws.edge.axiom.co", "/v1/ingest/eu-logs")]


def test_a_personal_token_is_refused_for_an_eu_dataset_before_any_ingest():
    fake = FakeAxiom([{"id": "eu-logs", "name": "eu-logs", "edgeDeployment": EU},
                      {"id": "us-logs", "name": "us-logs", "edgeDeployment": US}])
    make = _profile_client("us", token="xapt-personal", org_id="acme")
    err = _run(fake, make, lambda c: _send(c, "eu-logs"))
    assert isinstance(err, RegionError) and err.kind is ErrorKind.REGION
    assert "An API token (xaat-…) is needed for EU datasets" in err.message
    assert fake.ingests() == []
    fake.seen.clear()
    assert _run(fake, make, lambda c: _send(c, "us-logs")).ingested == 1
    assert fake.ingests() == [("api.axiom.co", "/v1/datasets/us-logs/ingest")]


def test_a_personal_token_on_the_eu_profile_is_refused_when_the_region_cannot_be_read():
    fake = FakeAxiom([], list_status=403)
    err = _run(fake, _profile_client("eu", token="xapt-personal", org_id="acme"), lambda c: _send(c, "typed"))
    assert isinstance(err, RegionError) and fake.ingests() == []


def test_a_dataset_created_from_the_eu_profile_is_asked_for_in_the_eu():
    fake = FakeAxiom()
    ds = _run(fake, _profile_client("eu"), lambda c: c.create_dataset("eu-new", "made here"))
    (_, host, path, body), = fake.seen
    assert (host, path, body) == ("api.axiom.co", "/v2/datasets",
                                  {"name": "eu-new", "description": "made here", "edgeDeployment": EU})
    assert ds.region == EU
    fake.seen.clear()
    _run(fake, _profile_client("us"), lambda c: c.create_dataset("us-new"))
    assert fake.seen[0][3] == {"name": "us-new", "edgeDeployment": US}


def test_names_axiom_would_refuse_are_refused_before_asking():
    for name, why in [("", "needs a name"), ("x" * 81, "at most 80"), ("-logs", "starts and ends"),
                      ("logs.", "starts and ends"), ("axiom-logs", "reserved"), ("bad name!", "only letters"),
                      ("_x", "starts and ends")]:
        assert why in (dataset_name_problem(name) or ""), name
        fake = FakeAxiom()

        async def create(client):
            try:
                return await client.create_dataset(name)
            except AxiomError as e:
                return e

        err = _run(fake, _profile_client("us"), create)
        assert isinstance(err, AxiomError) and err.kind is ErrorKind.BAD_REQUEST and why in err.message
        assert fake.seen == []
    for name in ("x" * 80, "a", "web-logs_2026.v1", "Axiom-is-fine", "9"):
        assert dataset_name_problem(name) is None, name
