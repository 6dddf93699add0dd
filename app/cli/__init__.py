"""The same engine from a terminal: `axiom-drop inspect|send|resume|sandbox …`.

Exit codes: 0 when every event was ingested, 1 when some failed or were not sent, 2 for a usage,
file or authentication error.
"""

from app.cli.entry import is_cli_invocation, main
from app.cli.parser import build_parser

__all__ = ["build_parser", "is_cli_invocation", "main"]
