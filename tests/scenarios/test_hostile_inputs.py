"""Issue #11, sections 2 and 5, as a user meets them: inputs that used to end in a silent "done",
a traceback or a stuck job. Each runs `axiom-drop send --sandbox` as a person would (in this
process; the memory bound in a child that reports its own peak)."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
import types

import pytest
import zstandard

from app import cli
from app.core import config


def lines(n, start=1):
    return "".join(json.dumps({"n": i, "msg": f"event {i}"}) + "\n" for i in range(start, start + n)).encode()


def stored():
    """What the sandbox stored in dataset ds (the subprocess shares the test's AXIOM_DROP_HOME)."""
    path = config.sandbox_dir() / "ds.ndjson"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def send(capsys, *argv):
    """`axiom-drop send … --sandbox --json` in this process (a child's exit can still crash in TLS
    teardown, another item of #11), as the CLI's entry point runs it."""
    code = cli.main(["send", *map(str, argv), "-d", "ds", "--sandbox", "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err[-2000:]
    return types.SimpleNamespace(returncode=code, stdout=out, stderr=err)


def test_a_cut_zstd_input_is_not_reported_as_complete(capsys, tmp_path):
    # Two frames; the second cut after its header: the readable part ends at a line boundary,
    # so only the frame check can tell that events are missing.
    first = zstandard.ZstdCompressor().compress(lines(1000))
    second = zstandard.ZstdCompressor().compress(lines(1000, 1001))
    path = tmp_path / "cut.ndjson.zst"
    path.write_bytes(first + second[:len(second) // 2])
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode != 0 and f["state"] != "done", f
    assert "cut off" in f["error"] or "truncated" in f["error"], f["error"]
    cut = len(first) + len(second) // 2
    assert f"at byte {cut:,} of the compressed file; the events after it were not sent" in f["error"]
    assert f["ingested"] == 1000 and f["stopped_at"] == "line 1,001, not read from there on" and f["error_kind"] == "input", f


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_a_cut_compressed_input_sends_what_came_before_the_cut(capsys, tmp_path, compression):
    # A big second member/frame cut in its middle: the whole lines decoded before the cut are sent,
    # the cut line and the rest are named as not sent.
    if compression == "gzip":
        first, second = gzip.compress(lines(1000)), gzip.compress(lines(20_000, 1001))
    else:
        first, second = (zstandard.ZstdCompressor().compress(lines(1000)),
                         zstandard.ZstdCompressor().compress(lines(20_000, 1001)))
    path = tmp_path / f"cut.ndjson.{compression}"
    path.write_bytes(first + second[:len(second) // 2])
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 2 and f["state"] == "done with failures", f
    assert f"the {compression} data is cut off (truncated)" in f["error"]
    assert 1000 <= f["ingested"] < 21_000 and f["stopped_at"] == f"line {f['ingested'] + 1:,}, not read from there on", f
    assert sorted(e["n"] for e in stored()) == list(range(1, f["ingested"] + 1))


def test_a_csv_field_over_128_kib_is_sent(capsys, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("name,blob\nsmall,x\nbig," + "y" * (200 << 10) + "\n")
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 0 and f["ingested"] == 2, f


@pytest.mark.parametrize("quote", ["", '"'])
def test_csv_fields_of_any_size_up_to_the_value_limit_are_sent_whole(capsys, tmp_path, quote):
    # Quoted fields go through the csv module on both sides (ragged-row check, the sandbox's parser).
    big = "y" * (900 << 10) + ("\nwith a newline" if quote else "")
    path = tmp_path / "big.csv"
    path.write_text(f"name,blob\nsmall,x\nbig,{quote}{big}{quote}\nafter,z\n")
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 0 and f["ingested"] == 3 and f["failed"] == 0, f
    assert [len(e["blob"]) for e in stored()] == [1, len(big), 1]


def peak_rss_send(path_or_stdin: bytes, *argv) -> tuple[subprocess.CompletedProcess, float]:
    """Run a send in a child that reports its own high-water mark (VmHWM, MB) on stderr's last line."""
    code = ("import sys; from app import cli; code = cli.main(sys.argv[1:]); "
            "sys.stderr.write(f'\\nrc={code}\\n' + open('/proc/self/status').read()); sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", code, "send", *map(str, argv), "-d", "ds", "--sandbox", "--json"],
                          input=path_or_stdin, capture_output=True, timeout=300)
    report = proc.stderr.decode().splitlines()
    proc.returncode = int(next(x for x in report if x.startswith("rc="))[3:])  # not a crash at exit's
    hwm = next(x for x in report if x.startswith("VmHWM:"))
    return proc, int(hwm.split()[1]) / 1024


def test_binary_stdin_read_as_ndjson_stops_with_bounded_memory():
    # 64 MB of random bytes used to fail line by line (~250,000 "lines"): ~650 MB of RSS and growing.
    garbage = random.Random(11).randbytes(64 << 20)
    proc, peak_mb = peak_rss_send(lines(500) + garbage, "-", "--format", "ndjson")
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 2 and "from line 501 on, the input is binary data" in f["error"], f
    assert f["ingested"] == 500 and f["stopped_at"] == "line 501, not read from there on" and len(f["failures"]) == 0, f
    assert peak_mb < 150, f"peak RSS {peak_mb:.0f} MB for 64 MB of binary stdin"


def test_nul_bytes_in_a_few_lines_fail_those_lines_only(capsys, tmp_path):
    text = lines(50).splitlines(keepends=True)
    text[6] = text[6].replace(b"event", b"ev\0ent")
    text[11] = b"\0" + text[11]
    path = tmp_path / "nul.ndjson"
    path.write_bytes(b"".join(text))
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 1 and f["ingested"] == 48 and f["failed"] == 2, f
    assert [(x["line"], x["error"]) for x in f["failures"]] == [(7, "contains NUL bytes"), (12, "contains NUL bytes")]
    assert sorted(e["n"] for e in stored()) == [n for n in range(1, 51) if n not in (7, 12)]


def test_a_nul_filled_region_is_named_with_its_lines_and_size(capsys, tmp_path):
    text = lines(300).splitlines(keepends=True)
    for i in range(99, 140):  # lines 100-140 zeroed, as after a crash (41 lines, 64 KiB)
        text[i] = b"\0" * 1598 + b"\n"
    text[200] = text[200][:10] + b"\0" * 4096 + text[201]  # a zeroed block inside line 201, joining 202
    del text[201]
    path = tmp_path / "crash.ndjson"
    path.write_bytes(b"".join(text))
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 1 and f["ingested"] == 300 - 41 - 2 and f["failed"] == 1, f
    [failure] = f["failures"]
    assert failure["line"] == 201 and "contains 4 KiB of NUL bytes (a crash or a cut copy?)" in failure["error"]
    [warning] = [w for w in f["warnings"] if "NUL" in str(w)]
    assert "lines 100–140: 64 KiB of NUL bytes (a crash or a cut copy?)" in str(warning), f["warnings"]


def test_real_binary_files_are_still_refused(capsys, tmp_path):
    png = tmp_path / "image.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(5000))
    noise = tmp_path / "noise.ndjson"
    noise.write_bytes(random.Random(2).randbytes(100_000))
    for path, words in ((png, "a PNG image"), (noise, "binary data")):
        proc = send(capsys, path)
        f = json.loads(proc.stdout)["files"][0]
        assert proc.returncode == 2 and words in f["error"] and f["ingested"] == 0, f


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_a_number_axiom_would_store_as_null_fails_by_line_in_both_formats(capsys, tmp_path, fmt):
    events = ['{"n":1}', '{"n":2}', '{"n":3,"x":1e400}', '{"n":4,"y":[1,-1e999]}', '{"n":5,"z":"null"}']
    path = tmp_path / f"big_numbers.{fmt}"
    path.write_text("[\n" + ",\n".join(events) + "\n]\n" if fmt == "json" else "\n".join(events) + "\n")
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 1 and f["ingested"] == 3 and f["failed"] == 2, f
    first = 2 if fmt == "json" else 1  # the array's "[" is line 1
    assert [x["line"] for x in f["failures"]] == [first + 2, first + 3]
    assert all("out of range of a 64-bit float" in x["error"] for x in f["failures"]), f["failures"]
    assert sorted(e["n"] for e in stored()) == [1, 2, 5]


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_a_value_over_axioms_limit_is_named_by_line(capsys, tmp_path, fmt):
    big = "v" * (3 << 19)  # 1.5 MB
    path = tmp_path / f"long.{fmt}"
    if fmt == "csv":
        path.write_text(f"n,big\n1,a\n2,{big}\n3,c\n")
    else:
        path.write_text("".join(json.dumps({"n": n, "big": v}) + "\n" for n, v in ((1, "a"), (2, big), (3, "c"))))
    proc = send(capsys, path)
    f = json.loads(proc.stdout)["files"][0]
    assert f["ingested"] == 3 and f["failed"] == 0, f
    line = 3 if fmt == "csv" else 2
    [warning] = [w for w in f["warnings"] if "value limit" in str(w)]
    assert f"line {line}: field 'big' is 1.5 MB, over Axiom's 1 MB value limit" in str(warning), f["warnings"]
    assert {e["n"] if fmt == "ndjson" else int(e["n"]): e["big"] for e in stored()}[2] == "<invalid string: too long>"
