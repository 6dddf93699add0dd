"""Text logs: which format a log is (detect), where its events start and end (multiline), and the
fields each event becomes (formats, fields, parse), `_time` read with time's year and zone rules
(clock). Below sniff (which ranks a log against CSV and JSON) and batching (which sends it)."""

from app.core.textlog.detect import LogGuess, guess_log
from app.core.textlog.formats import BY_ID, FORMATS, LogFormat
from app.core.textlog.multiline import Grouped, Grouper, group, split_lines
from app.core.textlog.parse import Parser, settings_problem

FORMAT_IDS = tuple(fmt.id for fmt in FORMATS)

__all__ = ["BY_ID", "FORMATS", "FORMAT_IDS", "Grouped", "Grouper", "LogFormat", "LogGuess", "Parser", "group", "guess_log",
           "settings_problem", "split_lines"]
