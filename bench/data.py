"""Generated inputs for the benchmarks: realistic web-log events of about 270 bytes each.

The same seeded generator feeds every format, so NDJSON, CSV and JSON-array rows describe the
same events. Written in large blocks: generating 1 GB takes about a minute on one core.
"""

from __future__ import annotations

import csv
import io
import json
import random
import time
from pathlib import Path
from typing import Iterator

PATHS = ["/api/v1/users", "/api/v1/orders", "/login", "/static/app.js", "/health", "/api/v2/search"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "curl/8.5.0", "Go-http-client/2.0"]
FIELDS = ["_time", "method", "path", "status", "duration_ms", "bytes", "client_ip", "user_agent", "trace_id"]


def events(seed: int = 7) -> Iterator[list[dict]]:
    """Endless blocks of 5,000 events."""
    rng = random.Random(seed)
    t = 1_700_000_000
    while True:
        block = []
        for _ in range(5000):
            t += rng.random() * 0.05
            block.append({
                "_time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z",
                "method": rng.choice(["GET", "GET", "GET", "POST", "PUT"]),
                "path": rng.choice(PATHS),
                "status": rng.choice([200, 200, 200, 201, 304, 404, 500]),
                "duration_ms": round(rng.expovariate(1 / 40), 2),
                "bytes": rng.randint(100, 50_000),
                "client_ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                "user_agent": rng.choice(AGENTS),
                "trace_id": "%032x" % rng.getrandbits(128),
            })
        yield block


def _ndjson(block: list[dict]) -> bytes:
    return ("\n".join(json.dumps(e, separators=(",", ":")) for e in block) + "\n").encode()


def _csv(block: list[dict]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for e in block:
        w.writerow([e[f] for f in FIELDS])
    return out.getvalue().encode()


def _json_elements(block: list[dict]) -> bytes:
    # a pretty-ish array: one element a line, as exported by many tools
    return ",\n".join(json.dumps(e, separators=(", ", ": ")) for e in block).encode()


def generate(path: Path, fmt: str, size_mb: float, seed: int = 7) -> Path:
    """Write about size_mb MB (10^6 bytes) of `fmt` ("ndjson", "csv" or "json-array") to path."""
    target = int(size_mb * 1_000_000)
    written = 0
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "wb") as f:
        if fmt == "csv":
            head = (",".join(FIELDS) + "\n").encode()
        elif fmt == "json-array":
            head = b"[\n"
        else:
            head = b""
        f.write(head)
        written += len(head)
        first = True
        for block in events(seed):
            if written >= target:
                break
            if fmt == "ndjson":
                data = _ndjson(block)
            elif fmt == "csv":
                data = _csv(block)
            else:
                data = (b"" if first else b",\n") + _json_elements(block)
            first = False
            f.write(data)
            written += len(data)
        if fmt == "json-array":
            f.write(b"\n]\n")
    tmp.replace(path)
    return path


def generate_ndjson(path: Path, size_mb: float, seed: int = 7) -> None:
    """Kept for callers of the first benchmark."""
    generate(path, "ndjson", size_mb, seed)


def cached(out: Path, fmt: str, size_mb: float) -> Path:
    """The generated file under bench/out (made once, reused while it exists)."""
    ext = {"ndjson": "ndjson", "csv": "csv", "json-array": "json"}[fmt]
    path = out / f"events-{size_mb:g}MB.{ext}"
    if not path.exists():
        print(f"  generating {size_mb:g} MB of {fmt} …", flush=True)
        generate(path, fmt, size_mb)
    return path
