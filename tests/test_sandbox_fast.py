"""The sandbox's benchmark mode counts events cheaply, still refuses bad bodies, stores nothing."""

import gzip

import httpx
import zstandard

from app.core.sandbox import Sandbox, fast_count


def test_fast_count_plain_and_unusual_bodies():
    assert fast_count(b'{"a":1}\n{"a":2}\n', "application/x-ndjson") == 2
    assert fast_count(b'{"a":1}\n\n{"a":2}', "application/x-ndjson") == 2  # blank line: full parser
    assert fast_count(b"a,b\n1,2\n3,4\n", "text/csv") == 2
    assert fast_count(b'a,b\n"x\ny",2\n', "text/csv") == 1
    assert fast_count(b'[{"a":1},{"a":2},{"a":3}]', "application/json") == 3


def test_fast_mode_accepts_counts_and_stores_nothing(tmp_path):
    with Sandbox(tmp_path, fast=True) as sb:
        body = b"".join(b'{"i":%d}\n' % i for i in range(20_000))  # over the 10k cap: allowed here
        r = httpx.post(f"{sb.url}/v1/ingest/bench", content=zstandard.ZstdCompressor().compress(body),
                       headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/x-ndjson",
                                "Content-Encoding": "zstd"})
        assert r.status_code == 200 and r.json()["ingested"] == 20_000
        assert sb.events("bench") == []
        bad = httpx.post(f"{sb.url}/v1/ingest/bench", content=gzip.compress(b'[1]\n{"a":1}\n'),
                         headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/x-ndjson",
                                  "Content-Encoding": "gzip"})
        assert bad.status_code == 400 and "index 0" in bad.json()["message"]
        broken = httpx.post(f"{sb.url}/v1/ingest/bench", content=b"not zstd",
                            headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/x-ndjson",
                                     "Content-Encoding": "zstd"})
        assert broken.status_code == 400
