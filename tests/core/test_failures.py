"""Export of failed rows: NDJSON for any input, CSV in the input's own dialect for CSV inputs."""

from __future__ import annotations

import json

import pytest

from app.core.plan import Plan
from app.core.failures import ERROR_FIELD, LINE_FIELD, RECORD_FIELD, export_failures
from app.core.sniff import CsvDialect
from app.core.job import Failure

NDJSON = Plan(format="ndjson", compression=None, encoding="utf-8", csv=None)


def test_ndjson_keeps_objects_and_wraps_what_is_not_one(tmp_path):
    failures = [Failure(2, "field bad is not allowed", '{"bad": 1, "n": "é"}\n'), Failure(5, "not an object", "[1, 2]"),
                Failure(None, "", None)]
    out = tmp_path / "f.ndjson"
    assert export_failures(out, failures, NDJSON) == 3
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert rows == [
        {"bad": 1, "n": "é", ERROR_FIELD: "field bad is not allowed", LINE_FIELD: 2},
        {LINE_FIELD: 5, RECORD_FIELD: "[1, 2]", ERROR_FIELD: "not an object"},
        {LINE_FIELD: None, RECORD_FIELD: "", ERROR_FIELD: "failed"},
    ]


def test_csv_pads_short_rows_and_keeps_unsplittable_ones_whole(tmp_path):
    plan = Plan(format="csv", compression=None, encoding="utf-8",
                csv=CsvDialect(delimiter=",", has_header=True, fields=["a", "b", "c"]))
    failures = [Failure(2, "too few", "1,2"), Failure(3, "two rows", "p,q\nr,s")]
    out = tmp_path / "f.csv"
    assert export_failures(out, failures, plan, fmt="csv") == 2
    assert out.read_text().splitlines() == ["a,b,c,error", "1,2,,too few", '"p,q', 'r,s",,,two rows']


def test_csv_export_is_for_csv_inputs(tmp_path):
    with pytest.raises(ValueError):
        export_failures(tmp_path / "f.csv", [Failure(1, "x", "{}")], NDJSON, fmt="csv")
