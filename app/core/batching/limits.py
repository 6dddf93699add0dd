"""How much is read, sent and accepted at once."""

from __future__ import annotations

CHUNK = 1 << 20           # bytes per read
LINE_CHUNK = 256 << 10    # bytes per read of NDJSON and CSV: a block is scanned, cut and joined while it
                          # is still in the core's cache (400 MB of NDJSON read and batched: 0.25 CPU s at
                          # 1 MB, 0.19 at 256 KB; text logs keep CHUNK, their blocks go to worker processes)
MAX_RECORD = 64 << 20     # one line / CSV record / JSON element longer than this stops the input
MAX_EVENTS = 10_000       # Axiom's per-request event cap
MAX_BYTES = 4 << 20       # keep requests to a few MB uncompressed
FORMATS = ("ndjson", "json-array", "json-object", "csv", "text")
