"""The local Axiom-compatible server: `Sandbox` (server.py) and its knobs, `Faults` (faults.py).

Tests, benchmarks, the CLI's `sandbox` command and the window's "Local sandbox" profile use it;
`python -m app.sandbox` serves one. Modules: server (lifecycle, routes, middleware), ingest, api
and apl (the handlers; apl: a small APL subset for counts), auth, names (Axiom's dataset names and
regions), bodies (parsing), gocsv (CSV as Go's encoding/csv reads it), inflate (decompression),
fastcount (benchmark mode), events (what is stored), store (datasets on disk), faults, quotas,
requestlog, errors, limits (also the plans' fields per dataset).
"""

from app.sandbox.bodies import parse_csv, parse_json, parse_ndjson
from app.sandbox.command import main
from app.sandbox.errors import ApiError, BadEvent
from app.sandbox.fastcount import FastCounter
from app.sandbox.faults import Faults
from app.sandbox.inflate import Inflater
from app.sandbox.limits import MAX_EVENTS, TOO_LONG
from app.sandbox.server import Sandbox

__all__ = ["MAX_EVENTS", "TOO_LONG", "ApiError", "BadEvent", "FastCounter", "Faults", "Inflater",
           "Sandbox", "main", "parse_csv", "parse_json", "parse_ndjson"]
