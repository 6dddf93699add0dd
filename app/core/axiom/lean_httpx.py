"""Import httpx without its command line.

httpx's __init__ imports `httpx._main` (its own `httpx` CLI) whenever rich and click are
installed, as they are in a development venv (import-linter needs them) and in many users'
Python: that pulled rich, click and pygments, about 40 % of httpx's import time, into every start
of the CLI (`python -X importtime`). The app never runs httpx's CLI, so a stand-in takes its place.
"""

from __future__ import annotations

import sys
import types

if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    _stub = types.ModuleType("httpx._main")

    def _no_cli() -> None:
        raise SystemExit("httpx's command line is not part of Axiom Drop")

    _stub.main = _no_cli  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = _stub
