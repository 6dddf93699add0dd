"""What `send` says about an input's times before sending: how the first values read (when the
app computes `_time` itself), and a refusal when dates fit both orders or values do not read."""

from __future__ import annotations

import sys


def time_refusal(sniff, plan, args) -> str | None:
    """Why this input is not sent as planned (None: send it); notes go to stderr."""
    from app.core.plan import check_plan_times
    from app.core.time.check import describe_reading

    check = check_plan_times(sniff, plan)
    if check.orders:
        return f"{check.problem}: pass --date-order dmy or --date-order mdy (or --timestamp-format)"
    if check.unused and not getattr(args, "allow_unread_times", False):
        return (f"{check.problem}; pass --timestamp-field {check.unused.field} with --timestamp-format, "
                "or --allow-unread-times to send anyway")
    if check.unread and not getattr(args, "allow_unread_times", False):
        return f"{check.problem}; pass --timestamp-format, or --allow-unread-times to send anyway"
    if not getattr(args, "json", False):
        if check.unread or check.unused:
            print(f"warning: {sniff.path}: {check.problem}", file=sys.stderr)
        if plan.client_time and check.first:
            print(f"note: {sniff.path}: _time computed by this app ({check.why_client}); "
                  + "; ".join(describe_reading(r, plan.time_zone) for r in check.first), file=sys.stderr)
    return None
