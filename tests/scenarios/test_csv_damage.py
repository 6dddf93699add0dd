"""Issue #11 for CSV: NUL bytes in a few rows or a NUL-filled region inside a CSV are reported by
line (failed rows, a warning naming the region), never refused whole nor sent silently; binary
data is recognised by its bytes, high bytes included."""

from __future__ import annotations

import json
import types

from app import cli
from app.core import config


def stored():
    path = config.sandbox_dir() / "ds.ndjson"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def send(capsys, *argv):
    code = cli.main(["send", *map(str, argv), "-d", "ds", "--sandbox", "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err[-2000:]
    return types.SimpleNamespace(returncode=code, file=json.loads(out)["files"][0])


def rows(n, start=1):
    return "".join(f"{i},event {i},{i * 10}\n" for i in range(start, start + n)).encode()


def test_a_small_csv_with_one_nul_byte_is_read_and_the_row_fails_by_line(capsys, tmp_path):
    path = tmp_path / "small.csv"
    path.write_bytes(b"a,b\n1,x\n2,y\0z\n")
    proc = send(capsys, path)
    f = proc.file
    assert proc.returncode == 1 and f["ingested"] == 1 and f["failed"] == 1, f
    assert [(x["line"], x["error"]) for x in f["failures"]] == [(3, "contains NUL bytes")]
    assert [(e["a"], e["b"]) for e in stored()] == [("1", "x")]
