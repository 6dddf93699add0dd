"""One benchmark row: the engine in a process that is already running — what an upload from the
window costs, and what `axiom-drop send` would cost without Python's start-up.

    python bench/warm_row.py FILE DATASET [--typed-columns on|off]   (AXIOM_URL and AXIOM_TOKEN as for `axiom-drop send`)

Everything is imported and the HTTP client made before the clock starts; then the file is sniffed
and uploaded with `send`'s defaults (its plan, as plan_for makes it; the window makes the same),
on connections opened by the upload itself. Prints one JSON
line: {"seconds", "started_at", "ingested", "failed", "state"}.
"""

import asyncio
import importlib
import json
import sys
import time

from app.core import axiom, sniff
from app.core.plan import Overrides, plan_for
from app.core.job import Source, UploadJob


async def main(path: str, dataset: str, typed: str = "auto") -> dict:
    client = axiom.client_from_env(allow_http=True)
    # As in a window that has been open for a while: the HTTP client made and what its first
    # connection imports loaded (the window lists datasets at start-up), but no connection open.
    await client.prepare()
    importlib.import_module("anyio._backends._asyncio")  # httpcore's connections run on anyio
    try:
        started_at, t0 = time.time(), time.perf_counter()
        plan = plan_for(sniff.sniff_path(path), Overrides(typed_columns={"on": True, "off": False}.get(typed)))
        job = UploadJob(Source.from_path(path), plan, client, dataset, endpoint="bench (warm)")
        result = await job.run()
        seconds = time.perf_counter() - t0
    finally:
        await client.aclose()
    return {"seconds": seconds, "started_at": started_at, "ingested": result.ingested,
            "failed": result.failed, "state": result.state.value}


if __name__ == "__main__":
    typed = sys.argv[sys.argv.index("--typed-columns") + 1] if "--typed-columns" in sys.argv else "auto"
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], typed))))
