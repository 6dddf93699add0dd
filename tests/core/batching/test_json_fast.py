"""The fast JSON-array path (msgspec regions) gives exactly the batches of the exact reader:
same bodies, lines, ordinals, byte ranges and failures, for every layout, across buffer edges."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.core.batching.json_fast as json_fast
from app.core.batching import InputError, iter_batches
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop
from app.core.batching.json_reader import read_json
from app.core.batching.validation import NOT_FINITE
from app.core.plan import Plan


def exact(raw: bytes, max_events: int, max_bytes: int) -> tuple[list, str | None]:
    """The exact reader alone (what every array went through before the fast path)."""
    b = Builder("ndjson", max_events, max_bytes, 0, 1)
    out = []
    try:
        for batch in read_json(io.BytesIO(raw), b, 1, 0, array=True, resumed=False):
            out.append(batch)
    except Stop as e:
        out += list(b.flush())
        return out, e.message
    return out + list(b.flush()), None


def fast(raw: bytes, max_events: int, max_bytes: int, **kw) -> tuple[list, str | None]:
    out = []
    try:
        for batch in iter_batches(io.BytesIO(raw), Plan("json-array"), max_events=max_events, max_bytes=max_bytes,
                                  **kw):
            out.append(batch)
    except InputError as e:
        return out, e.message
    return out, None


def shape(batches: list) -> list:
    return [(b.body, list(b.lines), list(b.ordinals), b.start, b.end, b.end_line, b.skipped, b.skipped_ordinals)
            for b in batches]


@pytest.fixture(autouse=True)
def small_buffers(monkeypatch):
    """Regions and reads of a few hundred bytes, so that every test crosses many buffer edges."""
    monkeypatch.setattr(json_fast, "READ", 256)
    monkeypatch.setattr(json_fast, "MIN_REGION", 16)


ELEMENT = st.one_of(
    st.fixed_dictionaries({"n": st.integers(-10**6, 10**6), "s": st.text(max_size=6)}),
    st.fixed_dictionaries({"t": st.lists(st.fixed_dictionaries({"k": st.booleans()}), max_size=3)}),
    st.sampled_from(['{"x": NaN}', '{"big": 123456789012345678901234567890}', '{"f": 1e400}', "42", '"str"',
                     '[1, {"a": 2}]', '{"u": "\\ud800"}', '{"é": "€"}', "{}", "1e400", '{"g": -2.5E+1234}',
                     '{"s": "1e400 ", "t": "5e312"}', '{"ok": 1e99}', '{"x": Infinity}']),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elements=st.lists(ELEMENT, max_size=40), layout=st.sampled_from(["compact", "lines", "indented", "mixed"]),
       max_events=st.integers(1, 9), max_bytes=st.integers(1, 400), tail=st.sampled_from(["]\n", "]", "", "] x"]),
       data=st.data())
def test_fast_path_equals_the_exact_reader(elements, layout, max_events, max_bytes, tail, data):
    texts = [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False,
                                                      indent=2 if layout == "indented" else None)
             for e in elements]
    if layout == "compact":
        raw = "[" + ",".join(texts) + tail
    elif layout == "lines":
        raw = "[\n" + ",\n".join(texts) + "\n" + tail
    elif layout == "indented":
        raw = "[\n  " + ",\n  ".join(t.replace("\n", "\n  ") for t in texts) + "\n" + tail
    else:
        raw = "[ " + "".join(t + data.draw(st.sampled_from([",", " , ", ",\n\n", ",\r\n"])) for t in texts[:-1])
        raw += (texts[-1] if texts else "") + tail
    blob = raw.encode("utf-8", "surrogatepass")
    want, want_err = exact(blob, max_events, max_bytes)
    got, got_err = fast(blob, max_events, max_bytes)
    assert shape(got) == shape(want)
    assert got_err == want_err
    # resuming after any batch gives the rest of the same run
    if got and not got_err:
        k = data.draw(st.integers(0, len(got) - 1))
        rest, _ = fast(blob[got[k].end:], max_events, max_bytes, start_offset=got[k].end,
                       start_line=got[k].end_line, start_ordinal=got[k].end_ordinal)
        assert shape(rest) == shape(got[k + 1:])


def test_a_big_indented_export_keeps_lines_and_sends_minified_records():
    events = [{"id": i, "tags": [{"k": i}, {"k": -i}], "msg": f"event {i}"} for i in range(2000)]
    raw = json.dumps(events, indent=2).encode()
    got, err = fast(raw, 500, 1 << 20)
    assert err is None
    assert [json.loads(r) for b in got for r in b.records()] == events
    starts = [i + 1 for i, line in enumerate(raw.split(b"\n")) if line == b"  {"]
    assert [n for b in got for n in b.lines] == starts
    assert shape(got) == shape(exact(raw, 500, 1 << 20)[0])


def test_one_element_a_line_is_sent_as_the_files_own_bytes():
    lines = [json.dumps({"n": i, "s": "x" * (i % 7)}) for i in range(3000)]
    raw = ("[\n" + ",\n".join(lines) + "\n]\n").encode()
    got, err = fast(raw, 1000, 1 << 20)
    assert err is None
    assert b"".join(b.body for b in got) == ("\n".join(lines) + "\n").encode()
    assert [n for b in got for n in b.lines] == list(range(2, 3002))
    assert [b.end for b in got] == [raw.index(lines[999].encode()) + len(lines[999]),
                                    raw.index(lines[1999].encode()) + len(lines[1999]), raw.rindex(b"}") + 1]


def test_a_number_axiom_would_store_as_null_is_failed_by_its_line_in_a_big_array():
    lines = [json.dumps({"n": i, "id": "%032x" % (i * 7919)}) for i in range(3000)]
    lines[1700] = '{"n": 1700, "v": 1e400}'
    raw = ("[\n" + ",\n".join(lines) + "\n]\n").encode()
    got, err = fast(raw, 10_000, 4 << 20)
    assert err is None
    assert sum(b.count for b in got) == 2999
    assert [s for b in got for s in b.skipped] == [(1702, NOT_FINITE)]
    assert [o for b in got for o in b.skipped_ordinals] == [1701]


def test_wrapped_records_stream_and_resume_like_an_array():
    events = [{"n": i, "s": "x" * (i % 5)} for i in range(700)]
    raw = json.dumps({"took": 1, "hits": {"total": 700, "hits": events}, "after": [1, 2]}, indent=1).encode()
    plan = Plan("json-object", records_path="hits.hits")
    got = list(iter_batches(io.BytesIO(raw), plan, max_events=64))
    assert [json.loads(r) for b in got for r in b.records()] == events
    starts = [i + 1 for i, line in enumerate(raw.split(b"\n")) if line == b"   {"]
    assert [n for b in got for n in b.lines] == starts
    for k in (0, 5, len(got) - 1):
        rest = list(iter_batches(io.BytesIO(raw[got[k].end:]), plan, max_events=64, start_offset=got[k].end,
                                 start_line=got[k].end_line, start_ordinal=got[k].end_ordinal))
        assert shape(rest) == shape(got[k + 1:])
    with pytest.raises(InputError, match="unexpected text after the end of the JSON object at line"):
        list(iter_batches(io.BytesIO(raw + b" x"), plan))
