"""Typed CSV end to end (#13): a clearly typed CSV sent to the sandbox is stored with JSON numbers
and booleans (so `sum(duration_ms)` works), decimal commas included; `--typed-columns off` keeps
today's strings; empty cells are left out or null, as asked; failures still name CSV lines."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.core import config


def stored():
    path = config.sandbox_dir() / "ds.ndjson"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def send(capsys, *argv):
    code = cli.main(["send", *map(str, argv), "-d", "ds", "--sandbox", "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err[-2000:]
    return code, json.loads(out)["files"][0]


def typed_csv(tmp_path, rows=40):
    path = tmp_path / "requests.csv"
    path.write_text("time,path,duration_ms,status,cached,note\n" + "".join(
        f"2026-03-01T10:00:{i:02d}Z,/api/{i},{i}.5,{200 + i % 2},{'true' if i % 3 else 'false'},{'x' if i % 4 else ''}\n"
        for i in range(rows)))
    return path


def test_a_typed_csv_is_stored_with_numbers_and_booleans(capsys, tmp_path):
    code, f = send(capsys, typed_csv(tmp_path))
    assert code == 0 and f["ingested"] == 40 and f["failed"] == 0, f
    events = stored()
    assert sum(e["duration_ms"] for e in events) == sum(i + 0.5 for i in range(40))
    assert all(isinstance(e["status"], int) and isinstance(e["cached"], bool) for e in events)
    assert events[1]["path"] == "/api/1" and events[1]["_time"].startswith("2026-03-01T10:00:01")
    assert "note" not in events[0] and events[1]["note"] == "x"  # empty cells left out by default


def test_typed_columns_off_keeps_strings_and_empty_cells_can_be_null(capsys, tmp_path):
    path = typed_csv(tmp_path)
    code, f = send(capsys, path, "--typed-columns", "off")
    assert code == 0 and f["ingested"] == 40
    assert stored()[1]["duration_ms"] == "1.5"
    config.sandbox_dir().joinpath("ds.ndjson").unlink()
    code, f = send(capsys, path, "--empty-cells", "null", "--column-type", "status=text")
    assert code == 0 and f["ingested"] == 40
    first = stored()[0]
    assert first["note"] is None and first["status"] == "200" and first["duration_ms"] == 0.5


def test_decimal_commas_and_a_short_file_typed_on_request(capsys, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("name;price\napple;1,25\npear;2\n")
    code, f = send(capsys, path)
    assert code == 0 and stored()[0]["price"] == "1,25"  # 2 rows: not clearly typed, sent as today
    config.sandbox_dir().joinpath("ds.ndjson").unlink()
    code, f = send(capsys, path, "--typed-columns", "on")
    assert code == 0 and [e["price"] for e in stored()] == [1.25, 2]


def test_a_bad_column_type_is_a_usage_error(capsys, tmp_path):
    code = cli.main(["send", str(typed_csv(tmp_path)), "-d", "ds", "--sandbox", "--column-type", "status=money"])
    out, err = capsys.readouterr()
    assert code == 2 and "--column-type takes FIELD=TYPE" in (out + err)


def test_inspect_prints_the_inferred_types(capsys, tmp_path):
    assert cli.main(["inspect", str(typed_csv(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "column types: duration_ms: number, status: number, cached: boolean; sent as typed values (NDJSON)" in out


@pytest.mark.parametrize("rows", [40])
def test_a_nul_damaged_row_of_a_typed_csv_fails_by_its_line(capsys, tmp_path, rows):
    path = typed_csv(tmp_path, rows)
    data = path.read_bytes().split(b"\n")
    data[5] = data[5].replace(b"/api", b"/a\0pi")
    path.write_bytes(b"\n".join(data))
    code, f = send(capsys, path)
    assert code == 1 and f["ingested"] == rows - 1
    assert [(x["line"], x["error"]) for x in f["failures"]] == [(6, "contains NUL bytes")]


def test_ragged_rows_of_a_typed_csv_are_named_and_their_cells_kept(capsys, tmp_path):
    path = typed_csv(tmp_path)
    data = path.read_text().splitlines(keepends=True)
    data[3] = data[3].rstrip("\n") + ",extra\n"   # line 4: 7 cells
    data[6] = ",".join(data[6].split(",")[:3]) + "\n"  # line 7: 3 cells
    path.write_text("".join(data))
    code, f = send(capsys, path)
    assert code == 0 and f["ingested"] == 40, f
    assert f["warnings"] == ["line 4: 7 cells where the header names 6; the extra cells are sent as column7…",
                             "line 7: 3 cells where the header names 6; the missing fields are left out"]
    events = stored()
    assert events[2]["column7"] == "extra" and events[2]["duration_ms"] == 2.5
    assert "status" not in events[5] and events[5]["duration_ms"] == 5.5
