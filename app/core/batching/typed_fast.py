"""The cells of a plain CSV block, cut with bytes methods (no csv module, no Python work per row):
the throughput path of typed CSV (typed_csv.py renders the cells either way).

A block qualifies when it holds no quote character, nothing a JSON string must escape (`"`, `\\`,
a control byte other than the delimiter; 0x7f too), only valid UTF-8, and every one of its rows
is exactly as wide as the header. Then its cells are what the csv module would read, in row
order, and need no escaping. Any other block (quotes, a ragged row, CR, NUL, …) goes the csv
module's way, which keeps each row's line and reason; tests compare the two.

The same block path runs in C (_native_csv.c) where it is built: NativeBlocks hands it a file's
columns (their JSON keys and kinds) and csv_types' own functions for what it does not write
itself; this Python path stays for where it is not built and for comparison.
"""

from __future__ import annotations

from typing import Sequence

import orjson

from app.core.sniff.csv_types import BOOLEAN, DECIMAL_COMMA, NUMBER, convert, json_texts

try:
    from app.core.batching import _native_csv
except ImportError:  # not compiled here (no C compiler): the Python path
    _native_csv = None

_NOT_JSON_SAFE = bytes([*range(0x20), 0x22, 0x5C, 0x7F])  # what a JSON string escapes, 0x7f as well


def plain_cells(body: bytes, rows: int, width: int, delimiter: str, quote: str) -> tuple[list[str], bool] | None:
    """(the block's cells row after row, rows × width of them; whether one is empty), or None when
    it does not qualify. Two translate() passes check it: one deletes the bytes JSON must escape
    (the length must stay), one keeps only delimiters and line ends (the rows' exact skeleton)."""
    d = delimiter.encode("utf-8")
    if width < 1 or len(d) != 1 or d == b"\n" or not body or body[-1] != 0x0A:
        return None
    q = quote.encode("utf-8")
    if q and q in body:
        return None
    unsafe = _NOT_JSON_SAFE.replace(d, b"").replace(b"\n", b"")
    if len(body.translate(None, unsafe)) != len(body):
        return None
    if body.translate(None, _others(d)) != (d * (width - 1) + b"\n") * rows:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    sep = delimiter
    cells = text.replace("\n", sep).split(sep) if width > 1 else text.split("\n")
    cells.pop()  # after the last "\n"
    # an empty cell is two delimiters in a row, or one at either end of a line (memmem, not a scan of cells)
    empty = d + d in body or b"\n" + d in body or d + b"\n" in body or body[:1] == d
    return cells, empty


_OTHERS: dict[bytes, bytes] = {}


def _others(d: bytes) -> bytes:
    """Every byte but the delimiter and "\\n" (translate deletes these, leaving the skeleton)."""
    if d not in _OTHERS:
        _OTHERS[d] = bytes(b for b in range(256) if b not in (d[0], 0x0A))
    return _OTHERS[d]


_CODES = {None: 0, NUMBER: 1, DECIMAL_COMMA: 2, BOOLEAN: 3}  # _native_csv.c's kinds


class _Cells(dict):
    """A typed cell's bytes → orjson.dumps(convert(cell, kind)), each distinct cell converted once:
    the C path asks for the cells of rows with an empty cell that it does not write itself."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def __missing__(self, key: bytes) -> bytes:
        if len(self) > 100_000:
            self.clear()
        value = self[key] = orjson.dumps(convert(key.decode("utf-8"), self.kind))
        return value


class NativeBlocks:
    """One file's columns as _native_csv.ndjson takes them."""

    def __init__(self, names: Sequence[str], kinds: Sequence[str | None]):
        cells = {k: _Cells(k) for k in set(kinds) if k is not None}
        self.columns = (tuple(orjson.dumps(n) for n in names), tuple(_CODES[k] for k in kinds), tuple(kinds))
        self.cells = tuple(cells.get(k) for k in kinds)

    def ndjson(self, body: bytes, rows: int, delimiter: str, quote: str, null: bool) -> bytes | None:
        """The block as typed NDJSON, what _by_template makes of plain_cells' cells, or None: it
        does not qualify, or it is one the C path leaves to Python (then plain_cells is asked)."""
        d, q = delimiter.encode("utf-8"), quote.encode("utf-8")
        if len(d) != 1 or len(q) > 1 or not rows:
            return None
        return _native_csv.ndjson(body, rows, d[0], q[0] if q else -1, *self.columns, null, json_texts, self.cells)


def native_blocks(names: Sequence[str], kinds: Sequence[str | None]) -> NativeBlocks | None:
    """The C path for these columns, or None: not built, a kind it does not know, or a name
    twice (a row with an empty cell is a dict in the Python path, which keeps one of them)."""
    if _native_csv is None or len(set(names)) != len(names) or not set(kinds) <= _CODES.keys():
        return None
    return NativeBlocks(names, kinds)
