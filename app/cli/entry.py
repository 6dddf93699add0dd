"""`axiom-drop …` from a terminal: parse the arguments, run the command, return its exit code."""

from __future__ import annotations

import asyncio
import sys

from app.cli import startup
from app.cli.output import EXIT_FAILURES, EXIT_OK, EXIT_USAGE
from app.cli.parser import COMMANDS, build_parser


def is_cli_invocation(argv: list[str]) -> bool:
    """Subcommands and options run the CLI; anything else (no args, file paths) opens the window."""
    return bool(argv) and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version"))


def main(argv: list[str] | None = None) -> int:
    startup.hold_collector()
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    finally:
        startup.release_collector()


def _run(argv: list[str]) -> int:
    """The command's exit code. `send` gives the collector back once it has imported what it
    sends with; the other commands, as they start."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code not in (0, None) else EXIT_OK
    if args.command == "inspect":
        from app.cli.inspect import cmd_inspect

        startup.release_collector()
        return cmd_inspect(args)
    if args.command == "send":
        from app.cli.send import cmd_send

        return _until_interrupted(cmd_send(args), "interrupted")
    if args.command == "resume":
        from app.cli.resume import cmd_resume

        startup.release_collector()
        return _until_interrupted(cmd_resume(args), "interrupted (run `axiom-drop resume` again to continue)")
    if args.command == "export-vector":
        from app.cli.export_vector import cmd_export_vector

        startup.release_collector()
        return cmd_export_vector(args)
    if args.command == "sandbox":
        from app.cli.sandbox_cmd import cmd_sandbox

        startup.release_collector()
        return cmd_sandbox(args)
    return EXIT_USAGE


def _until_interrupted(command, message: str) -> int:
    """Run an async command; Ctrl+C ends it with `message` and the exit code for "not all sent"."""
    try:
        return asyncio.run(command)
    except KeyboardInterrupt:
        print(message, file=sys.stderr)
        return EXIT_FAILURES
