"""Typed CSV's fast path (quote-free blocks cut with bytes methods, typed_fast.py, or the same in C,
_native_csv.c: each test runs with both) sends exactly the bytes the csv-module path sends, on the
test data's CSVs and on generated blocks (quotes, decimal commas, empty cells left out or null,
CRLF, ragged rows, bad cells); and it is taken where it should be, so that these comparisons
compare something."""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.batching import iter_batches, limits, typed_csv, typed_fast
from app.core.batching.errors import InputError
from app.core.batching.typed_fast import NativeBlocks, plain_cells
from app.core.plan import Plan, plan_for
from app.core.sniff import CsvDialect
from app.core.sniff.csv_types import BOOLEAN, DECIMAL_COMMA, NUMBER, TEXT
from app.core.sniff.sniffer import sniff_path

DATA = Path(__file__).parents[2] / "data"
CSVS = sorted(p for p in DATA.rglob("*.csv") if not p.name.startswith("utf16"))


@pytest.fixture(params=[True, False], ids=["C", "Python"])
def native(request) -> bool:
    """The fast path in C (_native_csv.c) or in Python (typed_fast.py)."""
    if request.param and typed_fast._native_csv is None:
        pytest.skip("the C fast path is not built here (make builds it)")
    return request.param


def both(raw: bytes, plan: Plan, monkeypatch, native: bool, **kw) -> tuple[list, list, int]:
    """(batches by the fast path where it applies, batches by the csv module only, fast blocks)."""
    taken = []

    def spy(*a):
        cells = plain_cells(*a)
        taken.append(cells is not None)
        return cells

    def native_spy(self, *a):
        assert c_allowed, "typed_batches(native=False) reached the C path"
        body = native_ndjson(self, *a)
        taken.append(body is not None)
        return body

    native_ndjson = NativeBlocks.ndjson
    python = functools.partial(typed_csv.typed_batches, native=False)  # iter_batches imports it when called
    c_allowed = native
    with monkeypatch.context() as m:  # undone at once: hypothesis runs many examples on one fixture
        m.setattr(NativeBlocks, "ndjson", native_spy)
        if not native:
            m.setattr(typed_csv, "typed_batches", python)
            m.setattr(typed_csv, "plain_cells", spy)
        fast = read(raw, plan, **kw)
        c_allowed = False
        m.setattr(typed_csv, "typed_batches", python)
        m.setattr(typed_csv, "plain_cells", lambda *a: None)
        slow = read(raw, plan, **kw)
    return fast, slow, sum(taken)


def read(raw: bytes, plan: Plan, **kw) -> list:
    """The batches, then where and why reading stopped, if it did."""
    out: list = []
    try:
        out.extend(iter_batches(io.BytesIO(raw), plan, **kw))
    except InputError as e:
        out.append((e.message, e.line, e.offset))
    return out


def same(fast: list, slow: list) -> None:
    assert [x for x in fast if isinstance(x, tuple)] == [x for x in slow if isinstance(x, tuple)]
    fast, slow = [b for b in fast if not isinstance(b, tuple)], [b for b in slow if not isinstance(b, tuple)]
    assert [b.body for b in fast] == [b.body for b in slow]
    assert [(list(b.lines), b.count, b.ragged, b.skipped, b.start, b.end) for b in fast] == \
           [(list(b.lines), b.count, b.ragged, b.skipped, b.start, b.end) for b in slow]
    assert all(b.kind == "ndjson" and b.header is None for b in fast if b.count)


@pytest.mark.parametrize("path", CSVS, ids=lambda p: p.name)
@pytest.mark.parametrize("empty", ["omit", "null"])
def test_the_test_data_csvs_give_the_same_bytes_either_way(monkeypatch, native, path, empty):
    plan = plan_for(sniff_path(path))
    if plan.format != "csv":
        pytest.skip("not read as CSV")
    fields = plan.csv.fields
    # every column typed as what it is, or tried as a number (cells that do not read stay text)
    plan.csv_types = {f: plan.csv_types.get(f) or NUMBER for f in fields}
    plan.empty_cells = empty
    fast, slow, _ = both(path.read_bytes(), plan, monkeypatch, native, max_events=3)
    same(fast, slow)


def test_the_fast_path_is_taken_for_plain_blocks_and_gives_typed_values(monkeypatch, native):
    raw = b"t,n,x,ok\n" + b"".join(b"2026-01-01T00:00:%02dZ,%d,%d.25,%s\n" % (i % 60, i, i, b"true" if i % 2 else b"FALSE")
                                  for i in range(500))
    plan = Plan("csv", csv=CsvDialect(fields=["t", "n", "x", "ok"]), csv_types={"n": NUMBER, "x": NUMBER, "ok": BOOLEAN})
    fast, slow, taken = both(raw, plan, monkeypatch, native, max_events=100)
    same(fast, slow)
    assert taken == 5
    events = [orjson.loads(x) for b in fast for x in b.body.splitlines()]
    assert events[3] == {"t": "2026-01-01T00:00:03Z", "n": 3, "x": 3.25, "ok": True}
    assert events[4]["ok"] is False and len(events) == 500


