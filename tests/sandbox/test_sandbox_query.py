"""The sandbox's APL subset (count by a field) and DELETE /v2/datasets/{id}, which the live check
reads back and cleans up with, on the paths Axiom serves them (API host and edge)."""

from __future__ import annotations

import httpx

from app.sandbox import Sandbox
from sandbox_support import auth, ingest, ndjson


def _query(url: str, token: str, apl: str, path: str = "/v1/datasets/_apl", **body) -> httpx.Response:
    return httpx.post(url + path, params={"format": "tabular"}, json={"apl": apl, **body},
                      headers=auth(token), timeout=10)


def test_counts_by_field_in_the_tabular_shape(tmp_path):
    with Sandbox(tmp_path, strict=True) as sb:
        sb.create_dataset("q")
        r = httpx.post(f"{sb.edge_url}/v1/ingest/q", headers=auth(sb.token, **{"Content-Type": "application/x-ndjson"}),
                       content=ndjson({"run": "r1", "fmt": "a"}, {"run": "r1", "fmt": "a"}, {"run": "r1", "fmt": "b"},
                                      {"run": "r2", "fmt": "a"}))
        assert r.json()["ingested"] == 4
        r = _query(sb.url, sb.token, "['q'] | where run == \"r1\" | summarize count() by fmt")
        [table] = r.json()["tables"]
        assert [f["name"] for f in table["fields"]] == ["fmt", "count_"]
        assert dict(zip(*table["columns"])) == {"a": 2, "b": 1}
        r = _query(sb.edge_url, sb.token, "q | where run == 'r2' | count", path="/v1/query/_apl")
        assert r.json()["tables"][0]["columns"] == [[1]]
        r = _query(sb.url, sb.token, "['q'] | count", startTime="2000-01-01T00:00:00Z", endTime="2000-01-02T00:00:00Z")
        assert r.json()["tables"][0]["columns"] == [[0]]  # outside the time range
        assert _query(sb.url, sb.token, "['q'] | take 5").status_code == 400
        assert _query(sb.url, sb.token, "['nope'] | count").status_code == 404
        assert _query(sb.edge_url, sb.token, "['q'] | count").status_code == 404  # the API host's path, on an edge


def test_an_ingest_only_token_may_not_query(tmp_path):
    with Sandbox(tmp_path, ingest_only=True) as sb:
        assert _query(sb.url, sb.token, "['q'] | count").status_code == 403


def test_a_deleted_dataset_and_its_events_are_gone(tmp_path):
    with Sandbox(tmp_path) as sb:
        sb.create_dataset("gone")
        assert ingest(sb, ndjson({"a": 1}), dataset="gone").json()["ingested"] == 1
        r = httpx.delete(f"{sb.url}/v2/datasets/gone", headers=auth(sb.token))
        assert r.status_code == 204 and r.content == b""
        assert "gone" not in sb.datasets() and sb.events("gone") == []
        assert httpx.delete(f"{sb.url}/v2/datasets/gone", headers=auth(sb.token)).status_code == 404
        assert httpx.get(f"{sb.url}/v2/datasets/gone", headers=auth(sb.token)).status_code == 404
