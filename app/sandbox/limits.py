"""Axiom's documented ingest limits (docs/axiom-api.md), in one place for every sandbox module."""

MAX_EVENTS = 10_000                  # events per request; more is a 400
MAX_VALUE_BYTES = 1 << 20            # a longer string value is replaced by TOO_LONG
TOO_LONG = "<invalid string: too long>"
MAX_DEPTH = 100                      # deeper objects/arrays become null (the event is level 1)
MAX_FIELD_NAME_BYTES = 200           # each key; nesting is limited by depth instead
RESERVED_FIELDS = ("_blockInfo", "_cursor", "_rowID", "_source", "_sysTime")  # renamed "_user_…"
HARD_BODY_CAP = 1 << 30              # uncompressed bytes, when no max_body_bytes fault is set
DEFAULT_INGEST_LIMIT = 500 * 10**9   # bytes per month (X-IngestLimit-Limit)
PLAN_FIELDS = {"cloud": 1024, "personal": 256}  # fields per dataset, by plan (`Sandbox(plan=…)`)
# Request headers: Axiom documents no limit; its server is Go, whose net/http reads headers up to
# DefaultMaxHeaderBytes (1 MiB). A headerless CSV of a few thousand columns names them all in one
# X-Axiom-CSV-Fields header (3,000 columns: ~36 KB), past aiohttp's default of 8,190 bytes a line.
MAX_HEADER_BYTES = 1 << 20
