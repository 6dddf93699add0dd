"""The sandbox's benchmark mode counts events cheaply, still refuses bad bodies, stores nothing."""

import gzip

import httpx
import pytest
import zstandard

from app.sandbox import (ApiError, BadEvent, FastCounter, Inflater, Sandbox, parse_csv, parse_json,
                         parse_ndjson)


def fast_count(data: bytes, mime: str, delimiter: str = ",", headerless: bool = False) -> int:
    """The number of events in a whole body, as the fast mode counts it."""
    counter = FastCounter(mime)
    counter.feed(data)
    return counter.finish(delimiter, headerless)


def test_fast_count_plain_and_unusual_bodies():
    assert fast_count(b'{"a":1}\n{"a":2}\n', "application/x-ndjson") == 2
    assert fast_count(b'{"a":1}\n\n{"a":2}', "application/x-ndjson") == 2  # blank line: full parser
    assert fast_count(b"a,b\n1,2\n3,4\n", "text/csv") == 2
    assert fast_count(b'a,b\n"x\ny",2\n', "text/csv") == 1
    assert fast_count(b'[{"a":1},{"a":2},{"a":3}]', "application/json") == 3


def test_fast_mode_accepts_counts_and_stores_nothing(tmp_path):
    with Sandbox(tmp_path, fast=True, datasets=("bench",)) as sb:
        body = b"".join(b'{"i":%d}\n' % i for i in range(20_000))  # over the 10k cap: allowed here
        r = httpx.post(f"{sb.url}/v1/ingest/bench", content=zstandard.ZstdCompressor().compress(body),
                       headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/x-ndjson",
                                "Content-Encoding": "zstd"})
        assert r.status_code == 200 and r.json()["ingested"] == 20_000
        assert sb.events("bench") == []
        bad = httpx.post(f"{sb.url}/v1/ingest/bench", content=gzip.compress(b'[1]\n{"a":1}\n'),
                         headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/x-ndjson",
                                  "Content-Encoding": "gzip"})
        assert bad.status_code == 400 and "index 0" in bad.json()["message"]
        broken = httpx.post(f"{sb.url}/v1/ingest/bench", content=b"not zstd",
                            headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/x-ndjson",
                                     "Content-Encoding": "zstd"})
        assert broken.status_code == 400


# ---------------------------------------------------------------- the streaming counter

NDJSON, CSV, JSON = "application/x-ndjson", "text/csv", "application/json"
BODIES = [
    (NDJSON, b""), (NDJSON, b'{"a":1}'), (NDJSON, b'{"a":1}\n'), (NDJSON, b'{"a":1}\n{"a":2}\n'),
    (NDJSON, b'{"a":1}\n{"a":2}'),                      # last line without "\n"
    (NDJSON, b'{"a":1}\n\n{"a":2}\n'),                  # blank line
    (NDJSON, b'{"a":1}\n{"a":2}\n\n'), (NDJSON, b'\n{"a":1}\n'),
    (NDJSON, b'{"a":1}\r\n{"a":2}\r\n'),                # CRLF
    (NDJSON, b'  {"a":1}\n{"a":2}\n'), (NDJSON, b'{"a":1}\n\t{"a":2}\n'),  # leading whitespace
    (NDJSON, b'{"a":1}\n  \n{"a":2}\n'), (NDJSON, b'{"a":1}\n\x0b\n\x0c'),  # whitespace-only lines
    (NDJSON, b'{"a":1}\n{"a":2}\n  '),
    (NDJSON, b'{"a":1\n{"a":2}\n'),                     # bad first line
    (NDJSON, b'{"a":1}\n{"a":2}\n{"a":\n'),             # bad last line
    (NDJSON, b'{"a":1}\n{"a"'), (NDJSON, b'[1]\n{"a":1}\n'), (NDJSON, b'{"a":1}\nnull\n'),
    (NDJSON, b'{"a":1}\n"x"'), (NDJSON, b"true"), (NDJSON, b"42\n"),
    (NDJSON, b'{"a":1}\n{"b":"' + b"x" * 40 + b'"}\n{"c":"' + b"y" * 40 + b'"}'),  # lines over many pieces
    (CSV, b"a,b\n1,2\n3,4\n"), (CSV, b"a,b\n1,2\n3,4"), (CSV, b"a,b\n"), (CSV, b"a,b"),
    (CSV, b'a,b\n"x\ny",2\n'), (CSV, b'a,b\n1,"2"\n'),  # quotes
    (CSV, b"a,b\n1,2\n\n3,4\n"), (CSV, b"a,b\r\n1,2\r\n"), (CSV, b"a,b\n  1,2\n"), (CSV, b"a,b\n1,2\n \n3,4"),
    (JSON, b'[{"a":1},{"a":2}]'), (JSON, b'{"a":1}\n{"a":2}'), (JSON, b"[1]"),
]


def _full(mime: str, body: bytes, headerless: bool) -> int | str:
    try:
        if mime == CSV:
            return len(parse_csv(body, ",", ["f"] if headerless else None))
        return len(parse_ndjson(body) if mime == NDJSON else parse_json(body))
    except (BadEvent, ApiError) as e:  # a CSV record Go refuses is an ApiError (no index)
        return str(e)


def _counted(count, *args) -> int | str:
    try:
        return count(*args)
    except (BadEvent, ApiError) as e:
        return str(e)


