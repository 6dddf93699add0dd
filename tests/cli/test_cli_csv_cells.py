"""CSV cells as a user wrote them: a decimal-comma column keeps the text of cells that do not read
as numbers, a delimiter of more than one character is a usage error (exit 2) and not a traceback,
and in a headerless CSV whose `_time` the app computes one bad row fails alone. End to end, over
real sockets to a sandbox that behaves as Axiom does."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.sandbox import Sandbox


@pytest.fixture
def axiom_like(tmp_path, monkeypatch):
    with Sandbox(tmp_path / "sb") as sb:
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", sb.token)
        yield sb


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_decimal_comma_column_keeps_the_text_of_cells_that_are_not_numbers(axiom_like, tmp_path, capsys):
    rows = [f"{i};1,5;ok" for i in range(1, 15)] + ["15;1.000,5;x", '16;"a,b";y']
    path = tmp_path / "dc.csv"
    path.write_text("id;price;note\n" + "\n".join(rows) + "\n")
    code, out, _ = run(capsys, "send", str(path), "-d", "ds", "--create-dataset",
                       "--column-type", "price=decimal-comma", "--json")
    [f] = json.loads(out)["files"]
    assert code == 0, out
    assert (f["ingested"], f["failed"], f["not_sent"]) == (16, 0, 0)
    prices = {e["id"]: e["price"] for e in axiom_like.events("ds")}
    assert prices[1] == 1.5 and prices[14] == 1.5
    assert prices[15] == "1.000,5" and prices[16] == "a,b"  # as written, not "1.000.5" / "a.b"


@pytest.mark.parametrize("delimiter", [";;", "ab", ""])
def test_a_delimiter_of_other_than_one_character_is_a_usage_error_naming_the_flag(tmp_path, capsys, delimiter):
    from app.cli.entry import main

    path = tmp_path / "a.csv"
    path.write_text("a;;b\n1;;2\n")
    code = main(["send", str(path), "-d", "ds", "--sandbox", "--csv-delimiter", delimiter])
    out, err = capsys.readouterr()
    assert code == 2
    assert "--csv-delimiter" in err and "one character" in err
    assert "Traceback" not in out + err


def test_the_plan_refuses_a_delimiter_of_other_than_one_character():
    from app.core.plan import Overrides, PlanError, plan_for
    from app.core.sniff.sniffer import sniff_bytes

    with pytest.raises(PlanError, match="one character"):
        plan_for(sniff_bytes(b"a,b\n1,2\n"), Overrides(format="csv", csv_delimiter="||"))


def syslog_rows(tmp_path, bad_line=None):
    rows = [f"Jan  1 15:04:05,h{i},m{i}" for i in range(10)]
    if bad_line:
        rows[bad_line - 1] = f'Jan  3 15:04:05,h"{bad_line - 1}"x,m{bad_line - 1}'
    path = tmp_path / "headerless.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_bad_row_of_a_headerless_csv_with_app_computed_time_fails_alone(axiom_like, tmp_path, capsys):
    path = syslog_rows(tmp_path, bad_line=6)
    code, out, _ = run(capsys, "send", str(path), "--csv-fields", "when,host,msg", "-d", "ds",
                       "--create-dataset", "--json")
    [f] = json.loads(out)["files"]
    assert (f["ingested"], f["failed"], f["not_sent"]) == (9, 1, 0), out
    assert [x["line"] for x in f["failures"]] == [6], out
    assert sorted(e["host"] for e in axiom_like.events("ds")) == [f"h{i}" for i in range(10) if i != 5]


def test_a_clean_headerless_csv_with_app_computed_time_warns_of_no_refused_rows(axiom_like, tmp_path, capsys):
    path = syslog_rows(tmp_path)
    code, out, err = run(capsys, "send", str(path), "--csv-fields", "when,host,msg", "-d", "ds",
                         "--create-dataset", "--json")
    [f] = json.loads(out)["files"]
    assert code == 0 and (f["ingested"], f["failed"]) == (10, 0), out
    assert "likely refuses" not in out + err
    assert all(e["_time"] for e in axiom_like.events("ds"))
