"""The client a command sends with: --sandbox (a sandbox started for the run), --profile, or AXIOM_*."""

from __future__ import annotations

import os

from app.core import config, connect


def open_client(args):
    """(client, sandbox or None) for --sandbox, --profile or the AXIOM_* variables."""
    if args.sandbox:
        return _sandbox_client()
    if args.profile:
        profile = connect.find_profile(config.load_settings(), args.profile)
        if profile.kind == "sandbox":
            return _sandbox_client()
        token = connect.token_for(profile)
        return connect.client_for(profile, token, org_id=os.environ.get("AXIOM_ORG_ID"),
                                  allow_http=args.allow_http), None
    return connect.env_client(allow_http=args.allow_http), None


def _sandbox_client():
    from app.sandbox import Sandbox

    sandbox = Sandbox().start()
    return connect.sandbox_client(sandbox), sandbox


def where_label(profile: str | None, client, sandbox) -> tuple[str | None, str]:
    """(profile, endpoint) recorded in the journal: resume must send to the same place."""
    if sandbox is not None:
        return (profile or connect.SANDBOX_PROFILE), connect.SANDBOX_ENDPOINT
    return profile, client.endpoint.ingest_url
