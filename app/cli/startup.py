"""The CLI starts without the cycle collector, and each command takes it back once its imports
are done (issue #15: the first request within 100 ms). Importing what `send` needs makes some
200,000 objects and next to no cyclic garbage, yet the collector walked them again and again as
they were made (74 collections, ~13 ms of a tiny send). Turned back on as it was, its first
collection would walk them all at once; in `python -m app` they are frozen first (they live as
long as the process anyway), so it never walks them again. A long upload needs it back."""

from __future__ import annotations

import gc

_held = False
_freeze = False


def hold_collector(whole_process: bool = False) -> None:
    """Pause the cycle collector for the imports (a no-op when it is off already).
    `whole_process`: this process is the command, so what start-up made may be frozen."""
    global _held, _freeze
    if gc.isenabled():
        gc.disable()
        _held, _freeze = True, whole_process


def release_collector() -> None:
    """Turn it back on, if hold_collector turned it off; safe to call again."""
    global _held
    if _held:
        _held = False
        if _freeze:
            gc.freeze()
        gc.enable()
