"""The same engine from a terminal: `axiom-drop inspect|send|resume|sandbox …`.

Exit codes: 0 when every event was ingested, 1 when some failed or were not sent, 2 for a usage,
file or authentication error.

The names load on first use (PEP 562), so `app.cli.startup` can pause the cycle collector
before the entry point imports asyncio.
"""

__all__ = ["build_parser", "is_cli_invocation", "main"]


def __getattr__(name: str):
    if name in ("is_cli_invocation", "main"):
        from app.cli import entry

        return getattr(entry, name)
    if name == "build_parser":
        from app.cli.parser import build_parser

        return build_parser
    raise AttributeError(f"module 'app.cli' has no attribute {name!r}")
