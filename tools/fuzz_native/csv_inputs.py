"""Inputs for _native_csv.c (typed CSV's quote-free blocks) and how each is checked: the block
through NativeBlocks.ndjson (the C) and through plain_cells + _by_template (the Python path it
replaces), which must give the same bytes, or both decline (the C may leave one case to Python:
one column with an empty cell), or raise the same exception. Cells come from the shapes
test_native_csv_equivalence.py draws (numbers as written and their near misses, decimal commas,
boolean spellings, text, empty cells) plus long cells and many distinct ones, then bytes are
changed anywhere; some cases are hostile arguments to the C entry itself (callbacks that raise or
answer wrongly), which must raise a proper exception."""

from __future__ import annotations

import random

from app.core.batching import typed_fast
from app.core.batching.typed_csv import _by_template
from app.core.batching.typed_fast import native_blocks, plain_cells
from app.core.sniff.csv_types import BOOLEAN, DECIMAL_COMMA, NUMBER, TEXT

from .csv_hostile import HOSTILE, probe
from .mutate import SPECIAL, mutate

NAMES = ["a", "b b", "c%s", 'd"q', "é", "日本", "%", "x\\y", "n", "t\tab", "", "\u2028", "k" * 300]
KINDS = [None, NUMBER, DECIMAL_COMMA, BOOLEAN]
DELIMITERS = [",", ";", "\t", "|"]
ODD_DELIMITERS = [" ", "e", "0", ".", "\xa7", "\x00", "\n", "\x7f", "é", '"', "ab"]
QUOTES = ['"', '"', '"', "", "'", "e", "0", "é", "\n"]
INVALID = [b"\xff", b"\xc3", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe2\x82",
           b"\xf0\x9f\x98", b"\x80"]
VALID = [b"\xf0\x9f\x98\x80", b"\xc3\xa9", b"\xe2\x82\xac", b"\xed\x9f\xbf", b"\xf4\x8f\xbf\xbf", b"\xee\x80\x80"]
BAD = [b'"', b"\\", b"\x01", b"\x7f", b"\r", b"\x1f", b"\x00"]
WORDS = ["true", "false", "TRUE", "False", "tRuE", " true", "false ", "yes", "0", "1", "truee", "t", "fals", "tru"]
PADS = ["", "", "", "", " ", "\u00a0", "\u2003"]
CSV_SPECIAL = SPECIAL + [b"1", b"-0", b"+", b"e+", b"1e5", b",5", b".0", b"007", b"true", b"\xc3\xa9"] + INVALID + VALID


def _digits(rng: random.Random, lo: int, hi: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(rng.randint(lo, hi)))


def number(rng: random.Random) -> str:
    """A number of a shape csv_types reads, or a near miss (leading zeros, 16 digits, a bare point,
    3 exponent digits, a sign alone, padding)"""
    whole = rng.choice(["", "0", "0", "00", "007", rng.choice("123456789") + _digits(rng, 0, 16)])
    frac = rng.choice([None, None, _digits(rng, 0, 17), "0" * rng.randint(1, 4) + _digits(rng, 1, 15)])
    exp = rng.choice([None, None, None, rng.choice("eE") + rng.choice(["", "+", "-"]) + _digits(rng, 0, 3)])
    return rng.choice(PADS) + rng.choice(["", "", "-", "+"]) + whole + \
        ("" if frac is None else rng.choice([".", ".", ","]) + frac) + (exp or "") + rng.choice(PADS)


def as_written(rng: random.Random) -> str:
    """csv_types._JSON_ONE: a JSON number as written"""
    whole = "0" if rng.random() < 0.2 else rng.choice("123456789") + _digits(rng, 0, 14)
    frac = "." + _digits(rng, 1, 15) if rng.random() < 0.5 else ""
    exp = rng.choice("eE") + rng.choice(["", "+", "-"]) + _digits(rng, 1, 2) if rng.random() < 0.2 else ""
    return rng.choice(["", "-"]) + whole + frac + exp


def text(rng: random.Random) -> str:
    return "".join(rng.choice("ab é日\u00a0 %.,-+0123456789eE") for _ in range(rng.randint(0, 6)))


def cell(rng: random.Random, kind) -> str:
    r = rng.random()
    if r < 0.12:
        return ""
    if r < 0.25:  # another column's kind of cell
        kind = rng.choice(KINDS)
    if kind is None or kind == TEXT:
        return text(rng)
    if kind == BOOLEAN:
        return rng.choice(WORDS)
    value = as_written(rng) if rng.random() < 0.5 else number(rng)
    return value.replace(".", ",") if kind == DECIMAL_COMMA and rng.random() < 0.5 else value


# good blocks of each kind of column (and holes) that the sweep changes one byte of
SWEEP = [(b"1.5;x;TRUE\n-0;\xc3\xa9;false\n12e3;;true\n", [NUMBER, None, BOOLEAN], ";"),
         (b"1,25|0|a\n-7,5|+3|\n|1.0|b\n", [DECIMAL_COMMA, NUMBER, None], "|"),
         (b"0.001\t123456789012345\n0.0001\t1E+05\n", [NUMBER, NUMBER], "\t")]


