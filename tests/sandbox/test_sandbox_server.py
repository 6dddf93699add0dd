"""The sandbox as a server: concurrent requests, start/stop, context managers, `main` until SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from app.sandbox import Sandbox
from sandbox_support import NDJSON, auth, ingest, ndjson


# ---------------------------------------------------------------- the server itself

def test_concurrent_requests_all_land(sb):
    errors: list[Exception] = []

    def send(n: int) -> None:
        try:
            for j in range(5):
                r = ingest(sb, ndjson(*({"t": n, "j": j, "k": k} for k in range(20))))
                assert r.json()["ingested"] == 20
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sb.events("logs")) == 6 * 5 * 20


def test_start_stop_and_context_manager(tmp_path):
    sb = Sandbox(tmp_path, port=0, datasets=("logs",))
    with sb:
        port = int(sb.url.rsplit(":", 1)[1])
        assert port > 0 and sb.token.startswith("xaat-")
        assert ingest(sb, b'{"a":1}').status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/v2/datasets", timeout=2)
    with Sandbox(tmp_path, port=port, token="xaat-given") as again:  # the port is free again
        assert again.token == "xaat-given" and len(again.events("logs")) == 1


def test_stop_does_not_wait_long_for_a_slow_request(tmp_path):
    sb = Sandbox(tmp_path, datasets=("logs",)).start()
    sb.faults.script = ["slow=30"]
    t = threading.Thread(target=lambda: pytest.raises(httpx.TransportError, ingest, sb, b'{"a":1}', timeout=40))
    t.start()
    time.sleep(0.5)
    start = time.monotonic()
    sb.stop()
    assert time.monotonic() - start < 5
    t.join(10)


def test_async_context_manager(tmp_path):
    async def scenario() -> int:
        async with Sandbox(tmp_path, datasets=("a",)) as sb:
            async with httpx.AsyncClient() as client:
                r = await client.post(sb.url + "/v1/ingest/a", content=b'{"x":1}',
                                      headers=auth(sb.token, **{"Content-Type": NDJSON}))
            return r.json()["ingested"]

    assert asyncio.run(scenario()) == 1


def test_main_serves_until_sigterm(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "AXIOM_DROP_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from app.sandbox import main; sys.exit(main(sys.argv[1:]))",
         "--port", "0", "--token", "xaat-cli-test", "--data-dir", str(tmp_path / "d")],
        cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        second = proc.stdout.readline().strip()
        assert first.startswith("Axiom sandbox listening on http://127.0.0.1:")
        assert second == "token: xaat-cli-test"
        url = first.rsplit(" ", 1)[1]
        third = proc.stdout.readline().strip()
        assert third.startswith("datasets: none yet — as on Axiom, ingest needs an existing one: POST ")
        h = auth("xaat-cli-test", **{"Content-Type": NDJSON})
        assert httpx.post(url + "/v1/ingest/cli", content=b'{"a":1}', headers=h).status_code == 404
        assert httpx.post(url + "/v2/datasets", json={"name": "cli"}, headers=auth("xaat-cli-test")).status_code == 200
        r = httpx.post(url + "/v1/ingest/cli", content=b'{"a":1}', headers=h)
        assert r.json()["ingested"] == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert (tmp_path / "d" / "cli.ndjson").read_text().count("\n") == 1


def test_bad_dataset_name_on_ingest(sb):
    r = ingest(sb, b'{"a":1}', dataset="bad%20name")
    assert r.status_code == 400 and "dataset name" in r.json()["message"]
    assert sb.datasets() == []
