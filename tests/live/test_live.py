"""The live check (issue #12 §12): list datasets, a temporary dataset, each format ingested
through the app's own client and job, the counts read back where the token may query, the dataset
deleted. The `target` fixture (conftest.py) runs it against a strict sandbox in `make test` and
against real Axiom in `make test-live` (README, "Live check")."""

from __future__ import annotations

import asyncio
import gzip
import json

import pytest
import zstandard

from app.core import axiom
from app.core.job import Source, UploadJob
from app.core.plan import plan_for
from app.core.sniff import sniff_path
from live_support import QueryRefused, Target, delete_dataset, wait_for_count

EVENTS = 25
FORMATS = {  # name: (file name, request compression)
    "ndjson": ("events.ndjson", "zstd"), "json-array": ("events.json", "zstd"), "csv": ("events.csv", "zstd"),
    "gzip": ("events.ndjson.gz", "gzip"), "zstd": ("events.csv.zst", "zstd"),
}


def _rows(run: str, fmt: str) -> list[dict]:
    # every value a string, as CSV sends them: one type per field whatever the format
    return [{"run": run, "fmt": fmt, "n": str(i), "msg": f"event {i}, from the live check"} for i in range(1, EVENTS + 1)]


def _csv(rows: list[dict]) -> bytes:
    lines = ["run,fmt,n,msg"] + [f'{r["run"]},{r["fmt"]},{r["n"]},"{r["msg"]}"' for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _input(fmt: str, run: str) -> bytes:
    rows = _rows(run, fmt)
    ndjson = "".join(json.dumps(r) + "\n" for r in rows).encode()
    return {"ndjson": ndjson, "json-array": json.dumps(rows, indent=2).encode(), "csv": _csv(rows),
            "gzip": gzip.compress(ndjson), "zstd": zstandard.ZstdCompressor().compress(_csv(rows))}[fmt]


async def _send(target: Target, path, compression: str):
    plan = plan_for(sniff_path(path))
    async with target.client() as client:
        job = UploadJob(Source.from_path(path), plan, client, target.dataset, compression=compression, journal=False)
        return await job.run()


def test_the_datasets_are_listed(target):
    async def listed():
        async with target.client() as client:
            return await client.list_datasets()

    try:
        names = [d.name for d in asyncio.run(listed())]
    except axiom.AuthError as e:
        pytest.skip(f"the token may not list datasets on {target.name}: {e}")
    assert target.dataset in names


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_ingested_and_counted(target, tmp_path, fmt):
    name, compression = FORMATS[fmt]
    path = tmp_path / name
    path.write_bytes(_input(fmt, target.run))
    result = asyncio.run(_send(target, path, compression))
    assert (result.ingested, result.failed, result.not_sent) == (EVENTS, 0, 0), (result.error, result.failures)
    try:
        counts = wait_for_count(target, fmt, EVENTS)
    except QueryRefused as e:
        pytest.skip(f"{e}: the {EVENTS} {fmt} events were ingested, but their count cannot be read back")
    assert counts == {fmt: EVENTS}


def test_the_temporary_dataset_is_deleted(target):
    if not target.created:
        pytest.skip(f"AXIOM_TEST_DATASET={target.dataset} was given: it is not the check's to delete")
    assert delete_dataset(target, target.dataset) == 204
    target.created = False

    async def gone():
        async with target.client() as client:
            await client.get_dataset(target.dataset)

    with pytest.raises(axiom.NotFound):
        asyncio.run(gone())