def sweep_case(rng: random.Random) -> dict:
    """One byte of a good block changed or inserted anywhere, or the block cut"""
    good, kinds, delimiter = rng.choice(SWEEP)
    i, v = rng.randrange(len(good) + 1), bytes([rng.randrange(256)])
    body = rng.choice([good[:i] + v + good[i + 1:], good[:i] + v + good[i:], good[:i]])
    rows = good.count(b"\n") if rng.random() < 0.5 else body.count(b"\n")  # as cut, or as it now reads
    return {"target": "csv", "body": body, "rows": rows,
            "names": ["a", "b", "c"][:len(kinds)], "kinds": kinds, "delimiter": delimiter, "quote": '"',
            "null": rng.random() < 0.5}


def csv_case(rng: random.Random) -> dict:
    if rng.random() < 0.03:
        return {"target": "csv", "hostile": rng.choice(sorted(HOSTILE)), "seed": rng.randrange(1 << 30)}
    if rng.random() < 0.1:
        return sweep_case(rng)
    width = rng.choice([1, 1, 2, 2, 3, 4, 5, 8]) if rng.random() < 0.97 else 40
    names = rng.sample(NAMES, min(width, len(NAMES))) + [f"c{i}" for i in range(len(NAMES), width)]
    if rng.random() < 0.03 and width > 1:
        names[-1] = names[0]  # a name twice: no C path
    kinds = [rng.choice(KINDS) for _ in range(width)]
    if rng.random() < 0.02:
        kinds[rng.randrange(width)] = TEXT  # a kind the C does not know: no C path
    delimiter = rng.choice(DELIMITERS) if rng.random() < 0.93 else rng.choice(ODD_DELIMITERS)
    quote = rng.choice(QUOTES) if rng.random() < 0.95 else delimiter
    rows = rng.choice([1, 1, 2, 3, 6, 10, 30, 100]) if rng.random() < 0.98 else 1000
    d = delimiter.encode()
    r = rng.random()
    if r < 0.002:  # one column's cells all distinct and written through the cells mapping (filled, emptied)
        rows = rng.choice([5000, 120_000])
        base = rng.randrange(10**6)
        columns = [[b"%d.%de5" % (base, i) for i in range(rows)], [b""] * rows]
        names, kinds = ["n", "e"], [rng.choice([NUMBER, DECIMAL_COMMA]), None]
    else:
        columns = [[cell(rng, k).replace(delimiter, "").encode() for _ in range(rows)] for k in kinds]
        if r < 0.02:  # a long cell
            columns[rng.randrange(width)][rng.randrange(rows)] = rng.choice([b"7", b"a", b"1.5", b"\xc3\xa9"]) * \
                rng.choice([1 << 16, 1 << 20])
        for _ in range(rng.choice([0, 0, 0, 1, 2])):  # a byte that declines, or a UTF-8 edge, in a cell
            k, i = rng.randrange(width), rng.randrange(rows)
            piece = rng.choice(BAD + INVALID + VALID + [d])
            at = rng.randint(0, len(columns[k][i]))
            columns[k][i] = columns[k][i][:at] + piece + columns[k][i][at:]
    body = b"".join(d.join(col[i] for col in columns) + b"\n" for i in range(rows))
    if rng.random() < 0.15:
        body = mutate(rng, body, special=CSV_SPECIAL)
    rows = rows if rng.random() < 0.85 else max(0, rows + rng.choice([-1, 1, body.count(b"\n") - rows]))
    return {"target": "csv", "body": body, "rows": rows, "names": names, "kinds": kinds, "delimiter": delimiter,
            "quote": quote, "null": rng.random() < 0.5}


_BLOCKS: dict[tuple, object] = {}  # one NativeBlocks per file's columns, as typed_csv keeps one: its caches fill


def _c(case: dict):
    key = (tuple(case["names"]), tuple(case["kinds"]))
    if key not in _BLOCKS:
        if len(_BLOCKS) > 64:
            _BLOCKS.clear()
        _BLOCKS[key] = native_blocks(case["names"], case["kinds"])
    blocks = _BLOCKS[key]
    if blocks is None:
        return "no C path"
    return blocks.ndjson(case["body"], case["rows"], case["delimiter"], case["quote"], case["null"])


def _python(case: dict):
    body, rows, names = case["body"], case["rows"], case["names"]
    plain = plain_cells(body, rows, len(names), case["delimiter"], case["quote"])
    if plain is None:
        return None
    cells, empty = plain
    return _by_template(cells, rows, names, case["kinds"], case["null"], False, empty)


def _outcome(fn, case):
    try:
        return fn(case)
    except Exception as exc:  # compared, as a type and message, with the other path's
        return f"raised {type(exc).__name__}: {exc}"


def check_csv(case: dict) -> str | None:
    if "hostile" in case:
        return probe(case["hostile"], case["seed"])
    got = _outcome(_c, case)
    if got == "no C path":
        names, kinds = case["names"], case["kinds"]
        expected = len(set(names)) != len(names) or not set(kinds) <= typed_fast._CODES.keys()
        return None if expected else "native_blocks declined columns it takes"
    want = _outcome(_python, case)
    if got == want:
        return None
    body = case["body"]
    if got is None and want is not None and len(case["names"]) == 1 and b"" in body.split(b"\n")[:-1]:
        return None  # what the C leaves to Python: one column with an empty cell
    if got is None and len(case["quote"].encode()) > 1:
        return None  # NativeBlocks leaves a quote of two bytes or more to Python (the delimiter: both decline)
    return f"C gave {got!r:.300}\nPython gave {want!r:.300}"