def test_a_ragged_row_sends_its_block_the_csv_modules_way_and_keeps_its_line(monkeypatch, native):
    rows = [b"%d,%d.5" % (i, i) for i in range(30)]
    rows[17] = b"17,17.5,extra"
    raw = b"a,b\n" + b"\n".join(rows) + b"\n"
    plan = Plan("csv", csv=CsvDialect(fields=["a", "b"]), csv_types={"a": NUMBER, "b": NUMBER})
    fast, slow, taken = both(raw, plan, monkeypatch, native, max_events=10)
    same(fast, slow)
    assert taken == 2  # the other two blocks
    assert [(b.lines[i], cells) for b in fast for i, cells, _ in b.ragged] == [(19, 3)]  # line 19 of the file
    assert orjson.loads(fast[1].body.splitlines()[7]) == {"a": 17, "b": 17.5, "column3": "extra"}


def test_a_cell_that_is_no_number_stays_its_text(monkeypatch, native):
    raw = b"a,b\n" + b"".join(b"%d,x\n" % i for i in range(9)) + b"n/a,x\n"
    plan = Plan("csv", csv=CsvDialect(fields=["a", "b"]), csv_types={"a": NUMBER})
    fast, slow, taken = both(raw, plan, monkeypatch, native)
    same(fast, slow)
    assert taken == 1
    assert fast[0].body.splitlines()[-2:] == [b'{"a":8,"b":"x"}', b'{"a":"n/a","b":"x"}']


@pytest.mark.parametrize("body, ok", [
    (b"1,2\n3,4\n", True), (b"1,2\r\n3,4\r\n", False), (b'1,"2"\n', False), (b"1,2\n3\n", False),
    (b"1,2,3\n4\n", False), (b"1,a\\b\n", False), (b"1,a\tb\n", False), (b"1,\xff\n", False), (b"1,2", False),
    (b"1,\xc3\xa9\n", True), (b",\n", True), (b"1,2\n\n", False)])
def test_which_blocks_qualify(body, ok):
    cells = plain_cells(body, body.count(b"\n") - body.count(b"\n\n"), 2, ",", '"')
    assert (cells is not None) == ok
    if ok:
        want = [c for row in csv.reader(io.StringIO(body.decode(), newline="")) for c in row]
        assert cells == (want, "" in want)


def test_a_tab_delimited_block_qualifies():
    assert plain_cells(b"1\ta b\n2\tc\n", 2, 2, "\t", '"') == (["1", "a b", "2", "c"], False)
    assert plain_cells(b"\ta\n2\t\n", 2, 2, "\t", '"') == (["", "a", "2", ""], True)


names = st.sampled_from(["a", "b b", "c%s", "d"])
cell = st.one_of(st.sampled_from(["", "0", "-0", "007", "12", "-3.5", "1.50", "1e5", "+4", "2,5", "1.234,5", "true",
                                  "False", "x", " 7", "a\\b", "é", "\t", "%s", "1" * 16, "\x7f", "\x01"]),
                 st.text("0123456789.,-e", max_size=6), st.text("ab \\%;\té", max_size=5))
RARE = ['say "hi"', "a,b", "c;d", "e\tf", "two\nlines", "cr\r"]
rare = st.sampled_from(RARE)  # quoted by the writer: the csv module's way


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.one_of(cell, cell, cell, cell, rare), min_size=3, max_size=3), min_size=1, max_size=30),
       ragged=st.sets(st.integers(0, 29), max_size=2), kinds=st.lists(st.sampled_from([TEXT, NUMBER, DECIMAL_COMMA, BOOLEAN]),
                                                                     min_size=3, max_size=3),
       delimiter=st.sampled_from([",", ";", "\t"]), crlf=st.booleans(), empty=st.sampled_from(["omit", "null"]),
       max_events=st.sampled_from([1, 4, 10_000]), chunk=st.sampled_from([64, 1 << 20]))
def test_generated_blocks_give_the_same_bytes_either_way(monkeypatch, native, rows, ragged, kinds, delimiter, crlf, empty,
                                                         max_events, chunk):
    monkeypatch.setattr(limits, "LINE_CHUNK", chunk)
    end = "\r\n" if crlf else "\n"
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator=end)
    fields = ["a", "b b", "c%s"]
    w.writerow(fields)
    for k, r in enumerate(rows):  # a delimiter in a cell makes the writer quote it: kept only in rare cells
        r = [c if c in RARE else c.replace(delimiter, "") for c in r]
        w.writerow(r[:2] if k in ragged else r)
    plan = Plan("csv", csv=CsvDialect(delimiter=delimiter, fields=fields), empty_cells=empty,
                csv_types={f: t for f, t in zip(fields, kinds) if t != TEXT} or {"a": NUMBER})
    fast, slow, _ = both(out.getvalue().encode(), plan, monkeypatch, native, max_events=max_events)
    same(fast, slow)


def test_generated_plain_blocks_take_the_fast_path(monkeypatch, native):
    """The property above would pass if the fast path were never taken: here it must be."""
    raw = b"a;b;c\n" + b"".join(b"%d;%d,%d;w%d\n" % (i, i, i % 10, i) for i in range(2_000))
    plan = Plan("csv", csv=CsvDialect(delimiter=";", fields=["a", "b", "c"]), csv_types={"a": NUMBER, "b": DECIMAL_COMMA})
    fast, slow, taken = both(raw, plan, monkeypatch, native, max_events=500)
    same(fast, slow)
    assert taken == 4
    assert orjson.loads(fast[0].body.splitlines()[12]) == {"a": 12, "b": 12.2, "c": "w12"}
