"""The official JavaScript library, @axiomhq/js from npm (pinned in js/package-lock.json), runs the
seed page's Node.js example (`axiom.ingest(...)`, `await axiom.flush()`) against the sandbox on
loopback, routed as the library routes: `url` alone → the legacy path on the API host
(`/v1/datasets/{id}/ingest`), `edgeUrl` → `/v1/ingest/{id}` on the edge (its resolveIngestUrl).

Needs `node` and `npm ci` in tests/clients/js (.ci/run does both). Without node the test skips,
saying so; with AXIOM_DROP_REQUIRE_NODE=1 (set by .ci/run) it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.sandbox import Sandbox

JS = Path(__file__).parent / "js"
REQUIRED = os.environ.get("AXIOM_DROP_REQUIRE_NODE") == "1"


def _node() -> str:
    node = shutil.which("node")
    installed = (JS / "node_modules" / "@axiomhq" / "js" / "package.json").exists()
    if node and installed:
        return node
    why = "node is not installed" if not node else "@axiomhq/js is not installed: run `npm ci` in tests/clients/js"
    if REQUIRED:
        pytest.fail(f"AXIOM_DROP_REQUIRE_NODE=1 but {why}")
    pytest.skip(f"{why} (the official JavaScript client check needs Node.js >= 20)")


def _run(node: str, token: str, dataset: str, **urls: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_")}
    env.update(AXIOM_TOKEN=token, AXIOM_DATASET=dataset, **urls)
    proc = subprocess.run([node, "ingest.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert token not in proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _stored(sb: Sandbox, dataset: str) -> list[dict]:
    return [{k: v for k, v in e.items() if not k.startswith("_")} for e in sb.events(dataset)]


EXPECTED = [{"foo": "bar"}, {"n": 1, "nested": {"ok": True}}, {"n": 2, "tags": ["a", "b"]}]


@pytest.mark.parametrize("strict", [False, True], ids=["one port", "strict"])
def test_the_seed_pages_node_example_with_url_only_takes_the_legacy_path(tmp_path, strict):
    node = _node()
    with Sandbox(tmp_path, strict=strict) as sb:
        sb.create_dataset("js-logs")
        assert _run(node, sb.token, "js-logs", AXIOM_URL=sb.url) == {"errors": []}
        assert sorted(_stored(sb, "js-logs"), key=str) == sorted(EXPECTED, key=str)
        [request] = [r for r in sb.requests_log if r["method"] == "POST"]
        assert request["path"] == "/v1/datasets/js-logs/ingest" and request["status"] == 200
        assert request["content_encoding"] == "gzip" and request["content_type"] == "application/x-ndjson"


def test_the_node_example_with_an_edge_url_takes_the_edge_path(tmp_path):
    node = _node()
    with Sandbox(tmp_path, strict=True) as sb:
        sb.create_dataset("js-edge")
        assert _run(node, sb.token, "js-edge", AXIOM_URL=sb.url, AXIOM_EDGE_URL=sb.edge_url) == {"errors": []}
        assert sorted(_stored(sb, "js-edge"), key=str) == sorted(EXPECTED, key=str)
        [request] = [r for r in sb.requests_log if r["method"] == "POST"]
        assert request["path"] == "/v1/ingest/js-edge" and request["status"] == 200
        # the strict API host does not serve the edge path, as api.axiom.co does not
        edge_on_api = _run_failing(node, sb.token, "js-edge", AXIOM_EDGE_URL=sb.url)
        assert "404" in edge_on_api and len(sb.events("js-edge")) == 3


def _run_failing(node: str, token: str, dataset: str, **urls: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_")}
    env.update(AXIOM_TOKEN=token, AXIOM_DATASET=dataset, **urls)
    proc = subprocess.run([node, "ingest.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stdout
