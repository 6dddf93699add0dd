"""The live check's target: the same scenarios against a strict sandbox (in `make test`, so they
cannot rot) and against real Axiom (marker `live`, `make test-live`; skipped, saying why, without
AXIOM_TOKEN). One temporary dataset per target, deleted at the end even when a scenario fails."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.core import axiom
from app.sandbox import Sandbox
from live_support import NOT_SET, Target, axiom_target, delete_dataset, sandbox_target


def _create(target: Target) -> None:
    if target.given_dataset:
        target.dataset = target.given_dataset
        return
    target.dataset, target.created = target.temp_name(), True  # created=True first: deleted even if the answer is lost

    async def create() -> None:
        async with target.client() as client:
            await client.create_dataset(target.dataset, "Axiom Drop live check: deleted at its end")
            deadline = time.monotonic() + target.query_wait
            while True:  # a new dataset may take a moment to be known everywhere
                try:
                    await client.get_dataset(target.dataset)
                    return
                except axiom.NotFound:
                    if time.monotonic() >= deadline:
                        raise
                    await asyncio.sleep(1)

    asyncio.run(create())


@pytest.fixture(scope="module", params=["sandbox", pytest.param("axiom", marks=pytest.mark.live)])
def target(request, tmp_path_factory):
    sandbox = None
    if request.param == "sandbox":
        sandbox = Sandbox(tmp_path_factory.mktemp("live-sandbox"), strict=True).start()
        made = sandbox_target(sandbox)
    else:
        made = axiom_target()
        if made is None:
            pytest.skip(NOT_SET)
    try:
        try:
            _create(made)
        except axiom.AxiomError as e:
            pytest.fail(f"could not create the temporary dataset on {made.name}: {e} "
                        "(a token that may not create datasets: set AXIOM_TEST_DATASET to one it may ingest into)")
        yield made
    finally:
        if made.created:
            status = delete_dataset(made, made.dataset)
            assert status in (204, 404), f"the temporary dataset {made.dataset!r} was not deleted ({status})"
        if sandbox is not None:
            sandbox.stop()
