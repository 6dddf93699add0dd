"""`axiom-drop send` imports only what sending needs: not Qt, not the window, not the sandbox,
no keyring when the token comes from AXIOM_TOKEN, and not anyio (httpcore runs on asyncio alone:
core/axiom/plain_asyncio.py) (issue #15: the CLI's first request within 100 ms of process start;
bench/startup.py measures it). A real process (`python -X importtime -m app send`) sending to a
sandbox on loopback: its import log lists every module it loaded; another real send records
which modules were loaded when its first ingest request left.
What an NDJSON or CSV send does not read with stays unloaded too: the text-log parsers (~30 ms
of regular expressions), their process pool, the window's preview."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from app.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
NOT_FOR_SEND = ("PySide6", "shiboken6", "qasync", "app.ui", "app.sandbox", "keyring", "rich", "click", "pygments",
                "anyio._backends", "anyio._core", "anyio.abc", "anyio.streams")  # httpcore imports anyio's (lazy) top only
# Read with neither format: text logs (a CSV's head is still asked whether it is a log, so CSV
# loads the detection but never the log reader or its pool), the preview, the other readers.
NOT_FOR_NDJSON = ("app.core.textlog", "app.core.sniff.textlog", "app.core.sniff.preview", "app.core.batching.textlog",
                  "app.core.sniff.csv_dialect", "app.core.batching.typed_csv",
                  "app.core.batching.json_fast", "app.core.batching.wrapped", "multiprocessing",
                  "zoneinfo", "gzip")  # no zone named, zstd: neither is asked for
NOT_FOR_CSV = ("app.core.textlog.parse", "app.core.textlog.pool", "app.core.sniff.preview", "app.core.batching.textlog",
               "app.core.batching.json_fast", "app.core.batching.wrapped", "multiprocessing")
FILES = {"ndjson": "".join(json.dumps({"n": i}) + "\n" for i in range(5)),
         "csv": "n,msg\n" + "".join(f"{i},hello\n" for i in range(5))}


def imported_by_send(tmp_path, sb, fmt: str = "ndjson") -> tuple[set[str], subprocess.CompletedProcess]:
    path = tmp_path / f"a.{fmt}"
    path.write_text(FILES[fmt])
    env = dict(os.environ, AXIOM_URL=sb.url, AXIOM_TOKEN=sb.token, AXIOM_DROP_HOME=str(tmp_path / "home"),
               PYTHONPATH=str(ROOT))
    env.pop("AXIOM_ORG_ID", None)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "app", "send", str(path), "-d", "web", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    # a module imported while another thread imports (the first file is sniffed in a worker) can
    # show a negative self time: "import time:    -13690 |      17058 | app.core.sniff.sniffer"
    names = set(re.findall(r"^import time:\s+-?\d+ \|\s+-?\d+ \|\s*(\S+)$", done.stderr, re.M))
    return names, done


def test_send_imports_no_qt_window_sandbox_or_keyring(tmp_path):
    with Sandbox(tmp_path / "sb") as sb:
        sb.create_dataset("web")
        names, done = imported_by_send(tmp_path, sb)
        assert done.returncode == 0, done.stdout + done.stderr[-2000:]
        assert json.loads(done.stdout)["files"][0]["ingested"] == 5  # it did send: the log is of a real run
        assert len(sb.events("web")) == 5
    assert "httpx" in names and "app.cli.send" in names  # the log is read right
    loaded = sorted(n for n in names if n.split(".")[0] in NOT_FOR_SEND or n.startswith(NOT_FOR_SEND))
    assert loaded == []


def _loaded(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in prefixes or n.startswith(tuple(p + "." for p in prefixes)))


def test_an_ndjson_send_loads_no_text_log_csv_or_preview_module(tmp_path):
    with Sandbox(tmp_path / "sb") as sb:
        sb.create_dataset("web")
        names, done = imported_by_send(tmp_path, sb, "ndjson")
        assert done.returncode == 0, done.stdout + done.stderr[-2000:]
        assert len(sb.events("web")) == 5
    assert "app.core.batching.ndjson" in names and "app.core.sniff.sniffer" in names  # the log is read right
    assert _loaded(names, NOT_FOR_NDJSON) == []


def test_a_csv_send_loads_no_text_log_reader_pool_or_preview(tmp_path):
    with Sandbox(tmp_path / "sb") as sb:
        sb.create_dataset("web")
        names, done = imported_by_send(tmp_path, sb, "csv")
        assert done.returncode == 0, done.stdout + done.stderr[-2000:]
        assert json.loads(done.stdout)["files"][0]["ingested"] == 5
        assert [e["msg"] for e in sb.events("web")] == ["hello"] * 5
    assert "app.core.batching.csv_reader" in names
    assert _loaded(names, NOT_FOR_CSV) == []


# The modules loaded when the first ingest request of a real send leaves (AxiomClient.ingest wrapped
# in the process, everything else as `python -m app send` runs it).
AT_FIRST_REQUEST = """
import json, sys
import app.core.axiom.client as client
send = client.AxiomClient.ingest
async def ingest(self, *a, **k):
    if client.__dict__.setdefault("first", True):
        client.first = False
        with open(sys.argv[1], "w") as f:
            json.dump(sorted(sys.modules), f)
    return await send(self, *a, **k)
client.AxiomClient.ingest = ingest
from app.__main__ import main
sys.exit(main(sys.argv[2:]))
"""
NOT_BEFORE_FIRST_REQUEST = (*NOT_FOR_SEND, *NOT_FOR_NDJSON)


def test_nothing_an_ndjson_send_does_not_need_is_loaded_before_its_first_request(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_text(FILES["ndjson"])
    with Sandbox(tmp_path / "sb") as sb:
        sb.create_dataset("web")
        env = dict(os.environ, AXIOM_URL=sb.url, AXIOM_TOKEN=sb.token, AXIOM_DROP_HOME=str(tmp_path / "home"),
                   PYTHONPATH=str(ROOT))
        env.pop("AXIOM_ORG_ID", None)
        done = subprocess.run([sys.executable, "-c", AT_FIRST_REQUEST, str(tmp_path / "modules.json"),
                               "send", str(path), "-d", "web", "--json"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr[-2000:]
        assert len(sb.events("web")) == 5
    names = set(json.loads((tmp_path / "modules.json").read_text()))
    assert {"httpx", "app.core.job.pipeline", "app.core.batching.ndjson"} <= names  # recorded at the request
    assert _loaded(names, NOT_BEFORE_FIRST_REQUEST) == []
