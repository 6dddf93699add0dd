"""A CSV of thousands of columns, end to end through the sandbox over loopback: it is sent (one
request, not refused for its size), every row is counted, and what is stored has every field.
Axiom's Cloud plan keeps 1,024 fields per dataset (docs/axiom-api.md), so 3,000 columns fail row
by row with the server's reason, and 1,000 columns (a header of ~12 KB) are stored in full."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from app.core.job import JobState, Source, UploadJob
from app.core.plan import Plan
from app.core.sniff import sniff_path
from app.sandbox import Sandbox

from tests.core.job.test_upload import client_for, fast_backoff

ROWS = 20


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", datasets=("wide",)).start()
    yield sb
    sb.stop()


def write_wide(path, columns: int, header: bool = True):
    names = [f"column_{i:04d}" for i in range(columns)]
    rows = [",".join(f"r{r}c{i}" for i in range(columns)) for r in range(ROWS)]
    path.write_text("\n".join(([",".join(names)] if header else []) + rows) + "\n")
    return path, names


def send(sb, path, plan: Plan):
    async def go():
        client = client_for(sb)
        try:
            return await UploadJob(Source.from_path(path), plan, client, "wide", backoff=fast_backoff).run()
        finally:
            await client.aclose()
    return asyncio.run(go())


def headerless(plan: Plan, names: list[str]) -> Plan:
    """The user's override "no header row", with the field names given (X-Axiom-CSV-Fields)."""
    return dataclasses.replace(plan, csv=dataclasses.replace(plan.csv, has_header=False, fields=tuple(names)))


def test_1000_columns_are_stored_with_every_field(sandbox, tmp_path):
    path, names = write_wide(tmp_path / "wide.csv", 1_000)
    plan = Plan.from_sniff(sniff_path(path))
    assert plan.format == "csv" and plan.csv.has_header and len(plan.csv.fields) == 1_000
    result = send(sandbox, path, plan)
    assert (result.state, result.ingested, result.failed, result.not_sent) == (JobState.DONE, ROWS, 0, 0)
    assert [r["status"] for r in result.requests] == [200]
    stored = [{k: v for k, v in e.items() if not k.startswith("_")} for e in sandbox.events("wide")]
    assert len(stored) == ROWS and all(sorted(e) == names for e in stored)
    assert sorted(e["column_0999"] for e in stored) == sorted(f"r{r}c999" for r in range(ROWS))


def test_3000_columns_fail_row_by_row_with_the_field_limit(sandbox, tmp_path):
    path, names = write_wide(tmp_path / "wider.csv", 3_000)
    plan = Plan.from_sniff(sniff_path(path))
    assert len(plan.csv.fields) == 3_000
    result = send(sandbox, path, plan)
    assert [r["status"] for r in result.requests] == [200]  # sent once, the header row in the body
    assert (result.ingested, result.failed, result.not_sent) == (0, ROWS, 0)
    assert [f.line for f in result.failures] == list(range(2, ROWS + 2))  # each row named by its line
    assert all("3000 fields (limit 1024)" in f.error for f in result.failures)
    assert result.failures[0].record.startswith("r0c0,r0c1,")  # the row itself, cut short
    assert sandbox.events("wide") == []


def test_3000_columns_without_a_header_row_go_in_x_axiom_csv_fields(sandbox, tmp_path):
    """The fields of a headerless CSV travel in one HTTP header (~36 KB): read, not a 400."""
    path, names = write_wide(tmp_path / "bare.csv", 3_000, header=False)
    plan = headerless(Plan.from_sniff(sniff_path(path)), names)
    assert len(",".join(names)) > 32 * 1024
    result = send(sandbox, path, plan)
    assert [r["status"] for r in result.requests] == [200]
    assert (result.ingested, result.failed, result.not_sent) == (0, ROWS, 0)
    assert [f.line for f in result.failures] == list(range(1, ROWS + 1))
    assert all("3000 fields (limit 1024)" in f.error for f in result.failures)


def test_1000_columns_without_a_header_row_are_stored(sandbox, tmp_path):
    path, names = write_wide(tmp_path / "bare1000.csv", 1_000, header=False)
    plan = headerless(Plan.from_sniff(sniff_path(path)), names)
    result = send(sandbox, path, plan)
    assert (result.ingested, result.failed, result.not_sent) == (ROWS, 0, 0)
    stored = [{k: v for k, v in e.items() if not k.startswith("_")} for e in sandbox.events("wide")]
    assert all(sorted(e) == names for e in stored)
