"""The block scan of the NDJSON and CSV readers (scan.scan_block, scan.past_newline): the C
(_native_lines.c) and the Python give the same answers, both match a line-by-line reading of what
the flags mean, and the readers cut the same batches with either."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.batching import iter_batches, scan
from app.core.batching.scan import BLANK_LINE, HAS_CR, HAS_NUL, HAS_QUOTE, SPACE_LED, past_newline, scan_block
from app.core.plan import Plan
from app.core.sniff import CsvDialect

native_built = pytest.mark.skipif(scan._native_lines is None, reason="the C scan is not built here (make builds it)")

# the bytes the flags are about, and plain ones between them
blocks = st.lists(st.sampled_from([b"a", b"{}", b"\n", b"\n", b"\r", b"\0", b" ", b"\t", b"\x0b", b"\x0c", b'"',
                                   b"'", b"\xc3\xa9", b",", b"\r\n", b"\n\n"]), max_size=40).map(b"".join)


def by_lines(data: bytes, quote: int) -> tuple[int, int]:
    """What the flags mean, read one line at a time (a final "\\n" starts no line)."""
    parts = data.split(b"\n")
    starts = parts if parts[-1] else parts[:-1]
    flags = ((HAS_CR if any(b"\r" in p for p in parts) else 0) | (HAS_NUL if any(b"\0" in p for p in parts) else 0)
             | (HAS_QUOTE if quote >= 0 and any(quote in p for p in parts) else 0)
             | (BLANK_LINE if data and any(p == b"" for p in starts) else 0)
             | (SPACE_LED if any(p[:1] in (b" ", b"\t", b"\x0b", b"\x0c") for p in starts if p) else 0))
    return len(parts) - 1, flags


@settings(max_examples=600, deadline=None)
@given(data=blocks, quote=st.sampled_from([-1, ord('"'), ord("'")]))
def test_the_python_scan_reads_each_line_as_the_flags_say(data, quote):
    assert scan_block(data, quote, native=False) == by_lines(data, quote)


@native_built
@settings(max_examples=600, deadline=None)
@given(data=blocks, quote=st.sampled_from([-1, ord('"'), ord("'"), 0, 10]))
def test_the_c_scan_gives_what_the_python_one_gives(data, quote):
    assert scan_block(data, quote) == scan_block(data, quote, native=False)


@native_built
@settings(max_examples=400, deadline=None)
@given(data=blocks, cut=st.tuples(st.integers(0, 60), st.integers(0, 60)), k=st.integers(1, 12))
def test_past_newline_is_the_same_in_c(data, cut, k):
    pos, end = min(cut[0], len(data)), min(max(cut), len(data))
    pos = min(pos, end)
    if data.count(b"\n", pos, end) < k:
        with pytest.raises(ValueError):
            past_newline(data, pos, end, k)
        return
    at = past_newline(data, pos, end, k)
    assert at == past_newline(data, pos, end, k, native=False)
    assert data[at - 1:at] == b"\n" and data.count(b"\n", pos, at) == k


@pytest.mark.parametrize("raw, plan", [
    (b'{"a":1}\n\n{"a":2}\n {"a":3}\r\n{"a":4}\n' * 300 + b'{"a":5}\n' * 5000, Plan("ndjson")),
    (b'a,b\n1,2\n\n3,"x\ny"\r\n4,5\n' * 300 + b"6,7\n" * 5000, Plan("csv", csv=CsvDialect(fields=["a", "b"]))),
])
def test_the_readers_cut_the_same_batches_without_the_c_scan(monkeypatch, raw, plan):
    from app.core.batching import limits

    monkeypatch.setattr(limits, "LINE_CHUNK", 4096)  # many blocks, some plain, some not

    def batches():
        return [(b.payload(), list(b.lines), b.start, b.end, b.skipped)
                for b in iter_batches(io.BytesIO(raw), plan, max_events=700)]

    with_c = batches()
    monkeypatch.setattr(scan, "_native_lines", None)
    assert batches() == with_c
    assert sum(len(p[1]) for p in with_c) == (6200 if plan.format == "ndjson" else 6199)
