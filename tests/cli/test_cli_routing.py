"""`send` against the sandbox in strict mode, over real sockets: AXIOM_URL is the API host's port,
AXIOM_EDGE_URL an edge's; what reached which port, what was stored, what the user reads."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.sandbox import Sandbox

EU, US = "cloud.eu-central-1.aws", "cloud.us-east-1.aws"


def write_ndjson(path, n):
    path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(1, n + 1)))
    return path


def send(capsys, *argv):
    code = cli.main(["send", *argv, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def port(url):
    return int(url.rsplit(":", 1)[1])


def ingests(sb):
    """(port, path) of every ingest request the sandbox received, on any of its listeners."""
    return [(r["port"], r["path"]) for r in sb.requests_log if "/ingest" in r["path"]]


@pytest.fixture
def strict(tmp_path):
    with Sandbox(tmp_path / "sb", strict=True, org_id="acme") as sb:
        sb.create_dataset("eu-logs", region=EU)
        sb.create_dataset("us-logs", region=US)
        yield sb


def test_personal_token_refused_for_an_eu_dataset_before_sending(strict, tmp_path, capsys, monkeypatch):
    sb = strict
    monkeypatch.setenv("AXIOM_URL", sb.url)
    monkeypatch.setenv("AXIOM_EDGE_URL", sb.edge_urls[US])
    monkeypatch.setenv("AXIOM_TOKEN", sb.personal_token)
    monkeypatch.setenv("AXIOM_ORG_ID", "acme")
    path = write_ndjson(tmp_path / "a.ndjson", 5)
    code, out, _ = send(capsys, str(path), "-d", "eu-logs")
    (summary,) = out["files"]
    assert code == 2
    assert summary["error_kind"] == "auth" and summary["ingested"] == 0 and summary["not_sent"] == 5
    assert "An API token (xaat-…) is needed for EU datasets" in summary["error"]
    assert ingests(sb) == [] and sb.events("eu-logs") == []
    assert [r["path"] for r in sb.requests_log] == ["/v2/datasets/eu-logs"]  # the region, read on the API host
    assert sb.personal_token not in json.dumps(out)

    # The same token into a US East dataset: the legacy endpoint on the API host.
    code, out, _ = send(capsys, str(path), "-d", "us-logs")
    assert code == 0 and out["files"][0]["ingested"] == 5
    assert ingests(sb) == [(port(sb.url), "/v1/datasets/us-logs/ingest")]
    assert len(sb.events("us-logs")) == 5


def test_api_token_goes_to_the_edge_it_was_given(strict, tmp_path, capsys, monkeypatch):
    sb = strict
    monkeypatch.setenv("AXIOM_URL", sb.url)
    monkeypatch.setenv("AXIOM_EDGE_URL", sb.edge_urls[US])
    monkeypatch.setenv("AXIOM_TOKEN", sb.token)
    code, out, _ = send(capsys, str(write_ndjson(tmp_path / "a.ndjson", 3)), "-d", "us-logs")
    assert code == 0 and out["files"][0]["ingested"] == 3
    assert ingests(sb) == [(port(sb.edge_urls[US]), "/v1/ingest/us-logs")]
    assert not any(r["path"].startswith("/v2") for r in sb.requests_log)  # a custom edge: no lookup needed


def test_each_dataset_lands_on_its_own_regions_edge_from_the_listing(tmp_path, capsys, monkeypatch):
    with Sandbox(tmp_path / "sb", strict=True, list_edge_urls=True) as sb:
        sb.create_dataset("eu-logs", region=EU)
        sb.create_dataset("us-logs", region=US)
        monkeypatch.setenv("AXIOM_URL", sb.url)  # a base URL alone
        monkeypatch.setenv("AXIOM_TOKEN", sb.token)
        path = str(write_ndjson(tmp_path / "a.ndjson", 2))
        assert send(capsys, path, "-d", "eu-logs")[0] == 0
        assert send(capsys, path, "-d", "us-logs")[0] == 0
        assert ingests(sb) == [(port(sb.edge_urls[EU]), "/v1/ingest/eu-logs"),
                               (port(sb.edge_urls[US]), "/v1/ingest/us-logs")]
        assert len(sb.events("eu-logs")) == len(sb.events("us-logs")) == 2


def test_a_base_url_alone_uses_the_legacy_path_when_the_region_cannot_be_read(tmp_path, capsys, monkeypatch):
    """AXIOM_URL=<the API host> and an ingest-only token: legacy ingest on that host, as
    axiom-go and axiom-js do, never /v1/ingest on a host that does not serve it."""
    with Sandbox(tmp_path / "sb", strict=True, ingest_only=True) as sb:
        sb.create_dataset("us-logs", region=US)
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", sb.token)
        code, out, _ = send(capsys, str(write_ndjson(tmp_path / "a.ndjson", 4)), "-d", "us-logs")
        assert code == 0 and out["files"][0]["ingested"] == 4
        assert ingests(sb) == [(port(sb.url), "/v1/datasets/us-logs/ingest")]
        assert [r["status"] for r in sb.requests_log if r["path"].startswith("/v2")] == [403]
