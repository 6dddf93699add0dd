"""`python -m app.sandbox` and `axiom-drop sandbox`: serve a sandbox until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from app.sandbox.faults import Faults
from app.sandbox.limits import PLAN_FIELDS
from app.sandbox.server import Sandbox


def main(argv: list[str] | None = None) -> int:
    """`sandbox [--port N] [--token T] [--data-dir D]`: serve until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(prog="axiom-drop sandbox", description="A local stand-in for Axiom's ingest API.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--token", help="API token to accept (default: a new random one)")
    parser.add_argument("--data-dir", type=Path, help="where to store events (default: the app's sandbox dir)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; benchmarks use a test namespace's address)")
    parser.add_argument("--fast", action="store_true",
                        help="benchmarks: count and spot-check events, store nothing")
    parser.add_argument("--delay", type=float, default=0.0, help="hold every response this many seconds")
    parser.add_argument("--strict", action="store_true",
                        help="serve the API host and one edge per region on separate ports, as Axiom does")
    parser.add_argument("--plan", choices=sorted(PLAN_FIELDS), default="cloud",
                        help="Axiom plan whose limits to play: cloud (1,024 fields per dataset) or personal (256)")
    args = parser.parse_args(argv)
    sandbox = Sandbox(args.data_dir, token=args.token, port=args.port, host=args.host, fast=args.fast,
                      faults=Faults(delay=args.delay), strict=args.strict, plan=args.plan)
    try:
        sandbox.start()
    except OSError as e:
        print(f"cannot start the sandbox: {e}")
        return 1
    stop = threading.Event()
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
        except ValueError:  # not the main thread
            pass
    print(f"Axiom sandbox listening on {sandbox.url}", flush=True)
    for region, url in sandbox.edge_urls.items():
        print(f"edge for {region}: {url}  (AXIOM_URL={sandbox.url} AXIOM_EDGE_URL={url})", flush=True)
    print(f"token: {sandbox.token}", flush=True)
    print(f"datasets: {', '.join(sandbox.datasets()) or 'none yet'} — as on Axiom, ingest needs an existing one: "
          f"POST {sandbox.url}/v2/datasets with {{\"name\": \"…\"}} creates it", flush=True)
    print(f"data: {sandbox.data_dir}", flush=True)
    print(f"plan: {sandbox.plan} ({PLAN_FIELDS[sandbox.plan]:,} fields per dataset)", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
