"""Issue #11, sections 2 and 5, as a user meets them: inputs that used to end in a silent "done",
a traceback or a stuck job. Each runs `axiom-drop send --sandbox` as a person would."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
import zstandard

from app.core import config


def lines(n, start=1):
    return "".join(json.dumps({"n": i, "msg": f"event {i}"}) + "\n" for i in range(start, start + n)).encode()


def stored():
    """What the sandbox stored in dataset ds (the subprocess shares the test's AXIOM_DROP_HOME)."""
    path = config.sandbox_dir() / "ds.ndjson"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def send(*argv, timeout=120):
    proc = subprocess.run([sys.executable, "-m", "app", "send", *map(str, argv), "-d", "ds", "--sandbox", "--json"],
                          capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return proc


def test_a_cut_zstd_input_is_not_reported_as_complete(tmp_path):
    # Two frames; the second cut after its header: the readable part ends at a line boundary,
    # so only the frame check can tell that events are missing.
    first = zstandard.ZstdCompressor().compress(lines(1000))
    second = zstandard.ZstdCompressor().compress(lines(1000, 1001))
    path = tmp_path / "cut.ndjson.zst"
    path.write_bytes(first + second[:len(second) // 2])
    proc = send(path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode != 0 and f["state"] != "done", f
    assert "cut off" in f["error"] or "truncated" in f["error"], f["error"]
    cut = len(first) + len(second) // 2
    assert f"at byte {cut:,} of the compressed file; the events after it were not sent" in f["error"]
    assert f["ingested"] == 1000 and f["stopped_at"] == "line 1001" and f["error_kind"] == "input", f


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_a_cut_compressed_input_sends_what_came_before_the_cut(tmp_path, compression):
    # A big second member/frame cut in its middle: the whole lines decoded before the cut are sent,
    # the cut line and the rest are named as not sent.
    if compression == "gzip":
        first, second = gzip.compress(lines(1000)), gzip.compress(lines(20_000, 1001))
    else:
        first, second = (zstandard.ZstdCompressor().compress(lines(1000)),
                         zstandard.ZstdCompressor().compress(lines(20_000, 1001)))
    path = tmp_path / f"cut.ndjson.{compression}"
    path.write_bytes(first + second[:len(second) // 2])
    proc = send(path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 2 and f["state"] == "done with failures", f
    assert f"the {compression} data is cut off (truncated)" in f["error"]
    assert 1000 <= f["ingested"] < 21_000 and f["stopped_at"] == f"line {f['ingested'] + 1}", f
    assert [e["n"] for e in stored()] == list(range(1, f["ingested"] + 1))


def test_a_csv_field_over_128_kib_is_sent(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("name,blob\nsmall,x\nbig," + "y" * (200 << 10) + "\n")
    proc = send(path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 0 and f["ingested"] == 2, f


@pytest.mark.parametrize("quote", ["", '"'])
def test_csv_fields_of_any_size_up_to_the_value_limit_are_sent_whole(tmp_path, quote):
    # Quoted fields go through the csv module on both sides (ragged-row check, the sandbox's parser).
    big = "y" * (900 << 10) + ("\nwith a newline" if quote else "")
    path = tmp_path / "big.csv"
    path.write_text(f"name,blob\nsmall,x\nbig,{quote}{big}{quote}\nafter,z\n")
    proc = send(path)
    f = json.loads(proc.stdout)["files"][0]
    assert proc.returncode == 0 and f["ingested"] == 3 and f["failed"] == 0, f
    assert [len(e["blob"]) for e in stored()] == [1, len(big), 1]
