"""Text logs: which format a log is (detect), where its events start and end (multiline), and the
fields each event becomes (formats, fields, parse), `_time` read with time's year and zone rules
(clock). Below sniff (which ranks a log against CSV and JSON) and batching (which sends it).

Parser and settings_problem load on first use (PEP 562): sniffing a CSV asks whether its head is
a log (detect), and only a log is parsed (parse and its fast paths: issue #15, the CLI's first
request; tests/cli/test_cli_imports.py)."""

from typing import TYPE_CHECKING

from app.core.textlog.detect import LogGuess, guess_log
from app.core.textlog.formats import BY_ID, FORMATS, LogFormat
from app.core.textlog.multiline import Grouped, Grouper, group, split_lines

if TYPE_CHECKING:
    from app.core.textlog.parse import Parser, settings_problem

FORMAT_IDS = tuple(fmt.id for fmt in FORMATS)

__all__ = ["BY_ID", "FORMATS", "FORMAT_IDS", "Grouped", "Grouper", "LogFormat", "LogGuess", "Parser", "group", "guess_log",
           "settings_problem", "split_lines"]


def __getattr__(name: str):
    if name == "Parser":
        from app.core.textlog.parse import Parser as value
    elif name == "settings_problem":
        from app.core.textlog.parse import settings_problem as value
    else:  # a submodule (`from app.core.textlog import pool`) is imported by the caller's import
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
