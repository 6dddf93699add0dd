"""`axiom-drop inspect PATH…`: what sniffing finds in each input, as text or JSON lines."""

from __future__ import annotations

import json

from app.cli.options import log_overrides
from app.cli.output import EXIT_OK, EXIT_USAGE, describe_events, describe_sniff

LOG_EVENTS_SHOWN = 3


def cmd_inspect(args) -> int:
    from app.core import sniff as sniffing
    from app.core.plan import Overrides, PlanError, plan_for

    code = EXIT_OK
    overrides = Overrides(time_zone=getattr(args, "time_zone", None), **log_overrides(args))
    for path in args.paths:
        result = sniffing.sniff_path(path)
        events: list = []
        if not result.error and (result.format == "text" or overrides.log_format):
            try:  # a text log: show how its first events read, with the --log-* overrides applied
                plan = plan_for(result, overrides)
                result.format = plan.format
                result.log_settings = sniffing.LogSettings(plan.log_format or "plain", plan.log_line_start,
                                                           plan.time_zone.name)
                events = sniffing.preview_rows(path, result, LOG_EVENTS_SHOWN)
            except (PlanError, OSError, ValueError) as e:  # ValueError: an unknown --time-zone
                result.error = str(e)
        if result.error:
            code = EXIT_USAGE
        if args.json:
            out = result.to_json()
            if events:
                out["first_events"] = events
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(describe_sniff(path, result) + describe_events(events))
    return code
