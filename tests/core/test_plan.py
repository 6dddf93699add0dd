"""plan_for: the sniff's plan, and each override the window or the CLI may apply to it."""

from __future__ import annotations

import pytest

from app.core.plan import Plan
from app.core.plan import Overrides, PlanError, plan_for
from app.core.sniff import CsvDialect, sniff_bytes

LAYOUT = "2006-01-02 15:04:05"
CSV = b"ts;host;n\n2024-01-01 10:00:00;a;1\n2024-01-01 10:00:01;b;2\n2024-01-01 10:00:02;c;3\n"
JSON = b'[{"when": "2024-01-01 10:00:00", "n": 1}, {"when": "2024-01-01 10:00:01", "n": 2}]'


@pytest.fixture
def csv_sniff():
    s = sniff_bytes(CSV, "hosts.csv")
    assert (s.format, s.csv.delimiter, s.csv.fields, s.timestamp.field) == ("csv", ";", ["ts", "host", "n"], "ts")
    return s


@pytest.fixture
def json_sniff():
    s = sniff_bytes(JSON, "export.json")
    assert (s.format, s.csv, s.timestamp.field) == ("json-array", None, "when")
    return s


def test_no_overrides_is_the_sniffs_plan(csv_sniff, json_sniff):
    for s in (csv_sniff, json_sniff):
        assert plan_for(s) == plan_for(s, Overrides()) == Plan.from_sniff(s)
    plan = plan_for(csv_sniff)
    assert (plan.timestamp_field, plan.timestamp_format, plan.encoding) == ("ts", LAYOUT, "utf-8")
    assert plan.csv is not csv_sniff.csv


def test_format(csv_sniff, json_sniff):
    plan = plan_for(csv_sniff, Overrides(format="ndjson"))
    assert (plan.format, plan.csv) == ("ndjson", None)
    plan = plan_for(json_sniff, Overrides(format="csv"))
    assert (plan.format, plan.csv) == ("csv", CsvDialect())


def test_json_keeps_the_sniffed_json_form_else_ndjson(csv_sniff, json_sniff):
    assert plan_for(json_sniff, Overrides(format="json")).format == "json-array"
    assert plan_for(csv_sniff, Overrides(format="json")).format == "ndjson"


def test_encoding(csv_sniff):
    assert plan_for(csv_sniff, Overrides(encoding="cp1252")).encoding == "cp1252"


def test_csv_delimiter_leaves_the_sniff_alone(csv_sniff):
    plan = plan_for(csv_sniff, Overrides(csv_delimiter="\t"))
    assert (plan.csv.delimiter, plan.csv.has_header, plan.csv.fields) == ("\t", True, ["ts", "host", "n"])
    assert csv_sniff.csv.delimiter == ";"


def test_csv_fields_alone_mean_no_header_row(csv_sniff):
    plan = plan_for(csv_sniff, Overrides(csv_fields=["a", "b", "c"]))
    assert (plan.csv.has_header, plan.csv.fields) == (False, ["a", "b", "c"])


def test_csv_fields_with_a_header_row(csv_sniff):
    # The header row reads as sniffed: its names stand.
    plan = plan_for(csv_sniff, Overrides(csv_delimiter=";", csv_has_header=True, csv_fields=["x", "y", "z"]))
    assert plan.csv.fields == ["ts", "host", "n"]
    # The override changes how the header reads: the given names (the preview's) replace the sniffed ones.
    plan = plan_for(csv_sniff, Overrides(csv_delimiter=",", csv_has_header=True, csv_fields=["x"]))
    assert (plan.csv.delimiter, plan.csv.has_header, plan.csv.fields) == (",", True, ["x"])
    plan = plan_for(csv_sniff, Overrides(csv_has_header=False, csv_fields=["col1", "col2", "col3"]))
    assert (plan.csv.has_header, plan.csv.fields) == (False, ["col1", "col2", "col3"])


def test_csv_overrides_need_a_csv_format(json_sniff):
    assert plan_for(json_sniff, Overrides(csv_delimiter="|", csv_fields=["a"])).csv is None


def test_timestamp_field(csv_sniff, json_sniff):
    plan = plan_for(json_sniff, Overrides(timestamp_field="when"))
    assert (plan.timestamp_field, plan.timestamp_format) == ("when", LAYOUT)
    plan = plan_for(csv_sniff, Overrides(timestamp_field="host"))  # the sniffed layout was ts's
    assert (plan.timestamp_field, plan.timestamp_format) == ("host", None)
    plan = plan_for(csv_sniff, Overrides(timestamp_field=""))  # none: _time, else the ingest time
    assert (plan.timestamp_field, plan.timestamp_format) == (None, None)


def test_timestamp_format(csv_sniff):
    plan = plan_for(csv_sniff, Overrides(timestamp_format="2006-01-02"))
    assert (plan.timestamp_field, plan.timestamp_format) == ("ts", "2006-01-02")
    plan = plan_for(csv_sniff, Overrides(timestamp_field="host", timestamp_format="Jan 2"))
    assert (plan.timestamp_field, plan.timestamp_format) == ("host", "Jan 2")


def test_labels_are_copied(json_sniff):
    labels = {"env": "ci"}
    plan = plan_for(json_sniff, Overrides(labels=labels))
    assert plan.labels == {"env": "ci"} and plan.labels is not labels


def test_a_failed_sniff_needs_a_format():
    s = sniff_bytes(b"\x00\x01\x02\x03" * 100, "x.bin")
    assert s.error
    with pytest.raises(PlanError) as e:
        plan_for(s)
    assert str(e.value) == s.error
    with pytest.raises(PlanError):
        plan_for(s, Overrides(format="json"))
    plan = plan_for(s, Overrides(format="csv", csv_delimiter="|"))
    assert (plan.format, plan.csv.delimiter, plan.timestamp_field) == ("csv", "|", None)
