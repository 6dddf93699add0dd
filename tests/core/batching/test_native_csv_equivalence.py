"""The C fast path of typed CSV (_native_csv.c) gives byte for byte what the Python one gives
(typed_fast.plain_cells + typed_csv._by_template), or declines the same blocks: on blocks built
from the pieces the rules care about (every kind, numbers of each shape csv_types types or not,
decimal commas, signs, exponents, padding, booleans' spellings, empty cells left out or null,
non-ASCII, invalid UTF-8, the bytes a JSON string escapes, the four delimiters, header names
with `"`, `%` and non-ASCII), so that every branch of the C meets the rule it copies. The
end-to-end equality with the csv module's path is test_typed_fast.py's."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.batching import typed_fast
from app.core.batching.typed_csv import _by_template
from app.core.batching.typed_fast import native_blocks, plain_cells
from app.core.sniff.csv_types import BOOLEAN, DECIMAL_COMMA, NUMBER, convert

pytestmark = pytest.mark.skipif(typed_fast._native_csv is None,
                                reason="the C fast path is not built here (make builds it)")

NAMES = ["a", "b b", "c%s", 'd"q', "é", "日本", "%", "x\\y", "n", "t\tab"]
KINDS = [None, NUMBER, DECIMAL_COMMA, BOOLEAN]
DELIMITERS = [",", ";", "\t", "|"]


def _number(lead: str, sign: str, whole: str, point: str, frac: str | None, exp: str | None, tail: str) -> str:
    return lead + sign + whole + ("" if frac is None else point + frac) + (exp or "") + tail


pads = st.sampled_from(["", "", "", "", " ", "\u00a0", "\u2003"])
# the value shapes csv_types reads as numbers, and their near misses (leading zeros, 16 digits, a
# bare point, 3 exponent digits, a sign alone, padding ASCII or not)
numbers = st.builds(_number, pads, st.sampled_from(["", "", "-", "+"]),
                    st.one_of(st.sampled_from(["", "0", "0", "00", "007"]),
                              st.from_regex(r"[1-9][0-9]{0,16}", fullmatch=True)),
                    st.sampled_from([".", ".", ","]),
                    st.one_of(st.none(), st.text("0123456789", max_size=17),
                              st.from_regex(r"0{1,4}[1-9][0-9]{0,14}0{0,3}", fullmatch=True)),
                    st.one_of(st.none(), st.none(), st.from_regex(r"[eE][+-]?[0-9]{0,3}", fullmatch=True)), pads)
# JSON numbers as written (csv_types._JSON_ONE): whole columns of them are copied
as_written = st.from_regex(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?(?:[eE][+-]?[0-9]{1,2})?", fullmatch=True)
commas = as_written.map(lambda v: v.replace(".", ","))
words = st.sampled_from(["true", "false", "TRUE", "False", "tRuE", " true", "false ", "yes", "0", "1", "truee", "t"])
texts = st.text("ab é日\u00a0 %.,-+0123456789eE", max_size=6)
# what declines a block: a quote, what JSON escapes, a CR, 0x7f
bad = st.sampled_from(['"', "\\", "\x01", "\x7f", "\r", "\x1f", "\x00"])
POOLS = {None: texts, NUMBER: st.one_of(as_written, numbers), DECIMAL_COMMA: st.one_of(commas, numbers),
         BOOLEAN: words}
odd = st.one_of(numbers, words, texts, st.just(""), st.just(""))
INVALID = [b"\xff", b"\xc3", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe2\x82",
           b"\xf0\x9f\x98", b"\x80"]
VALID = [b"\xf0\x9f\x98\x80", b"\xc3\xa9", b"\xe2\x82\xac", b"\xed\x9f\xbf", b"\xf4\x8f\xbf\xbf", b"\xee\x80\x80"]


@st.composite
def blocks(draw) -> tuple[bytes, int, list[str], list, str]:
    width = draw(st.integers(1, 5))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=width, max_size=width, unique=True))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=width, max_size=width))
    delimiter = draw(st.sampled_from(DELIMITERS))
    rows = draw(st.integers(1, 6))
    columns = []
    for kind in kinds:  # a column's usual cells, now and then another's
        usual = POOLS[kind]
        cells = draw(st.lists(st.one_of(usual, usual, usual, odd), min_size=rows, max_size=rows))
        columns.append([c.replace(delimiter, "").encode() for c in cells])
    for _ in range(draw(st.sampled_from([0, 0, 0, 1]))):  # a byte that declines, or a UTF-8 edge
        k, i = draw(st.integers(0, width - 1)), draw(st.integers(0, rows - 1))
        piece = draw(st.one_of(bad.map(str.encode), st.sampled_from(INVALID), st.sampled_from(VALID),
                               st.just(delimiter.encode())))
        at = draw(st.integers(0, len(columns[k][i])))
        columns[k][i] = columns[k][i][:at] + piece + columns[k][i][at:]
    d = delimiter.encode()
    body = b"".join(d.join(col[i] for col in columns) + b"\n" for i in range(rows))
    return body, rows, names, kinds, delimiter


def _python(body: bytes, rows: int, names: list[str], kinds: list, delimiter: str, quote: str, null: bool) -> bytes | None:
    plain = plain_cells(body, rows, len(names), delimiter, quote)
    if plain is None:
        return None
    cells, empty = plain
    return _by_template(cells, rows, names, kinds, null, False, empty)


def _same(body: bytes, rows: int, names: list[str], kinds: list, delimiter: str, quote: str = '"',
          null: bool = False) -> bytes | None:
    """The C path's answer, checked against the Python one's."""
    want = _python(body, rows, names, kinds, delimiter, quote, null)
    got = native_blocks(names, kinds).ndjson(body, rows, delimiter, quote, null)
    if got is None and want is not None:  # what the C leaves to Python: one column with an empty cell
        assert len(names) == 1 and b"" in body.split(b"\n")[:-1], body
    else:
        assert got == want, body
    return got


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks(), st.booleans())
def test_random_blocks_read_as_the_python_path_reads_them(block, null):
    body, rows, names, kinds, delimiter = block
    _same(body, rows, names, kinds, delimiter, null=null)
    _same(body[:-1], rows, names, kinds, delimiter, null=null)  # no final newline
    _same(body, rows + 1, names, kinds, delimiter, null=null)  # not the rows it was told
    if rows > 1:
        _same(body, rows - 1, names, kinds, delimiter, null=null)
    _same(body, rows, names, kinds, delimiter, quote="", null=null)  # no quote character
    _same(body, rows, names, kinds, delimiter, quote="e", null=null)  # a quote that is a letter


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(numbers, as_written, commas), min_size=1, max_size=4), st.sampled_from([NUMBER, DECIMAL_COMMA]),
       st.booleans())
def test_numbers_are_written_as_the_python_path_writes_them(values, kind, null):
    """Each number in a column of its kind (copied when all are as written, else json_texts'),
    and in a row with an empty cell (cell by cell: the C writes integers and short decimals
    itself, as orjson writes convert()'s value, and asks for the rest)."""
    values = [v.replace(";", "") for v in values]
    whole = "".join(f"{v};x\n" for v in values).encode()
    _same(whole, len(values), ["n", "t"], [kind, None], ";", null=null)
    holes = "".join(f"{v};\n" for v in values).encode()
    out = _same(holes, len(values), ["n", "t"], [kind, None], ";", null=null)
    if out is not None:
        for v, line in zip(values, out.splitlines()):
            if v:
                assert orjson.loads(line)["n"] == orjson.loads(orjson.dumps(convert(v, kind)))
                assert line.startswith(b'{"n":' + orjson.dumps(convert(v, kind)))


@pytest.mark.parametrize("cell", ["0", "-0", "+0", "+7", "-7", "123456789012345", "1234567890123456", "007", "1.50",
                                  "-0.0", "0.000", "0.001", "0.0001", "0.00123", "123456789012345.5", "12345678.1234567",
                                  "0.00001", "0.000001", "0.0000012", "1,5", "+1.5", ".5", "5.", "1e5", "1E+05",
                                  "-1.5e-7", "1e100", " 7", "7\u00a0", "True", "tRUE", " false", "n/a", "é", "1,234.5"])
@pytest.mark.parametrize("kind", [NUMBER, DECIMAL_COMMA, BOOLEAN])
def test_edge_cells_read_the_same(cell, kind):
    for rows in ([cell, "1"], ["1", cell], [cell, cell], [cell]):
        for other in ("x", ""):  # a whole row, and one with an empty cell
            body = "".join(f"{c}|{other}\n" for c in rows).encode()
            for null in (False, True):
                _same(body, len(rows), ["a", "b"], [kind, None], "|", null=null)


@pytest.mark.parametrize("piece", INVALID + VALID + [c.encode() for c in ['"', "\\", "\x01", "\x7f", "\r", "\x00"]],
                         ids=repr)
def test_a_byte_sequence_anywhere_declines_the_block_where_python_does(piece):
    for cell in (piece, b"a" + piece, piece + b"1", b"1" + piece + b"2"):
        for k in (0, 1):
            for kinds in ([NUMBER, None], [None, BOOLEAN]):
                row = [b"1", b"true"]
                row[k] = cell
                body = b"1;true\n" + b";".join(row) + b"\n"
                _same(body, 2, ["a", "b"], kinds, ";")


def test_plain_blocks_are_taken_and_typed():
    """The properties above would pass if the C declined everything: here it must answer."""
    names, kinds = ["t", "n", "x", "ok", 'q"%é'], [None, NUMBER, DECIMAL_COMMA, BOOLEAN, None]
    body = "".join(f"2026-01-01T00:00:{i % 60:02d}Z;{i};{i},25;{'TRUE' if i % 2 else 'false'};é{i}\n"
                   for i in range(50)).encode()
    out = _same(body, 50, names, kinds, ";")
    assert orjson.loads(out.splitlines()[3]) == {"t": "2026-01-01T00:00:03Z", "n": 3, "x": 3.25, "ok": True, 'q"%é': "é3"}
    holes = body.replace(b";3;", b";;").replace(b";\xc3\xa97\n", b";\n")
    out = _same(holes, 50, names, kinds, ";", null=True)
    assert orjson.loads(out.splitlines()[3]) == {"t": "2026-01-01T00:00:03Z", "n": None, "x": 3.25, "ok": True, 'q"%é': "é3"}
    assert b'"q\\"%\xc3\xa9":null' in out.splitlines()[7]
    omitted = _same(holes, 50, names, kinds, ";").splitlines()
    assert orjson.loads(omitted[3]) == {"t": "2026-01-01T00:00:03Z", "x": 3.25, "ok": True, 'q"%é': "é3"}
    assert 'q"%é' not in orjson.loads(omitted[7])


def test_what_the_c_path_does_not_take():
    assert native_blocks(["a", "a"], [NUMBER, None]) is None  # a name twice: a dict keeps one
    assert native_blocks(["a"], ["text"]) is None  # a kind it does not know
    c = native_blocks(["a", "b"], [NUMBER, None])
    assert c.ndjson(b"1\xc2\xa72\n", 1, "\xa7", '"', False) is None  # a delimiter of two bytes
    assert c.ndjson(b"1,2\n", 1, ",", "\xa7", False) is None  # a quote of two bytes
    assert native_blocks(["a"], [NUMBER]).ndjson(b"1\n\n2\n", 3, ",", '"', False) is None  # one column, an empty cell
    assert c.ndjson(b"1,2\n", 1, ",", '"', False) == b'{"a":1,"b":"2"}\n'
