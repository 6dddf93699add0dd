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


def test_a_nul_filled_region_inside_a_large_csv_is_named_not_sent(capsys, tmp_path):
    # past the sniffer's 1 MiB head, as after a crash: lines 60,001–60,041 zeroed (64 KiB), and a
    # zeroed block inside line 70,001 joining it with the next line
    text = [b"n,msg,x\n"] + rows(80_000)[:-1].split(b"\n")
    text = [t if t.endswith(b"\n") else t + b"\n" for t in text]
    for i in range(60_000, 60_041):
        text[i] = b"\0" * 1598 + b"\n"
    text[70_000] = text[70_000][:4] + b"\0" * 4096 + text[70_001]
    del text[70_001]
    path = tmp_path / "crash.csv"
    path.write_bytes(b"".join(text))
    proc = send(capsys, path)
    f = proc.file
    assert proc.returncode == 1 and f["ingested"] == 80_000 - 41 - 2 and f["failed"] == 1, f
    [failure] = f["failures"]
    assert failure["line"] == 70_001 and "contains 4 KiB of NUL bytes (a crash or a cut copy?)" in failure["error"]
    [warning] = [w for w in f["warnings"] if "NUL" in str(w)]
    assert "lines 60001–60041: 64 KiB of NUL bytes (a crash or a cut copy?)" in str(warning), f["warnings"]
    assert not any("\0" in json.dumps(e) or "\\u0000" in json.dumps(e) for e in stored())


def test_a_nul_region_in_the_head_of_a_csv_is_named_too(capsys, tmp_path):
    text = [b"n,msg,x\n"] + [r + b"\n" for r in rows(300).split(b"\n")[:-1]]
    for i in range(100, 141):
        text[i] = b"\0" * 100 + b"\n"
    path = tmp_path / "crash.csv"
    path.write_bytes(b"".join(text))
    proc = send(capsys, path)
    f = proc.file
    assert proc.returncode == 0 and f["ingested"] == 300 - 41 and f["failed"] == 0, f
    [warning] = [w for w in f["warnings"] if "NUL" in str(w)]
    assert "lines 101–141: 4 KiB of NUL bytes" in str(warning), f["warnings"]


def test_binary_of_high_bytes_only_is_refused_as_binary(capsys, tmp_path):
    import random
    path = tmp_path / "noise.csv"  # `head -c 4M /dev/urandom | tr -d '\000-\177'`
    path.write_bytes(bytes(b | 0x80 for b in random.Random(9).randbytes(2 << 20)))
    proc = send(capsys, path)
    f = proc.file
    assert proc.returncode == 2 and "binary data" in f["error"] and "not valid UTF-8" in f["error"], f
    assert f["ingested"] == 0 and stored() == []
