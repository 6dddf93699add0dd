"""The `sb` fixture: a started Sandbox on the test's own data dir, stopped afterwards."""

import pytest

from app.sandbox import Sandbox


@pytest.fixture
def sb(tmp_path):
    sandbox = Sandbox(tmp_path / "sandbox").start()
    yield sandbox
    sandbox.stop()

