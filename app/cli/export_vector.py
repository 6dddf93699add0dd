"""`axiom-drop export-vector FILE… --dataset D`: a Vector configuration that keeps shipping files
like these (core/vector_config.py writes it; this picks the destination and the output)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.cli.options import UsageError, overrides_from_args
from app.cli.output import EXIT_OK, EXIT_USAGE


def _endpoint(args):
    from app.core import config, connect
    from app.core.axiom import routing

    if args.profile:
        profile = connect.find_profile(config.load_settings(), args.profile)
        endpoint = routing.Endpoint.for_profile(profile)
    else:
        endpoint = routing.from_env()
    if args.region:
        endpoint = routing.Endpoint(config.API_URL, config.EDGE_URLS[args.region],
                                    region=routing.PROFILE_REGIONS[args.region])
    return endpoint


def cmd_export_vector(args) -> int:
    from app.core import connect, sniff as sniffing, vector_config
    from app.core.axiom.models import token_kind
    from app.core.plan import PlanError, plan_for

    try:
        sniff = sniffing.sniff_path(args.paths[0])
        plan = plan_for(sniff, overrides_from_args(args))
        personal = token_kind(os.environ.get("AXIOM_TOKEN") or "") == "personal"
        dest = vector_config.Destination(args.dataset, _endpoint(args), personal_token=personal)
        text = vector_config.vector_config(args.paths, plan, dest)
    except (UsageError, PlanError, vector_config.VectorExportError, connect.ConnectError) as e:
        print(f"axiom-drop export-vector: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.output:
        Path(args.output).write_text(text, "utf-8")
        print(f"wrote {args.output}: run it with AXIOM_TOKEN=… vector --config {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
