"""Batching: every event exactly once, in order, with the right line numbers, under the caps."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.batching import Batch, InputError, iter_batches, validate_records
from app.core.plan import Plan
from app.core.sniff import CsvDialect


class Trickle(io.RawIOBase):
    """A stream that hands out at most `piece` bytes per read, so chunk edges fall anywhere."""

    def __init__(self, data: bytes, piece: int):
        self._data, self._pos, self._piece = data, 0, piece

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = min(len(b), self._piece, len(self._data) - self._pos)
        b[:n] = self._data[self._pos:self._pos + n]
        self._pos += n
        return n


def _until_error(raw: bytes, plan: Plan, **kw) -> tuple[list[Batch], InputError]:
    """The batches read before the input turned bad, and the InputError that stopped the reading."""
    got: list[Batch] = []
    with pytest.raises(InputError) as err:
        for b in iter_batches(io.BytesIO(raw), plan, **kw):
            got.append(b)
    return got, err.value


def batches_of(data: bytes, plan: Plan, piece: int | None = None, **kw) -> list[Batch]:
    stream = Trickle(data, piece) if piece else io.BytesIO(data)
    return list(iter_batches(stream, plan, **kw))


def ndjson_events(batches: list[Batch]) -> list:
    return [json.loads(r) for b in batches for r in b.records()]


def csv_rows(payload: bytes, delimiter: str) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(payload.decode(), newline=""), delimiter=delimiter) if r]


def all_lines(batches: list[Batch]) -> list[int]:
    return [n for b in batches for n in b.lines]


# ----------------------------------------------------------------------------------------------
# Property test

TEXT = st.text(alphabet=st.sampled_from(list('ab xyzé€😀",;|\t\n\r\'\\{}[]:')) | st.characters(codec="utf-8"),
               max_size=12)
SCALARS = (TEXT | st.integers(min_value=-(2**63), max_value=2**63 - 1)
           | st.floats(allow_nan=False, allow_infinity=False) | st.booleans() | st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)
EVENTS = st.lists(st.dictionaries(TEXT, VALUES, max_size=4), max_size=25)


@st.composite
def ndjson_input(draw):
    events = draw(EVENTS)
    noisy = draw(st.booleans())  # clean input takes the no-per-line-work path
    out, lines, line = [], [], 1
    for ev in events:
        while noisy and draw(st.integers(0, 4)) == 0:  # blank and whitespace-only lines
            out.append(draw(st.sampled_from(["", "  ", "\t", " \t "])) + draw(st.sampled_from(["\n", "\r\n"])))
            line += 1
        lines.append(line)
        out.append(orjson.dumps(ev).decode() + (draw(st.sampled_from(["\n", "\r\n"])) if noisy else "\n"))
        line += 1
    text = "".join(out)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")  # last line without a line break
    return text.encode(), events, lines, Plan("ndjson")


@st.composite
def json_array_input(draw):
    events = draw(EVENTS)
    style = draw(st.sampled_from(["compact", "pretty", "mixed"]))
    if style == "compact":
        return json.dumps(events, ensure_ascii=False).encode(), events, [1] * len(events), Plan("json-array")
    parts, lines, line = ["[\n"], [], 2
    for i, ev in enumerate(events):
        same_line = style == "mixed" and i > 0 and draw(st.booleans())
        if same_line:
            parts[-1] = parts[-1].rstrip("\n") + " "
            line -= 1
        body = json.dumps(ev, indent=draw(st.integers(0, 3)), ensure_ascii=draw(st.booleans()))
        lines.append(line)
        parts.append("  " + body.replace("\n", "\n  ") + ("," if i < len(events) - 1 else "") + "\n")
        line += body.count("\n") + 1
    parts.append("]\n")
    return "".join(parts).encode(), events, lines, Plan("json-array")


@st.composite
def csv_input(draw):
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    ncols = draw(st.integers(1, 4))
    special = draw(st.booleans())  # without quotes or blank lines, CSV takes the fast path
    cell = st.text(alphabet=st.sampled_from(list(f'ab é😀"{delim}\n ,;|' if special else "abcé😀 ")), max_size=8)
    names = draw(st.lists(st.text(alphabet="abcdef_", min_size=1, max_size=5), min_size=ncols,
                          max_size=ncols, unique=True))
    rows = draw(st.lists(st.lists(cell, min_size=ncols, max_size=ncols), max_size=25))
    has_header = draw(st.booleans())
    eol = draw(st.sampled_from(["\n", "\r\n"])) if special else "\n"

    def render(row):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delim, lineterminator=eol).writerow(row)
        return buf.getvalue()

    out, lines, line = [], [], 1
    if has_header:
        out.append(render(names))
        line += 1
    for row in rows:
        while special and draw(st.integers(0, 5)) == 0:
            out.append(eol)
            line += 1
        lines.append(line)
        text = render(row)
        out.append(text)
        line += text.count("\n")
    plan = Plan("csv", csv=CsvDialect(delimiter=delim, has_header=has_header, fields=names if has_header else []))
    return "".join(out).encode(), rows, lines, plan, names if has_header else None


@st.composite
def any_input(draw):
    kind = draw(st.sampled_from(["ndjson", "json-array", "csv"]))
    if kind == "ndjson":
        return draw(ndjson_input()) + (None,)
    if kind == "json-array":
        return draw(json_array_input()) + (None,)
    return draw(csv_input())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inp=any_input(), max_events=st.integers(1, 7), max_bytes=st.integers(1, 300) | st.integers(300, 3000),
       piece=st.integers(1, 64) | st.none(), data=st.data())
def test_batches_hold_every_event_once_in_order(inp, max_events, max_bytes, piece, data):
    raw, events, lines, plan, header_names = inp
    batches = batches_of(raw, plan, piece, max_events=max_events, max_bytes=max_bytes)

    # Every event exactly once, in order, and where it starts.
    if plan.format == "csv":
        got = [row for b in batches for row in csv_rows(b.body, plan.csv.delimiter)]
    else:
        got = ndjson_events(batches)
    assert got == events
    assert all_lines(batches) == lines
    # ...and its position among the input's events (an array's element number)
    assert [n for b in batches for n in b.ordinals] == list(range(1, len(events) + 1))

    pos = 0
    for i, b in enumerate(batches):
        assert b.seq == i
        assert b.count == len(b.lines) == len(b.ordinals) == len(b.records()) >= 1
        assert b.end_ordinal == b.ordinals[-1] + 1
        assert b.count <= max_events
        assert len(b.payload()) <= max_bytes or b.count == 1
        assert b.body.endswith(b"\n")
        if plan.format != "csv":
            assert b"\r" not in b.body  # CRLF normalised; JSON escapes carriage returns
        assert (b.first_line, b.last_line) == (b.lines[0], b.lines[-1])
        # Contiguous byte ranges that tile the input, holding exactly this batch's events.
        assert b.start == pos < b.end <= len(raw)
        pos = b.end
        src = raw[b.start:b.end]
        if plan.format == "ndjson":
            assert [json.loads(x) for x in src.splitlines() if x.strip()] == ndjson_events([b])
        if plan.format == "csv":
            rows = csv_rows(src, plan.csv.delimiter)
            if header_names is not None and i == 0:
                rows = rows[1:]
            assert rows == csv_rows(b.body, plan.csv.delimiter)
            if header_names is None:
                assert b.header is None
            else:
                assert csv_rows(b.header, plan.csv.delimiter) == [header_names]
                assert b.payload().startswith(b.header)
                assert b.content_type() == "text/csv"
        else:
            assert b.header is None and b.content_type() == "application/x-ndjson"

    # Resume after any batch: the rest comes out the same as in the uninterrupted run.
    if batches:
        k = data.draw(st.integers(0, len(batches) - 1))
        rest = list(iter_batches(io.BytesIO(raw[batches[k].end:]), plan, max_events=max_events, max_bytes=max_bytes,
                                 start_offset=batches[k].end, start_line=batches[k].end_line,
                                 start_ordinal=batches[k].end_ordinal))
        expected = batches[k + 1:]
        assert [(b.body, list(b.lines), list(b.ordinals), b.start, b.end) for b in rest] == \
               [(b.body, list(b.lines), list(b.ordinals), b.start, b.end) for b in expected]
        if header_names is not None:
            assert all(csv_rows(b.header, plan.csv.delimiter) == [header_names] for b in rest)


# ----------------------------------------------------------------------------------------------
# NDJSON


def test_crlf_blank_lines_and_last_line_without_newline():
    raw = b'{"a":1}\r\n\r\n   \n{"a":2}\r\n\t\n{"a":3}'
    [b] = batches_of(raw, Plan("ndjson"))
    assert b.body == b'{"a":1}\n{"a":2}\n{"a":3}\n'
    assert list(b.lines) == [1, 4, 6]
    assert (b.start, b.end) == (0, len(raw))
    assert b.records() == [b'{"a":1}\n', b'{"a":2}\n', b'{"a":3}\n']


def test_plain_ndjson_is_sent_verbatim_with_a_range_of_lines():
    raw = b"".join(b'{"n":%d}\n' % i for i in range(100))
    batches = batches_of(raw, Plan("ndjson"), max_events=30)
    assert [b.count for b in batches] == [30, 30, 30, 10]
    assert all(isinstance(b.lines, range) for b in batches)
    assert batches[1].lines == range(31, 61)
    assert b"".join(b.body for b in batches) == raw
    assert (batches[1].start, batches[1].end) == (batches[0].end, raw.index(b'{"n":60}'))


def test_10001_events_make_two_batches():
    raw = b'{"msg":"hello"}\n' * 10_001
    batches = batches_of(raw, Plan("ndjson"))
    assert [b.count for b in batches] == [10_000, 1]
    assert batches[1].lines == range(10_001, 10_002)


def test_byte_cap_and_oversized_event_alone():
    big = b'{"big":"' + b"x" * 500 + b'"}\n'
    raw = b'{"a":1}\n' * 3 + big + b'{"a":2}\n'
    batches = batches_of(raw, Plan("ndjson"), max_bytes=20)
    assert [b.count for b in batches] == [2, 1, 1, 1]
    assert batches[2].body == big and batches[2].lines == range(4, 5)
    assert all(len(b.payload()) <= 20 for b in batches if b.count > 1)


def test_broken_ndjson_lines_are_sent_and_validate_records_names_them():
    raw = b'{"a":1}\n{"a":\n42\n"x"\n[1]\nnull\ntrue\n{"ok":true}\n'
    [b] = batches_of(raw, Plan("ndjson"))
    assert b.count == 8
    bad = dict(validate_records(b))
    assert set(bad) == {1, 2, 3, 4, 5, 6}
    assert bad[1].startswith("invalid JSON: ") and "column 6" in bad[1]
    assert bad[2] == "not a JSON object (a number)"
    assert bad[3] == "not a JSON object (a string)"
    assert bad[4] == "not a JSON object (an array)"
    assert bad[5] == "not a JSON object (null)"
    assert bad[6] == "not a JSON object (a boolean)"


def test_resume_continues_numbering_from_start_line():
    raw = b'{"n":1}\n\n{"n":2}\n{"n":3}\n{"n":4}\n'
    full = batches_of(raw, Plan("ndjson"), max_events=2)
    assert [list(b.lines) for b in full] == [[1, 3], [4, 5]]
    first = full[0]
    stream = io.BytesIO(raw)
    stream.seek(first.end)
    [rest] = iter_batches(stream, Plan("ndjson"), start_offset=first.end, start_line=first.end_line)
    assert rest.lines == range(4, 6)
    assert (rest.start, rest.end) == (first.end, len(raw))
    assert rest.body == b'{"n":3}\n{"n":4}\n'


def test_subset_and_split_keep_lines():
    raw = b'{"n":1}\n\n{"n":2}\n{"n":3}\n\n{"n":4}\n{"n":5}\n'
    [b] = batches_of(raw, Plan("ndjson"))
    assert list(b.lines) == [1, 3, 4, 6, 7]
    s = b.subset([0, 2, 4])
    assert s.body == b'{"n":1}\n{"n":3}\n{"n":5}\n' and list(s.lines) == [1, 4, 7] and s.count == 3
    left, right = b.split()
    assert (left.count, right.count) == (2, 3)
    assert list(left.lines) == [1, 3] and list(right.lines) == [4, 6, 7]
    assert left.body + right.body == b.body
    assert (left.first_line, right.last_line) == (1, 7)
    with pytest.raises(ValueError):
        left.subset([0]).split()
    # the event numbers (1..5, blank lines are not events) follow their events
    assert list(b.ordinals) == [1, 2, 3, 4, 5]
    assert list(s.ordinals) == [1, 3, 5]
    assert (list(left.ordinals), list(right.ordinals)) == ([1, 2], [3, 4, 5])
    assert list(right.subset([1, 2]).ordinals) == [4, 5]


# ----------------------------------------------------------------------------------------------
# JSON arrays and objects


def test_empty_array_has_no_batches():
    assert batches_of(b"  [ \n ]\n", Plan("json-array")) == []
    assert batches_of(b"", Plan("json-array")) == []


def test_pretty_printed_array_lines():
    raw = b'[\n  {\n    "a": 1\n  },\n  {\n    "a": "two\\nlines"\n  }, {"a": 3},\n  42\n]\n'
    [b] = batches_of(raw, Plan("json-array"))
    # elements on several lines are re-encoded as one; one-line elements are sent as their own bytes
    assert b.body == b'{"a":1}\n{"a":"two\\nlines"}\n{"a": 3}\n42\n'
    assert list(b.lines) == [2, 5, 7, 8]
    # the number is kept so the server rejects it by index and it is reported by line
    assert validate_records(b) == [(3, "not a JSON object (a number)")]


def test_one_line_array_numbers_its_elements_across_batches():
    raw = b'[{"n":1},42,{"n":3},"x",{"n":5}]'
    batches = batches_of(raw, Plan("json-array"), max_events=2)
    assert [list(b.lines) for b in batches] == [[1, 1], [1, 1], [1]]
    assert [list(b.ordinals) for b in batches] == [[1, 2], [3, 4], [5]]
    assert [b.end_ordinal for b in batches] == [3, 5, 6]
    left, right = batches[1].split()
    assert (list(left.ordinals), list(right.ordinals)) == ([3], [4])
    assert list(batches[0].subset([1]).ordinals) == [2]


def test_an_element_that_cannot_be_encoded_keeps_its_number(monkeypatch):
    from app.core.batching import json_reader

    monkeypatch.setattr(json_reader, "_encode", lambda value: None)  # only reached when orjson cannot encode it
    # invalid UTF-8 is re-encoded (as an escape), unlike one-line elements sent as their own bytes
    raw = b'[{"n":1}, "\xff", {"n":3}, {"n":4}]'
    [b] = batches_of(raw, Plan("json-array"))
    assert b.body == b'{"n":1}\n{"n":3}\n{"n":4}\n'
    assert list(b.ordinals) == [1, 3, 4]
    assert b.skipped == [(1, "the value cannot be encoded as JSON")] and b.skipped_ordinals == [2]
    assert b.end_ordinal == 5


def test_truncated_array_yields_good_elements_then_names_the_line():
    good = "".join(f'  {{"n": {i}}},\n' for i in range(1, 811))
    raw = ("[\n" + good + '  {"n": 811, "msg": "cut her').encode()
    got, err = _until_error(raw, Plan("json-array"), max_events=500)
    assert [b.count for b in got] == [500, 310]
    assert got[-1].last_line == 811
    assert err.line == 812
    assert "cut off at line 812" in str(err)
    assert err.offset == raw.index(b'{"n": 811')


def test_array_ending_after_an_element_says_what_was_expected():
    raw = b'[{"a":1},\n{"a":2}\n'
    got, err = _until_error(raw, Plan("json-array"))
    assert sum(b.count for b in got) == 2
    assert str(err) == "the JSON array is cut off at line 3: expected ',' or ']'"


def test_array_syntax_error_midway():
    raw = b'[{"a":1},\n{"a":2},\n{"a" 3},\n{"a":4}]'
    got, err = _until_error(raw, Plan("json-array"))
    assert ndjson_events(got) == [{"a": 1}, {"a": 2}]
    assert err.line == 3
    assert "syntax error at line 3" in str(err)


def test_pretty_single_object_is_one_event():
    raw = b'{\n  "a": 1,\n  "b": {"c": [1, 2]}\n}\n'
    [b] = batches_of(raw, Plan("json-object"))
    assert b.body == b'{"a":1,"b":{"c":[1,2]}}\n' and list(b.lines) == [1] and b.count == 1


def test_concatenated_pretty_objects_are_one_event_each():
    raw = b'{\n  "a": 1\n}\n{\n  "a": 2\n}\n\n{"a": 3} {"a": 4}\n'
    batches = batches_of(raw, Plan("json-object"), max_events=3)
    assert ndjson_events(batches) == [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}]
    assert all_lines(batches) == [1, 4, 8, 8]


def test_big_element_across_many_reads():
    big = {"s": "é" * 300_000, "n": 12345678901234567890123}  # over 64 bits: still sent
    raw = b"[" + json.dumps(big, ensure_ascii=False).encode() + b",\n 1.5e3]"
    batches = batches_of(raw, Plan("json-array"), piece=4096)
    assert ndjson_events(batches) == [big, 1500.0]
    assert all_lines(batches) == [1, 2]


# ----------------------------------------------------------------------------------------------
# CSV


def test_csv_quoted_newlines_keep_line_numbers_and_header_repeats():
    raw = (b'id,msg\n1,"hello\nworld"\n2,"say ""hi"", then, go"\n\n3,"a\r\nb"\r\n4,plain\n')
    dialect = CsvDialect(delimiter=",", has_header=True, fields=["id", "msg"])
    batches = batches_of(raw, Plan("csv", csv=dialect), max_events=2)
    assert [b.header for b in batches] == [b"id,msg\n", b"id,msg\n"]
    assert [list(b.lines) for b in batches] == [[2, 4], [6, 8]]
    rows = [r for b in batches for r in csv_rows(b.body, ",")]
    assert rows == [["1", "hello\nworld"], ["2", 'say "hi", then, go'], ["3", "a\r\nb"], ["4", "plain"]]
    assert batches[0].records() == [b'1,"hello\nworld"\n', b'2,"say ""hi"", then, go"\n']
    left, right = batches[0].split()
    assert left.header == right.header == b"id,msg\n"
    assert list(left.lines) == [2] and list(right.lines) == [4]
    sub = batches[1].subset([1])
    assert sub.payload() == b"id,msg\n4,plain\n" and list(sub.lines) == [8]


def test_csv_blank_lines_before_the_header():
    raw = b"\n\r\nname,n\r\nx,1\r\n"
    [b] = batches_of(raw, Plan("csv", csv=CsvDialect()))
    assert b.header == b"name,n\n" and b.body == b"x,1\n" and list(b.lines) == [4]


def test_csv_without_header():
    raw = b"a|b\nc|d\n"
    [b] = batches_of(raw, Plan("csv", csv=CsvDialect(delimiter="|", has_header=False, fields=["col1", "col2"])))
    assert b.header is None and b.payload() == raw and b.lines == range(1, 3)


def test_csv_unclosed_quote_names_the_line_where_the_record_starts():
    raw = b'a,b\n1,2\n3,4\n5,"never closed\n6,7\n8,9\n'
    got, err = _until_error(raw, Plan("csv", csv=CsvDialect()))
    assert [list(b.lines) for b in got] == [[2, 3]]
    assert err.line == 4 and err.offset == raw.index(b'5,"')
    assert "line 4" in str(err) and "never closed" in str(err)


def test_csv_ragged_rows_are_sent_as_is():
    raw = b"a,b\n1\n2,3,4\n"
    [b] = batches_of(raw, Plan("csv", csv=CsvDialect()))
    assert b.body == b"1\n2,3,4\n" and b.count == 2


def test_csv_resume_rebuilds_the_header_from_fields():
    raw = b'a,"b c"\n1,2\n3,4\n5,6\n'
    dialect = CsvDialect(fields=["a", "b c"])
    first = batches_of(raw, Plan("csv", csv=dialect), max_events=1)[0]
    stream = io.BytesIO(raw)
    stream.seek(first.end)
    rest = list(iter_batches(stream, Plan("csv", csv=dialect), max_events=1, start_offset=first.end,
                             start_line=first.end_line))
    assert [list(b.lines) for b in rest] == [[3], [4]]
    assert all(csv_rows(b.header, ",") == [["a", "b c"]] for b in rest)


def test_a_line_without_end_stops_with_its_line(monkeypatch):
    from app.core.batching import limits

    monkeypatch.setattr(limits, "MAX_RECORD", 4096)
    monkeypatch.setattr(limits, "LINE_CHUNK", 512)
    raw = b'{"a":1}\n{"a":2}\n' + b"x" * 10_000
    got, err = _until_error(raw, Plan("ndjson"))
    assert sum(b.count for b in got) == 2
    assert (err.line, err.offset) == (3, 16)
    assert "line 3 is longer than" in str(err)


def test_plan_from_sniff_fields():
    from types import SimpleNamespace

    sniff = SimpleNamespace(format="ndjson", compression="zstd", encoding="utf-16-le", csv=None, error=None,
                            timestamp=SimpleNamespace(field="ts", layout="2006-01-02 15:04:05"))
    plan = Plan.from_sniff(sniff)
    assert (plan.format, plan.compression, plan.encoding) == ("ndjson", "zstd", "utf-16-le")
    assert (plan.timestamp_field, plan.timestamp_format) == ("ts", "2006-01-02 15:04:05")
    with pytest.raises(ValueError, match="not JSON"):
        Plan.from_sniff(SimpleNamespace(format=None, error="this is not JSON, NDJSON or CSV"))


def test_plan_from_sniff():
    from app.core.sniff import sniff_bytes

    s = sniff_bytes(b"time;level\n2024-01-01T00:00:00Z;info\n2024-01-01T00:00:01Z;warn\n", name="x.csv")
    plan = Plan.from_sniff(s)
    assert plan.format == "csv" and plan.csv.delimiter == ";" and plan.csv.has_header
    plan.csv.delimiter = ","
    assert s.csv.delimiter == ";"  # overriding the plan leaves the sniff alone


# ----------------------------------------------------------------------------------------------
# Streaming


class GeneratedNdjson(io.RawIOBase):
    """~`total` bytes of NDJSON made on the fly: the input never exists in memory as a whole."""

    def __init__(self, total: int):
        self._left = total
        self._block = b"".join(b'{"_time":"2024-01-01T00:00:00Z","level":"info","n":%06d,"msg":"%s"}\n'
                               % (i, b"x" * (i % 50)) for i in range(4000))
        self._pos = 0
        self.lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        if self._pos == len(self._block):
            self._pos = 0
        n = min(len(b), len(self._block) - self._pos, self._left)
        b[:n] = self._block[self._pos:self._pos + n]
        self._pos += n
        self._left -= n
        return n


@pytest.mark.slow
def test_100mb_stream_keeps_memory_flat():
    stream = GeneratedNdjson(100 << 20)
    block_lines = stream._block.count(b"\n")
    tracemalloc.start()
    try:
        events = batches = 0
        last_end = 0
        for b in iter_batches(stream, Plan("ndjson")):
            assert b.start == last_end
            last_end = b.end
            events += b.count
            batches += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last_end == 100 << 20
    # the stream ends mid-line; that partial last line is still an event
    assert events == (100 << 20) // len(stream._block) * block_lines + stream._block[: (100 << 20) % len(stream._block)].count(b"\n") + 1
    assert batches > 25
    print(f"peak traced memory {peak / 2**20:.1f} MB")
    assert peak < 50 << 20, f"peak traced memory {peak / 2**20:.1f} MB"
