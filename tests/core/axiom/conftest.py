"""Fixtures of the client's tests: `recorder` makes recording servers, `sandbox` a local Axiom."""

from __future__ import annotations

import pytest
from axiom_servers import INGEST_OK, Recorder, ok_json

from app.sandbox import Sandbox


@pytest.fixture
def recorder():
    servers = []

    def make(handler=None, host="127.0.0.1", ssl_context=None):
        async def default(request, body):
            return ok_json(INGEST_OK)

        server = Recorder(handler or default, host, ssl_context).start()
        servers.append(server)
        return server

    yield make
    for s in servers:
        s.stop()


@pytest.fixture
def sandbox(tmp_path):
    sb = Sandbox(tmp_path, auto_create=True).start()
    yield sb
    sb.stop()