def _streamed(mime: str, body: bytes, size: int, headerless: bool) -> int:
    counter = FastCounter(mime)
    for i in range(0, len(body), size):
        counter.feed(body[i:i + size])
    return counter.finish(",", headerless)


@pytest.mark.parametrize("mime,body,headerless",
                         [(m, b, h) for m, b in BODIES for h in ((False, True) if m == CSV else (False,))])
def test_streaming_counter_matches_the_full_parser_at_every_split(mime, body, headerless):
    expected = _full(mime, body, headerless)
    assert _counted(fast_count, body, mime, ",", headerless) == expected
    for size in (1, 2, 3, 7, len(body) or 1):
        assert _counted(_streamed, mime, body, size, headerless) == expected, size


# ---------------------------------------------------------------- over HTTP

def _post(sb, content, encoding=None, mime=NDJSON):
    headers = {"Authorization": f"Bearer {sb.token}", "Content-Type": mime}
    if encoding:
        headers["Content-Encoding"] = encoding
    return httpx.post(f"{sb.url}/v1/ingest/bench", content=content, headers=headers)


def test_fast_mode_streams_multi_frame_and_multi_member_bodies(tmp_path):
    part1 = b"".join(b'{"i":%d}\n' % i for i in range(3000))
    part2 = b"".join(b'{"j":%d}\n' % i for i in range(2000))
    zstd = zstandard.ZstdCompressor()
    with Sandbox(tmp_path, fast=True, datasets=("bench",)) as sb:
        r = _post(sb, zstd.compress(part1) + zstd.compress(part2), "zstd")
        assert r.status_code == 200 and r.json()["ingested"] == 5000
        assert r.json()["processedBytes"] == len(part1 + part2)
        body = gzip.compress(part1) + b"\0\0" + gzip.compress(part2)  # zero padding is allowed
        r = _post(sb, body, "gzip")
        assert r.status_code == 200 and r.json()["ingested"] == 5000
        entry = sb.requests_log[-1]
        assert entry["bytes"] == len(body) and entry["processed_bytes"] == len(part1 + part2)
        # a chunked upload whose pieces split lines and a blank line: the full parser counts
        pieces = [part1[:5], part1[5:-1], b"\n", b"\n" + part2]
        r = _post(sb, iter(pieces))
        assert r.status_code == 200 and r.json()["ingested"] == 5000
        r = _post(sb, iter([b"a,b\n1,2\n", b"\n3,4\n"]), mime="text/csv")
        assert r.status_code == 200 and r.json()["ingested"] == 2


def test_fast_mode_refuses_broken_or_oversized_bodies(tmp_path):
    body = b"".join(b'{"i":%d}\n' % i for i in range(5000))
    good = zstandard.ZstdCompressor().compress(body)
    with Sandbox(tmp_path, fast=True, datasets=("bench",)) as sb:
        r = _post(sb, good[:20] + b"\xff" * 50 + good[70:], "zstd")
        assert r.status_code == 400 and r.json()["message"].startswith("failed to decompress the zstd body: ")
        r = _post(sb, b"not gzip", "gzip")
        assert r.status_code == 400 and r.json()["message"] == "failed to decompress the gzip body: " \
                                                                "Not a gzipped file (b'no')"
        r = _post(sb, gzip.compress(body)[:-5], "gzip")
        assert r.status_code == 400 and "ended before the end-of-stream marker" in r.json()["message"]
        r = _post(sb, good, "br")
        assert r.status_code == 415
        sb.faults.max_body_bytes = len(body) - 1
        r = _post(sb, good, "zstd")
        assert r.status_code == 413 and r.json()["message"] == "request entity too large"
        assert sb.requests_log[-1]["bytes"] == len(good)
        sb.faults.max_body_bytes = len(body)
        assert _post(sb, good, "zstd").json()["ingested"] == 5000
        r = _post(sb, b'{"a":1}\n{"a":2', None)
        assert r.status_code == 400 and r.json()["message"].startswith("invalid event at index 1: ")


def test_fast_mode_keeps_the_ingest_limit(tmp_path):
    with Sandbox(tmp_path, fast=True, ingest_limit_bytes=10, datasets=("bench",)) as sb:
        assert _post(sb, b'{"a":1}\n{"a":2}\n').status_code == 200
        r = _post(sb, b'{"a":1}\n')
        assert r.status_code == 430 and r.headers["X-IngestLimit-Remaining"] == "0"


@pytest.mark.parametrize("encoding", ["zstd", "gzip"])
def test_a_compression_bomb_stops_at_the_cap_while_it_is_decompressed(encoding):
    """A few KB of zstd can stand for gigabytes: the fast mode must refuse it without holding
    more than about the cap in memory."""
    zeros = b"\0" * (64 << 20)
    bomb = zstandard.ZstdCompressor(level=19).compress(zeros) if encoding == "zstd" else gzip.compress(zeros, 9)
    inflater = Inflater(encoding, cap=1 << 20)
    with pytest.raises(ApiError) as e:
        for i in range(0, len(bomb), 1 << 16):
            inflater.feed(bomb[i:i + (1 << 16)])
    assert e.value.status == 413
    # zstd output is taken 128 KB at a time; a gzip piece expands at most ~1032 times
    step = 1 << 17 if encoding == "zstd" else 1032 * (1 << 16)
    assert inflater.size <= (1 << 20) + step
