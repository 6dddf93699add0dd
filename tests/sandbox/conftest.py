"""The `sb` fixture: a started Sandbox on the test's own data dir, stopped afterwards.

Its tests ingest into fresh names, so it makes a dataset on its first ingest (auto_create, a test
convenience); the sandbox's own default is Axiom's 404 (test_sandbox_auth_datasets)."""

import pytest

from app.sandbox import Sandbox


@pytest.fixture
def sb(tmp_path):
    sandbox = Sandbox(tmp_path / "sandbox", auto_create=True).start()
    yield sandbox
    sandbox.stop()

