"""The cells of a plain CSV block, cut with bytes methods (no csv module, no Python work per row):
the throughput path of typed CSV (typed_csv.py renders the cells either way).

A block qualifies when it holds no quote character, nothing a JSON string must escape (`"`, `\\`,
a control byte other than the delimiter; 0x7f too), only valid UTF-8, and every one of its rows
is exactly as wide as the header. Then its cells are what the csv module would read, in row
order, and need no escaping. Any other block (quotes, a ragged row, CR, NUL, …) goes the csv
module's way, which keeps each row's line and reason; tests compare the two.
"""

from __future__ import annotations

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
