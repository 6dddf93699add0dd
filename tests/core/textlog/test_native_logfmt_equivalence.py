"""The C logfmt block path (_native_logfmt.c) gives byte for byte what fast_logfmt's regular
expressions give, or declines the same blocks: on lines built from the pieces the patterns care
about (numbers at the edges of each kind, ISO times with and without fraction and zone, quotes,
`=`, `%`, spaces, a backslash, a tab, a CR, non-ASCII), so that every branch of the hand-written
matcher meets the regex it copies. The end-to-end equality with the line-by-line path is
test_fast_equivalence.py's."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.textlog import fast_logfmt
from app.core.textlog.clock import Clock

pytestmark = pytest.mark.skipif(fast_logfmt._native_logfmt is None,
                                reason="the C parser is not built here (make builds it)")

KEYS = ["time", "ts", "t", "level", "msg", "n", "a%sb", "cpu%", "_time", "x.y"]
INTS = ["0", "-0", "007", "12", "-3", "123456789012345678", "1234567890123456789", "-", "+1"]
FLOATS = ["1.50", "-0.0", "0.000", "1e5", "1.5E-3", "2.", ".5", "1e", "1.5e+", "0.001", "0.00099", "0.0001234",
          "123456789012345.5", "1234567890123456.5", "0.1000000000000000055511151231257827", "1e400"]
TIMES = ["2026-12-01T10:00:00Z", "2026-12-01T10:00:00.123+01:00", "2026-12-01T10:00:00,5", "2026-12-01 10:00:00",
         "2026-12-01T10:00:00.1234567890Z", "2026-12-01T10:00:00+01:0", "2026-12-01T10:00:00+0100",
         "2026-12-01T10:00:00z", "2026-02-30T10:00:00Z", "2026-12-01T10:00:01.5-05:00", "Dec  1 00:00:01",
         "2026/12/01 10:00:00", "10:00:00", "2026-12-01T10:00:00.5Zx"]
WORDS = ["true", "false", "True", "", "abc", "GET", "/a/b", "x=y", "é", "a\tb", "a\\b", "50%", "a\rb"]
PIECES = [" ", "  ", '"', "=", "%", "-", ".", "e", "1", "0", ":", "Z", "+", ",", "\\", "\t", "\r", "é", "\u00a0",
          "a", "true"]


def _quoted(values: list[str]) -> list[str]:
    return [f'"{v}"' for v in values]


# a column's usual values: most lines of a block have the kind its first line says
POOLS = [INTS, FLOATS, ["true", "false"], TIMES, WORDS, _quoted(TIMES), _quoted(WORDS + INTS)]
rest = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
bare = st.one_of(st.sampled_from(INTS + FLOATS + TIMES + WORDS), rest)
value = st.one_of(bare, bare.map(lambda v: f'"{v}"'))


@st.composite
def blocks(draw) -> tuple[list[str], list[list[str]]]:
    names = draw(st.sampled_from([[], ["time"], ["ts"], ["t"]])) + draw(st.lists(st.sampled_from(KEYS), max_size=3))
    if not names:
        names = ["n"]
    columns = [st.one_of(st.sampled_from(pool), st.sampled_from(pool), value)
               for pool in (draw(st.sampled_from(POOLS)) for _ in names)]
    return names, draw(st.lists(st.tuples(*columns).map(list), min_size=1, max_size=4))


def _readers() -> tuple[fast_logfmt.Logfmt, fast_logfmt.Logfmt]:
    return tuple(fast_logfmt.Logfmt(Clock("Europe/Berlin", date(2026, 12, 3)), native=n) for n in (True, False))


def _same(lines: list[str]) -> bytes | None:
    block = "".join(line + "\n" for line in lines).encode()
    c, regex = _readers()
    out = c.translate(block, len(lines))
    assert out == regex.translate(block, len(lines)), block
    return out


def _line(names: list[str], values: list[str]) -> str:
    return " ".join(f"{k}={v}" for k, v in zip(names, values))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks(), st.lists(rest, max_size=2))
def test_logfmt_lines_read_as_the_regex_reads_them(block, odd):
    names, rows = block
    lines = [_line(names, values) for values in rows]
    _same(lines)
    _same(lines + odd)  # a blank, odd or continuation line after them
    for line in lines:  # each line alone too: one odd line must not hide the others' branches
        _same([line])
        _same([lines[0], line])  # and after the first line, whose kinds it must have


def _decimal(sign: str, whole: str, frac: str | None, exp: str | None) -> str:
    return sign + whole + ("" if frac is None else "." + frac) + ("" if exp is None else exp)


decimals = st.builds(_decimal, st.sampled_from(["", "-"]), st.from_regex(r"0|[1-9][0-9]{0,16}", fullmatch=True),
                     st.one_of(st.none(), st.text("0123456789", min_size=1, max_size=20),
                               st.from_regex(r"0{1,6}[1-9][0-9]{0,14}0{0,3}", fullmatch=True)),
                     st.one_of(st.none(), st.from_regex(r"[eE][+-]?[0-9]{1,3}", fullmatch=True)))


@settings(max_examples=1000, deadline=None)
@given(decimals)
def test_decimals_are_written_as_orjson_writes_them(text):
    """The C path writes most decimals itself and asks orjson for the others: the same bytes."""
    out = _same(["x=1.5", f"x={text}"])
    if out is not None:
        assert out.splitlines()[1] == b'{"x":' + orjson.dumps(float(text)) + b"}"


def test_edges_read_the_same():
    for lines in (['time="2026-12-01 10:00:00,5" msg="a b" n=1'] * 2,
                  ["time=2026-12-01T10:00:00Z level=info", "time=2026-12-01 10:00:00Z level=info"],
                  ["a%sb=1 cpu%=2.50 t=x"] * 3,
                  ["n=-0 f=-0.000 g=0.00012 h=1e5"] * 2,
                  ["time=2026-12-01T10:00:00.123456789Z n=1", "time=2026-12-01T10:00:00.1234567890Z n=1"],
                  ["time=2026-12-01T10:00:00+01:00", "time=2026-12-01T10:00:00+0100"],
                  ["time=2026-12-01T10:00:00+01:00", "time=2026-12-01T10:00:00+01"],
                  ["n=1", "n=01"], ["n=1", "n=1 "], ["n=1", ""], ["msg=a", 'msg=a"b'], ["msg=a", "msg=12"],
                  ["msg=a", "msg=-1.5e3"], ["msg=a", "msg=true"], ["msg=a", "msg=false"], ["msg=a", "msg=falsey"]):
        _same(lines)


def test_a_block_that_is_no_logfmt_of_one_schema_is_declined():
    c, _ = _readers()
    assert c.translate(b"n=1\nn=2", 1) is None  # no final newline
    assert c.translate(b"n=1\nn=2\n", 1) is None  # not the lines it was told
    assert c.translate(b"n=1\nn=\xc3\xa9\n", 2) is None
    assert c.translate(b"n=1\nn=x\n", 2) is None
    assert c.translate(b"n=1\nn=2\n", 2) == b'{"n":1}\n{"n":2}\n'


def test_an_unreadable_time_declines_the_block_and_a_readable_one_is_read_once_per_run():
    c, _ = _readers()
    assert c.translate(b"time=2026-02-30T10:00:00Z n=1\n", 1) is None
    asked = []

    class Counting:  # every lookup, not only the first of each key
        tails = c.seconds.tails
        trim = c.seconds.trim

        def __getitem__(self, key, seconds=c.seconds):
            asked.append(key)
            return seconds[key]

    c.seconds = Counting()
    block = b"time=2026-12-01T10:00:00.1Z n=1\n" * 3 + b"time=2026-12-01T10:00:00.2Z n=2\n" + \
        b"time=2026-12-01T10:00:01,3Z n=3\n"
    out = c.translate(block, 5)
    assert out.count(b'"_time":"2026-12-01T10:00:0') == 5
    assert b'"_time":"2026-12-01T10:00:01.3Z","time":"2026-12-01T10:00:01,3Z"' in out
    assert asked == [b"2026-12-01T10:00:00Z", b"2026-12-01T10:00:01Z"]


@pytest.mark.parametrize("byte", ["\\", "\t", "\r", "\x01", "\x1f", "\x7f", "é", "\u00a0", '"'])
def test_a_byte_json_escapes_anywhere_in_a_long_line_declines_the_block(byte):
    """The block is checked 8 bytes at a time: the byte at each place in a word, quoted or not."""
    for at in range(17):
        for value in ("a" * at + byte + "b" * 20, '"' + "a" * at + byte + "b" * 20 + '"'):
            _same(["msg=start n=0" if value[0] != '"' else 'msg="start" n=0', f"msg={value} n=1"])


@pytest.mark.parametrize("kind, value", [("float", b"1e5"), ("float", b"1.5"), ("int", b"1"), ("bool", b"true")])
def test_a_time_on_a_typed_column_is_refused_as_a_bad_argument(kind, value):
    """fast_logfmt puts the time only on a quoted or text value; a caller that puts it on a
    number or a boolean gets a ValueError saying so, not a SystemError (a float written through
    the floats mapping has no bytes of its own to key the time with) or a record built from it."""
    block = b"t=" + value + b"\n"
    args = (block * 2, 2, (b"t=",), (kind,), (b'{"_time":"', b'","t":', b"}\n"), 0, {}, None, fast_logfmt._Floats())
    with pytest.raises(ValueError, match="time"):
        fast_logfmt._native_logfmt.translate(*args)
