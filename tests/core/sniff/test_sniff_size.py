"""A huge input, plain or compressed, sniffs from its head only."""

from __future__ import annotations

import gzip
import json
import random

import pytest
import zstandard

from app.core.sniff import sniff_path


# --- size: a huge file sniffs from its head only


BLOCK_LINES = 1000


def _block() -> bytes:
    return "".join(json.dumps({"_time": f"2024-03-01T10:00:{i % 60:02d}Z", "n": i, "path": f"/api/{i}"}) + "\n"
                   for i in range(BLOCK_LINES)).encode()


def test_200mb_file_reads_only_the_head(tmp_path):
    block = _block() * 100
    target = tmp_path / "big.ndjson"
    reps = (200 << 20) // len(block)
    with open(target, "wb") as f:
        for _ in range(reps):
            f.write(block)
    truth = reps * 100 * BLOCK_LINES
    s = sniff_path(target)
    assert s.format == "ndjson" and not s.head_is_whole
    assert abs(s.estimated_events - truth) <= truth * 0.2
    assert s.bytes_read <= (1 << 20) + 1
    assert s.size == target.stat().st_size


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_compressed_estimate_uses_the_ratio_seen_in_the_head(compression, tmp_path):
    # A unique 2+ MB block (larger than the compressors' windows), repeated: compresses like real logs.
    rng = random.Random(3)
    lines = 30_000
    block = "".join(json.dumps({"_time": f"2024-03-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z", "n": rng.random(),
                                "user": f"u{rng.randrange(10**6)}"}) + "\n" for i in range(lines)).encode()
    reps = 12
    target = tmp_path / "big.ndjson.packed"
    if compression == "gzip":
        with gzip.open(target, "wb", compresslevel=1) as f:
            for _ in range(reps):
                f.write(block)
    else:
        with open(target, "wb") as raw, zstandard.ZstdCompressor(level=1).stream_writer(raw) as f:
            for _ in range(reps):
                f.write(block)
    truth = reps * lines
    s = sniff_path(target)
    assert s.compression == compression and s.format == "ndjson"
    assert abs(s.estimated_events - truth) <= truth * 0.2
    assert s.bytes_read < target.stat().st_size / 4  # did not decompress the whole file
