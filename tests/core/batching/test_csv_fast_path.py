"""The CSV reader's fast path (whole blocks cut with bytes methods) and its per-line path give the
same events, lines, offsets and ragged rows as the csv module reading the whole input, whatever
the mix of quotes, quoted newlines, CRLF, blank lines and block edges."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.batching import iter_batches, limits, ragged_rows
from app.core.plan import Plan
from app.core.sniff import CsvDialect

cell = st.one_of(st.text("abc ,\"\n", max_size=6), st.text("xyz123", max_size=5))


def reference(raw: bytes) -> list[tuple[int, list[str]]]:
    """(start line, cells) of each data record, as the csv module reads the whole input."""
    reader = csv.reader(io.StringIO(raw.decode(), newline=""))
    out, before = [], 0
    for row in reader:
        if row:
            out.append((before + 1, row))
        before = reader.line_num
    return out[1:]  # the header


def read(raw: bytes, max_events: int, start_offset: int = 0, start_line: int = 1) -> list:
    stream = io.BytesIO(raw)
    stream.seek(start_offset)
    dialect = CsvDialect(fields=["a", "b", "c"])
    return list(iter_batches(stream, Plan("csv", csv=dialect), max_events=max_events,
                             start_offset=start_offset, start_line=start_line))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=1, max_size=4), min_size=1, max_size=40),
       crlf=st.booleans(), blanks=st.sets(st.integers(0, 40), max_size=3), chunk=st.sampled_from([16, 64, 1 << 20]),
       max_events=st.sampled_from([1, 3, 10_000]))
def test_batches_match_the_csv_module(monkeypatch, rows, crlf, blanks, chunk, max_events):
    monkeypatch.setattr(limits, "LINE_CHUNK", chunk)
    end = "\r\n" if crlf else "\n"
    recs = []  # blank lines only between records (a quoted newline's line is not a record's end)
    w = io.StringIO()
    for k, r in enumerate(rows):
        if k in blanks:
            recs.append(end)
        w.seek(0), w.truncate()
        csv.writer(w, lineterminator=end).writerow(r)
        recs.append(w.getvalue())
    raw = ("a,b,c" + end + "".join(recs)).encode()
    want = reference(raw)
    got = read(raw, max_events)
    assert [cells for b in got for cells in csv.reader(io.StringIO(b.body.decode(), newline=""))] == [r for _, r in want]
    assert [n for b in got for n in b.lines] == [n for n, _ in want]
    assert all(b.header == b"a,b,c\n" for b in got)
    starts = [0] + [b.end for b in got[:-1]]
    assert [b.start for b in got] == starts and got[-1].end == len(raw)
    ragged = [(b.lines[i], cells) for b in got for i, cells, _ in ragged_rows(b, ",")]
    assert ragged == [(n, len(r)) for n, r in want if len(r) != 3]
    if len(got) > 1:  # resuming from any batch's end gives the batches an uninterrupted run gave
        mid = got[len(got) // 2 - 1]
        rest = read(raw, max_events, mid.end, mid.end_line)
        assert [(b.body, list(b.lines), b.end) for b in rest] == [
            (b.body, list(b.lines), b.end) for b in got[len(got) // 2:]]


@pytest.mark.parametrize("raw, lines", [
    (b"a,b\r\n1,2\r\n3,4\r\n", [2, 3]),
    (b'a,b\n1,"x,y"\n2,"say ""hi"""\n', [2, 3]),
    (b'a,b\r\n1,"x\r\ny"\r\n2,z\r\n', [2, 4]),
])
def test_crlf_and_quoted_blocks_keep_offsets_and_lines(raw, lines):
    [b] = read(raw, 100)
    assert list(b.lines) == lines and b.end == len(raw) and b.end_line == raw.count(b"\n") + 1
    assert b"\r" not in b.body.replace(b"\r\ny", b"")
