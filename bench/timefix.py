"""The cost of the app's own `_time` (batching.timefix): batches of syslog-dated NDJSON read with
and without the transform, in events/s and MB/s of input. Not part of `make bench`'s table:

    PYTHONPATH=. python bench/timefix.py [EVENTS]
"""

import io
import json
import sys
import time

from app.core.batching import iter_batches
from app.core.plan import Plan


def lines(n: int, per_second: int) -> bytes:
    out = []
    for i in range(n):
        s = i // per_second
        stamp = f"Mar {1 + (s // 86400) % 28:>2} {(s // 3600) % 24:02d}:{(s // 60) % 60:02d}:{s % 60:02d}"
        out.append(json.dumps({"time": stamp, "host": f"web-{i % 4}", "msg": "GET /api/items 200 12ms"}) + "\n")
    return "".join(out).encode()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    as_is = Plan(format="ndjson", timestamp_field="time", timestamp_format="2006-01-02")  # Axiom reads it: no transform
    own = Plan(format="ndjson", timestamp_field="time", timestamp_format="Jan _2 15:04:05")
    for label, plan, per_second in (("no transform", as_is, 1), ("syslog, 1 event/s", own, 1),
                                    ("syslog, 10 events/s", own, 10)):
        data = lines(n, per_second)
        start = time.perf_counter()
        count = sum(b.count for b in iter_batches(io.BytesIO(data), plan))
        took = time.perf_counter() - start
        print(f"{label:22} {count:>9,} events  {took:6.2f} s  {count / took:>11,.0f} events/s  "
              f"{len(data) / took / 1e6:6.1f} MB/s")


if __name__ == "__main__":
    main()
