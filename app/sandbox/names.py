"""What Axiom accepts as a new dataset's name and region, as the sandbox enforces it.

The sandbox's own copy of Axiom's rules (docs/axiom-api.md), independent of the client's:
a test passes only when the two agree. Names: at most 80 of [A-Za-z0-9._-], no special character
first or last, no "axiom-" prefix (axiom-go's DatasetCreateRequest). Regions: the documented
edgeDeployment names, plus "local" for the one-port sandbox. Axiom's wording of these refusals is
not documented: the sandbox's messages are its own.
"""

from __future__ import annotations

import re

from aiohttp import web

US_EAST = "cloud.us-east-1.aws"
EU_CENTRAL = "cloud.eu-central-1.aws"
LOCAL = "local"  # the one-port sandbox's datasets: no cloud region
REGIONS = (US_EAST, EU_CENTRAL)
REGION = web.AppKey("region", str)  # the region a listener serves (None: every region, one port)

_AXIOM_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9])?")


def name_error(name: object) -> str | None:
    """The 400 message for a name Axiom would not create, or None."""
    if not isinstance(name, str) or not name:
        return "invalid dataset name: a name is required"
    if len(name) > 80:
        return f"invalid dataset name: at most 80 characters (got {len(name)})"
    if not _AXIOM_NAME.fullmatch(name):
        return ("invalid dataset name: use letters, digits, '-', '_' and '.', "
                "starting and ending with a letter or a digit")
    if name.startswith("axiom-"):
        return "invalid dataset name: the prefix 'axiom-' is reserved"
    return None
