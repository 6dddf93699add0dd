"""Which CSV columns hold numbers or booleans, from the sample, and how one cell reads as a typed
value. Axiom stores CSV cells as strings (`sum(duration_ms)` fails on them); a column typed here
is sent as a JSON number or boolean instead (the file then goes as NDJSON).

A column is typed only when every non-empty sampled cell reads as that type; numbers with a
leading zero ("007", a code) or over 15 digits (an id) stay text, as does anything else.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

TEXT, NUMBER, DECIMAL_COMMA, BOOLEAN = "text", "number", "number (decimal comma)", "boolean"
TYPES = (TEXT, NUMBER, DECIMAL_COMMA, BOOLEAN)
EMPTY_CELLS = ("omit", "null")  # what an empty cell of a typed file becomes: no field, or null
CLEAR_ROWS = 10  # typed by default only when the sample holds this many rows or more

_INT = re.compile(r"[+-]?(?:0|[1-9][0-9]{0,14})")
_FLOAT = re.compile(r"[+-]?(?:0|[1-9][0-9]{0,14})?\.[0-9]{1,15}(?:[eE][+-]?[0-9]{1,2})?|"
                    r"[+-]?(?:0|[1-9][0-9]{0,14})[eE][+-]?[0-9]{1,2}")
_COMMA = re.compile(r"[+-]?(?:0|[1-9][0-9]{0,14}),[0-9]{1,15}")
_BOOLS = {"true": True, "false": False}
_ONE = r"(?:[+-]?(?:0|[1-9][0-9]{0,14})?\.[0-9]{1,15}(?:[eE][+-]?[0-9]{1,2})?|[+-]?(?:0|[1-9][0-9]{0,14})(?:[eE][+-]?[0-9]{1,2})?)"
_INT_COLUMN = re.compile(r"[+-]?(?:0|[1-9][0-9]{0,14})(?:\n[+-]?(?:0|[1-9][0-9]{0,14}))*")
_NUMBER_COLUMN = re.compile(_ONE + r"(?:\n" + _ONE + r")*")
_BOOL_WORDS = {"true", "false"}
_JSON_ONE = r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?(?:[eE][+-]?[0-9]{1,2})?"
# cells that are JSON numbers as written: the rule json_as_written() applies faster (tests compare them)
_JSON_COLUMN = re.compile(_JSON_ONE + r"(?:\n" + _JSON_ONE + r")*")
_JSON_SHAPE = re.compile(_JSON_ONE.encode())
_NUMBER_CHARS = b"0123456789.eE+-\n"
_SHAPES = bytes.maketrans(b"0123456789", b"9999999999")
_LEADING_ZERO = re.compile(rb"\n-?0[0-9]")
_JSON_WORDS = {True: "true", False: "false"}


def type_named(name: str) -> str | None:
    """A type from what a user types: "number", "decimal-comma", "boolean", "text" (None: no such type)."""
    key = name.strip().lower().replace("_", "-")
    return {"text": TEXT, "string": TEXT, "number": NUMBER, "decimal-comma": DECIMAL_COMMA, DECIMAL_COMMA: DECIMAL_COMMA,
            "boolean": BOOLEAN, "bool": BOOLEAN}.get(key)


def cell_type(value: str) -> str:
    """The narrowest type a single non-empty cell reads as."""
    v = value.strip()
    if _INT.fullmatch(v) or _FLOAT.fullmatch(v):
        return NUMBER
    if _COMMA.fullmatch(v):
        return DECIMAL_COMMA
    if v.lower() in _BOOLS:
        return BOOLEAN
    return TEXT


def infer_types(fields: Sequence[str], rows: Iterable[Sequence[str]]) -> dict[str, str]:
    """Each field's type from the sampled rows (a column of integers and decimal-comma numbers is
    DECIMAL_COMMA; a column with no non-empty cell is TEXT)."""
    seen: list[set[str]] = [set() for _ in fields]
    for row in rows:
        for k, value in enumerate(row[: len(fields)]):
            if value.strip():
                seen[k].add(cell_type(value))
    out: dict[str, str] = {}
    for name, kinds in zip(fields, seen):
        if kinds == {NUMBER} or kinds == {BOOLEAN} or kinds == {DECIMAL_COMMA}:
            out[name] = kinds.pop()
        elif kinds == {NUMBER, DECIMAL_COMMA} and not any("." in k for k in kinds):
            out[name] = DECIMAL_COMMA
        else:
            out[name] = TEXT
    return out


def clearly_typed(types: dict[str, str], rows: int) -> bool:
    """Typed values by default: some column is a number or boolean, read from enough rows."""
    return rows >= CLEAR_ROWS and any(t != TEXT for t in types.values())


def from_events(fields: Sequence[str], events: Sequence[object]) -> tuple[dict[str, str], bool]:
    """(each field's type, typed by default) from sampled CSV events (dicts of strings)."""
    rows = [[str(e.get(f) or "") for f in fields] for e in events if isinstance(e, dict)]
    types = infer_types(fields, rows)
    return types, clearly_typed(types, len(rows))


def describe(types: dict[str, str]) -> str:
    """One line for a card or `inspect`: "status: number, ok: boolean" (text columns left out)."""
    typed = [f"{name}: {t}" for name, t in types.items() if t != TEXT]
    return ", ".join(typed) if typed else "all text"


def convert(value: str, kind: str) -> object:
    """The typed value of one non-empty cell; a cell that does not read as its column's type stays
    the string it was (never lost: a column typed from the sample may hold text further down)."""
    v = value.strip()
    if kind == NUMBER or kind == DECIMAL_COMMA:
        if kind == DECIMAL_COMMA and _COMMA.fullmatch(v):
            v = v.replace(",", ".")
        if _INT.fullmatch(v):
            return int(v)
        if _FLOAT.fullmatch(v):
            return float(v)
        return value
    if kind == BOOLEAN:
        b = _BOOLS.get(v.lower())
        return value if b is None else b
    return value


def convert_column(values: Sequence[str], kind: str) -> list | None:
    """A whole column of non-empty cells as typed values, checked by one regex and converted by
    map() (no Python work per cell); None when some cell does not read (then convert each one)."""
    if not values:
        return []
    joined = "\n".join(values)
    if kind == DECIMAL_COMMA and "," in joined:
        joined = joined.replace(",", ".")
        values = joined.split("\n")
    if kind == NUMBER or kind == DECIMAL_COMMA:
        if _INT_COLUMN.fullmatch(joined):
            return list(map(int, values))
        return list(map(float, values)) if _NUMBER_COLUMN.fullmatch(joined) else None
    if kind == BOOLEAN:
        low = joined.lower()
        words = low.split("\n")
        return list(map("true".__eq__, words)) if set(words) <= _BOOL_WORDS else None
    return list(values)


def typed_event(event: dict, types: dict[str, str], empty_cells: str = "omit") -> dict:
    """A sampled CSV event (strings) as it is sent typed: for the preview, the same values."""
    out: dict = {}
    for k, v in event.items():
        if v == "" and isinstance(v, str):
            if empty_cells == "null":
                out[k] = None
            continue
        out[k] = convert(v, types[k]) if k in types and isinstance(v, str) else v
    return out


def json_texts(values: Sequence[str], kind: str) -> list[str]:
    """A column of non-empty cells as the JSON text of their typed values: the cells themselves
    when they are JSON numbers as written (one regex, no work per cell), else converted."""
    import orjson  # the JSON writer of the batching side

    cells = values  # as written: the fallback converts these, never the comma-swapped text
    joined = "\n".join(values)
    if kind == DECIMAL_COMMA and "," in joined:
        joined = joined.replace(",", ".")
        values = joined.split("\n")
    if (kind == NUMBER or kind == DECIMAL_COMMA) and json_as_written(joined):
        return list(values)
    typed = convert_column(values, kind)
    if typed is not None:
        return list(map(_JSON_WORDS.__getitem__, typed)) if kind == BOOLEAN else list(map(str, typed))
    return [orjson.dumps(convert(v, kind)).decode() for v in cells]


def json_as_written(joined: str) -> bool:
    """Whether every line of joined is a JSON number as written (_JSON_COLUMN.fullmatch, at C speed:
    a regex repeating a group costs ~300 ns a cell). Each cell's digits become 9s, so a column holds
    few distinct shapes, each matched once; a leading zero, which the shapes hide, is looked for apart."""
    if not joined.isascii():
        return False
    raw = joined.encode("ascii")
    if raw.translate(None, _NUMBER_CHARS) or _LEADING_ZERO.search(b"\n" + raw):
        return False
    return all(map(_JSON_SHAPE.fullmatch, set(raw.translate(_SHAPES).split(b"\n"))))
