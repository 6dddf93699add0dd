"""`axiom-drop export-vector FILE… --dataset D`: a Vector configuration that keeps shipping files
like these (core/vector_config.py writes it; this picks the destination and the output)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.cli.options import UsageError, overrides_from_args
from app.cli.output import EXIT_OK, EXIT_USAGE


def _destination(args):
    """Where the events go, and what kind of token: the profile's (its keyring token is read for
    its kind only, never shown), else the AXIOM_* variables."""
    from app.core import config, connect, vector_config
    from app.core.axiom import routing
    from app.core.axiom.models import token_kind

    org_id = os.environ.get("AXIOM_ORG_ID") or None
    if args.profile:
        profile = connect.find_profile(config.load_settings(), args.profile)
        endpoint = routing.Endpoint.for_profile(profile)
        try:
            token = connect.token_for(profile)
        except Exception:  # no keyring or no token: the kind is then unknown, as for an API token
            token = None
        org_id = profile.org_id or org_id
    else:
        endpoint = routing.from_env()
        token = os.environ.get("AXIOM_TOKEN")
    if args.region:
        endpoint = routing.Endpoint(config.API_URL, config.EDGE_URLS[args.region],
                                    region=routing.PROFILE_REGIONS[args.region])
    personal = token_kind(token or "") == "personal"
    return vector_config.Destination(args.dataset, endpoint, personal_token=personal, org_id=org_id)


def cmd_export_vector(args) -> int:
    from app.core import connect, sniff as sniffing, vector_config
    from app.core.plan import PlanError, override_problem, plan_for

    try:
        sniff = sniffing.sniff_path(args.paths[0])
        overrides = overrides_from_args(args)
        plan = plan_for(sniff, overrides)
        if problem := override_problem(plan, overrides):
            raise PlanError(problem)
        text = vector_config.vector_config(args.paths, plan, _destination(args))
    except (UsageError, PlanError, vector_config.VectorExportError, connect.ConnectError) as e:
        print(f"axiom-drop export-vector: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.output:
        Path(args.output).write_text(text, "utf-8")
        steps = vector_config.secret_instructions(vector_config.default_secrets_dir(), args.output)
        print(f"wrote {args.output}; to run it:\n  " + "\n  ".join(steps), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
