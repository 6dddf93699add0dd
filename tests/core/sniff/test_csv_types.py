"""Typed CSV columns (#13): which columns are numbers or booleans, from the sample; how a cell
reads; when typed values are the default; and the batches sent (NDJSON with typed values)."""

from __future__ import annotations

import io

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.batching import iter_batches
from app.core.plan import Overrides, plan_for
from app.core.sniff import sniff_bytes
from app.core.sniff.csv_types import BOOLEAN, DECIMAL_COMMA, NUMBER, TEXT, convert, infer_types


def test_columns_are_typed_only_when_every_sampled_cell_reads_so():
    rows = [["1", "2.5", "true", "007", "x", "1,5", "12345678901234567890", ""],
            ["-3", "1e3", "FALSE", "008", "4", "2", "1", ""],
            ["", "", "", "", "", "-0,25", "2", ""]]
    names = ["n", "f", "ok", "zip", "mixed", "comma", "id", "empty"]
    assert infer_types(names, rows) == {"n": NUMBER, "f": NUMBER, "ok": BOOLEAN, "zip": TEXT, "mixed": TEXT,
                                        "comma": DECIMAL_COMMA, "id": TEXT, "empty": TEXT}


def test_cells_convert_and_text_that_does_not_read_stays_text():
    assert convert("42", NUMBER) == 42 and convert("-2.5", NUMBER) == -2.5 and convert("1e3", NUMBER) == 1000.0
    assert convert("1,5", DECIMAL_COMMA) == 1.5 and convert("7", DECIMAL_COMMA) == 7
    assert convert("True", BOOLEAN) is True and convert("false", BOOLEAN) is False
    assert convert("n/a", NUMBER) == "n/a" and convert("yes", BOOLEAN) == "yes"
    assert convert("1e999", NUMBER) == "1e999"  # never an infinity Axiom would store as null


def _csv(rows: int, extra: str = "") -> bytes:
    body = "".join(f"2026-01-01T00:00:{i % 60:02d}Z,web-{i},{i * 1.5},{'true' if i % 2 else 'false'},{extra}\n"
                   for i in range(rows))
    return ("time,host,duration_ms,ok,note\n" + body).encode()


def test_a_clearly_typed_csv_is_sent_typed_by_default_and_a_short_one_as_today():
    s = sniff_bytes(_csv(30))
    assert s.column_types == {"time": TEXT, "host": TEXT, "duration_ms": NUMBER, "ok": BOOLEAN, "note": TEXT}
    assert s.typed_by_default and any("typed columns (duration_ms: number, ok: boolean)" in r for r in s.reasons)
    assert plan_for(s).csv_types == {"duration_ms": NUMBER, "ok": BOOLEAN}
    assert plan_for(s, Overrides(typed_columns=False)).csv_types == {}
    assert plan_for(s, Overrides(column_types={"ok": TEXT})).csv_types == {"duration_ms": NUMBER}
    short = sniff_bytes(_csv(3))
    assert not short.typed_by_default and plan_for(short).csv_types == {}
    assert plan_for(short, Overrides(typed_columns=True)).csv_types == {"duration_ms": NUMBER, "ok": BOOLEAN}


def test_typed_batches_are_ndjson_with_numbers_and_keep_lines():
    raw = _csv(30)
    s = sniff_bytes(raw)
    for empty, note in (("omit", {}), ("null", {"note": None})):
        plan = plan_for(s, Overrides(empty_cells=empty))
        batches = list(iter_batches(io.BytesIO(raw), plan, max_events=7))
        assert all(b.kind == "ndjson" and b.header is None for b in batches)
        events = [orjson.loads(r) for b in batches for r in b.records()]
        assert len(events) == 30 and [n for b in batches for n in b.lines] == list(range(2, 32))
        assert events[3] == {"time": "2026-01-01T00:00:03Z", "host": "web-3", "duration_ms": 4.5, "ok": True, **note}
        assert batches[-1].end == len(raw)


def test_a_decimal_comma_csv_with_semicolons():
    raw = ("name;price\n" + "".join(f"item {i};{i},{i % 10}5\n" for i in range(20))).encode()
    s = sniff_bytes(raw)
    assert s.column_types["price"] == DECIMAL_COMMA
    [b] = list(iter_batches(io.BytesIO(raw), plan_for(s)))
    assert orjson.loads(b.records()[3]) == {"name": "item 3", "price": 3.35}


def test_a_whole_column_converts_at_once_or_says_it_cannot():
    from app.core.sniff.csv_types import convert_column

    assert convert_column(["1", "-2", "30"], NUMBER) == [1, -2, 30]
    assert convert_column(["1", "2.5", "1e3"], NUMBER) == [1.0, 2.5, 1000.0]
    assert convert_column(["1,5", "2"], DECIMAL_COMMA) == [1.5, 2.0]
    assert convert_column(["True", "false"], BOOLEAN) == [True, False]
    for bad, kind in ((["1", "nan"], NUMBER), (["1", "007"], NUMBER), (["1", " 2"], NUMBER), (["yes"], BOOLEAN)):
        assert convert_column(bad, kind) is None


def test_typed_rows_escape_text_and_names_like_json_does():
    rows = [f'{i},"say ""hi"" 100%",back\\slash,tab\there,é ✓,"{i},5"' for i in range(12)]
    raw = ('n,"quote ""q""",pct%s,ctl,uni,dec\n' + "\n".join(rows) + "\n").encode()
    s = sniff_bytes(raw)
    plan = plan_for(s, Overrides(typed_columns=True, column_types={"dec": DECIMAL_COMMA}))
    [b] = list(iter_batches(io.BytesIO(raw), plan))
    events = [orjson.loads(r) for r in b.records()]
    assert events[3] == {"n": 3, 'quote "q"': 'say "hi" 100%', "pct%s": "back\\slash", "ctl": "tab\there",
                         "uni": "é ✓", "dec": 3.5}


number_cell = st.one_of(st.text("0123456789.eE+-", max_size=8), st.sampled_from(
    ["0", "-0", "007", "-01", "0.5", "00.5", "1e05", "1E+2", "9" * 15, "9" * 16, "1." + "5" * 15, "1." + "5" * 16,
     "1e123", "-", ".5", "5.", "1e", "", "1,5", " 1", "١"]))


@settings(max_examples=500, deadline=None)
@given(st.lists(number_cell, min_size=1, max_size=12))
def test_the_quick_json_number_check_says_what_the_column_regex_says(cells):
    from app.core.sniff.csv_types import _JSON_COLUMN, json_as_written

    joined = "\n".join(cells)
    assert json_as_written(joined) == bool(_JSON_COLUMN.fullmatch(joined))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["true", "False", "TRUE", "yes", "", "truefalse", "true\n"]), min_size=1, max_size=6))
def test_a_boolean_column_converts_only_when_every_cell_is_a_boolean(cells):
    from app.core.sniff.csv_types import convert_column

    words = "\n".join(cells).lower().split("\n")
    want = [w == "true" for w in words] if all(w in ("true", "false") for w in words) else None
    assert convert_column(cells, BOOLEAN) == want
