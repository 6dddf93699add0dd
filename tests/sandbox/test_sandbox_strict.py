"""Strict mode: the API host and one edge per region on their own ports, as Axiom serves them;
dataset names and regions as Axiom accepts them. The default stays one port for everything."""

from __future__ import annotations

import httpx
import pytest

from app.sandbox import Sandbox

EU, US = "cloud.eu-central-1.aws", "cloud.us-east-1.aws"


def auth(token, org=None):
    headers = {"Authorization": f"Bearer {token}"}
    if org:
        headers["X-Axiom-Org-Id"] = org
    return headers


@pytest.fixture
def strict(tmp_path):
    with Sandbox(tmp_path / "sb", strict=True, list_edge_urls=True) as sb:
        yield sb


def test_edge_paths_on_the_api_host_and_v2_on_an_edge_are_404(strict):
    sb = strict
    sb.create_dataset("logs")
    h = auth(sb.token)
    assert set(sb.edge_urls) == {US, EU} and len({sb.url, *sb.edge_urls.values()}) == 3
    assert sb.edge_url == sb.edge_urls[US]
    assert httpx.post(f"{sb.url}/v1/ingest/logs", content=b'{"a":1}', headers=h).status_code == 404
    for edge in sb.edge_urls.values():
        assert httpx.get(f"{edge}/v2/datasets", headers=h).status_code == 404
        assert httpx.post(f"{edge}/v1/datasets/logs/ingest", content=b'{"a":1}', headers=h).status_code == 404
    ok = httpx.post(f"{sb.edge_urls[US]}/v1/ingest/logs", content=b'{"a":1}',
                    headers={**h, "Content-Type": "application/x-ndjson"})
    assert ok.status_code == 200 and ok.json()["ingested"] == 1
    assert sb.requests_log[-1]["port"] == int(sb.edge_urls[US].rsplit(":", 1)[1])


def test_each_edge_takes_only_its_regions_datasets_and_legacy_only_us_east(strict):
    sb = strict
    sb.create_dataset("eu-logs", region=EU)
    sb.create_dataset("us-logs", region=US)
    h = {**auth(sb.token), "Content-Type": "application/x-ndjson"}
    assert httpx.post(f"{sb.edge_urls[US]}/v1/ingest/eu-logs", content=b'{"a":1}', headers=h).status_code == 404
    assert httpx.post(f"{sb.edge_urls[EU]}/v1/ingest/eu-logs", content=b'{"a":1}', headers=h).status_code == 200
    assert httpx.post(f"{sb.url}/v1/datasets/eu-logs/ingest", content=b'{"a":2}', headers=h).status_code == 404
    assert httpx.post(f"{sb.url}/v1/datasets/us-logs/ingest", content=b'{"a":3}', headers=h).status_code == 200
    assert [e["a"] for e in sb.events("eu-logs")] == [1] and [e["a"] for e in sb.events("us-logs")] == [3]
    listed = {d["name"]: d for d in httpx.get(f"{sb.url}/v2/datasets", headers=auth(sb.token)).json()}
    assert listed["eu-logs"]["edgeDeployment"] == EU and listed["eu-logs"]["edgeDeploymentUrl"] == sb.edge_urls[EU]


def test_create_takes_the_region_from_the_body(strict):
    sb = strict
    h = auth(sb.token)
    made = httpx.post(f"{sb.url}/v2/datasets", json={"name": "made-eu", "edgeDeployment": EU}, headers=h).json()
    assert made["edgeDeployment"] == EU
    assert httpx.post(f"{sb.url}/v2/datasets", json={"name": "made-us"}, headers=h).json()["edgeDeployment"] == US
    bad = httpx.post(f"{sb.url}/v2/datasets", json={"name": "x", "edgeDeployment": "cloud.mars-1.aws"}, headers=h)
    assert bad.status_code == 400 and "edgeDeployment" in bad.json()["message"]


@pytest.mark.parametrize("name", ["x" * 81, "-logs", "logs-", ".logs", "_logs", "axiom-logs", "bad name", "a/b"])
def test_names_axiom_refuses_are_refused(sb, name):
    r = httpx.post(f"{sb.url}/v2/datasets", json={"name": name}, headers=auth(sb.token))
    assert r.status_code in (400, 404) and name not in sb.datasets()
    ingest = httpx.post(f"{sb.url}/v1/ingest/{name}", content=b'{"a":1}',
                        headers={**auth(sb.token), "Content-Type": "application/x-ndjson"})
    assert ingest.status_code in (400, 404) and sb.datasets() == []


@pytest.mark.parametrize("name", ["x" * 80, "a", "web-logs_2026.v1", "Axiom-logs"])
def test_names_axiom_accepts_are_created(sb, name):
    r = httpx.post(f"{sb.url}/v2/datasets", json={"name": name}, headers=auth(sb.token))
    assert r.status_code == 200 and name in sb.datasets()


def test_the_default_is_one_port_for_both_roles(sb):
    h = {**auth(sb.token), "Content-Type": "application/x-ndjson"}
    assert sb.edge_urls == {} and sb.edge_url == sb.url
    assert httpx.post(f"{sb.url}/v1/ingest/a", content=b'{"a":1}', headers=h).status_code == 200
    assert httpx.post(f"{sb.url}/v1/datasets/a/ingest", content=b'{"a":1}', headers=h).status_code == 200
    assert httpx.get(f"{sb.url}/v2/datasets", headers=h).json()[0]["edgeDeployment"] == "local"


def test_a_wrong_token_can_be_answered_403_as_axioms_docs_say(tmp_path):
    with Sandbox(tmp_path / "sb", refused_status=403) as sb:
        assert httpx.get(f"{sb.url}/v2/datasets", headers=auth("xaat-revoked")).status_code == 403
        assert httpx.get(f"{sb.url}/v2/user", headers=auth("xapt-revoked")).status_code == 403
