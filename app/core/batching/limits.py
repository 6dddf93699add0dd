"""How much is read, sent and accepted at once."""

from __future__ import annotations

CHUNK = 1 << 20           # bytes per read
MAX_RECORD = 64 << 20     # one line / CSV record / JSON element longer than this stops the input
MAX_EVENTS = 10_000       # Axiom's per-request event cap
MAX_BYTES = 4 << 20       # keep requests to a few MB uncompressed
FORMATS = ("ndjson", "json-array", "json-object", "csv", "text")
