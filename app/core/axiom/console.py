"""Links into Axiom's web console (app.axiom.co) for what the app sent.

Axiom's console addresses an organization by its id in the path
(`https://app.axiom.co/ORG_ID/…`, as Axiom's docs write its dashboard links), and its query
page (the explorer) takes an APL query. One console serves the US and EU regions (the org
decides the region), so only the org is needed. The local sandbox and custom URLs have no
console: None.
"""

from __future__ import annotations

import json
from urllib.parse import quote

CONSOLE_URL = "https://app.axiom.co"
AXIOM_KINDS = ("us", "eu")


def apl_for(dataset: str) -> str:
    """The APL that lists a dataset's events: ['name'] (quotes in the name escaped)."""
    return "['" + dataset.replace("\\", "\\\\").replace("'", "\\'") + "']"


def dataset_page(profile_kind: str, org_id: str | None, dataset: str) -> str | None:
    """The dataset's query page on app.axiom.co for a profile of Axiom's own (us/eu); without an
    org id, the console's start page (it opens the user's last org). None elsewhere."""
    if profile_kind not in AXIOM_KINDS or not dataset:
        return None
    if not org_id:
        return CONSOLE_URL + "/"
    form = json.dumps({"apl": apl_for(dataset)}, separators=(",", ":"))
    return f"{CONSOLE_URL}/{quote(org_id, safe='')}/explorer?initForm={quote(form, safe='')}"
