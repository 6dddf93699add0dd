"""`axiom-drop sandbox`: run the local Axiom-compatible server in the foreground."""

from __future__ import annotations


def cmd_sandbox(args) -> int:
    from app import sandbox

    argv = []
    if args.port:
        argv += ["--port", str(args.port)]
    if args.token:
        argv += ["--token", args.token]
    if args.data_dir:
        argv += ["--data-dir", args.data_dir]
    if args.strict:
        argv.append("--strict")
    if getattr(args, "plan", "cloud") != "cloud":
        argv += ["--plan", args.plan]
    return sandbox.main(argv) or 0
