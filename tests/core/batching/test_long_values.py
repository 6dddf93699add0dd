"""Values over Axiom's 1 MB limit are named wherever they sit in a big batch (the quick check
that spares splitting every 4 MB body must not miss one)."""

from __future__ import annotations

import io
import json

from app.core.batching import iter_batches, long_values
from app.core.plan import Plan
from app.core.sniff import CsvDialect


def test_a_long_value_anywhere_in_a_big_ndjson_batch_is_named():
    small = [json.dumps({"n": i, "pad": "x" * 200}) for i in range(12_000)]
    for where in (0, 5_000, 11_999):
        lines = list(small)
        lines[where] = json.dumps({"n": where, "big": "y" * 1_200_000})
        [b] = list(iter_batches(io.BytesIO(("\n".join(lines) + "\n").encode()), Plan("ndjson"),
                                max_events=20_000, max_bytes=8 << 20))
        found = long_values(b)
        assert [i for i, _ in found] == [where] and "'big' is 1.1 MB" in found[0][1]
    [b] = list(iter_batches(io.BytesIO(("\n".join(small) + "\n").encode()), Plan("ndjson"), max_events=20_000,
                            max_bytes=8 << 20))
    assert long_values(b) == []


def test_a_long_quoted_csv_value_with_line_breaks_is_named():
    value = ("line of text\n" * 100_000)[:-1]  # 1.3 MB, broken over many lines
    raw = ("id,msg\n" + "".join(f"{i},short\n" for i in range(100)) + f'100,"{value}"\n').encode()
    plan = Plan("csv", csv=CsvDialect(delimiter=",", has_header=True, fields=["id", "msg"]))
    [b] = list(iter_batches(io.BytesIO(raw), plan, max_bytes=8 << 20))
    assert [(i, m.split(" is ")[0]) for i, m in long_values(b)] == [(100, "field 'msg'")]
