"""What is this input? Compression, encoding, format, CSV dialect, timestamp field, event estimate.

Sniffing reads only the head of the input (head.py), so a 10 GB file sniffs as fast as a small
one. Every guess carries a confidence and plain-sentence reasons, because the user is shown them
and may override any of them. One module per question (encoding, formats, csv_dialect; the time
field is app.core.time's), one entry point (sniffer.py), and preview_rows to re-read the head
with the user's settings.

DELIMITERS and preview_rows load on first use (PEP 562): batching and plan import this package
for a dataclass, and an NDJSON send should not pay for the CSV dialect finder, the text-log
parsers or the window's preview (issue #15: the CLI's first request; tests/cli/test_cli_imports.py).
"""

from typing import TYPE_CHECKING

from app.core.sniff.encoding import NUL_RUN, binary_share, control_share
from app.core.sniff.head import HEAD_BYTES
from app.core.sniff.models import RAGGED_KEY, SAMPLE_EVENTS, CsvDialect, LogSettings, Sniff
from app.core.sniff.sniffer import NOT_DATA, sniff_bytes, sniff_path

if TYPE_CHECKING:
    from app.core.sniff.csv_dialect import DELIMITERS
    from app.core.sniff.preview import preview_rows

__all__ = [
    "DELIMITERS", "HEAD_BYTES", "NUL_RUN", "binary_share", "control_share", "NOT_DATA", "RAGGED_KEY", "SAMPLE_EVENTS", "CsvDialect", "LogSettings", "Sniff",
    "preview_rows", "sniff_bytes", "sniff_path",
]


def __getattr__(name: str):
    if name == "DELIMITERS":
        from app.core.sniff.csv_dialect import DELIMITERS as value
    elif name == "preview_rows":
        from app.core.sniff.preview import preview_rows as value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
