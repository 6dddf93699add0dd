"""Servers and calls shared by the client's tests: a recording aiohttp server for what the sandbox
does not emulate (request headers, redirects, edge routing, odd bodies), and one-call helpers."""

from __future__ import annotations

import asyncio
import socket
import threading

import orjson
from aiohttp import web

from app.core.axiom import AxiomClient, AxiomError, Endpoint

NDJSON = "application/x-ndjson"
INGEST_OK = {"ingested": 2, "failed": 0, "processedBytes": 30, "blocksCreated": 0, "walLength": 0}


def run(coro):
    return asyncio.run(coro)


async def _call(endpoint, token, method, *args, org_id=None, timeout=10.0, **kw):
    """Open a client, make one call, close it; return (result or error, client)."""
    client = AxiomClient(endpoint, token, org_id, timeout=timeout)
    try:
        return await getattr(client, method)(*args, **kw), client
    except AxiomError as err:
        return err, client
    finally:
        await client.aclose()


def call(endpoint, token, method, *args, **kw):
    return run(_call(endpoint, token, method, *args, **kw))[0]


class Recorder:
    """aiohttp on 127.0.0.1 in its own thread; `handler(request, body)` answers, every request
    is recorded (method, path, query, headers, body, the client's address)."""

    def __init__(self, handler, host="127.0.0.1", ssl_context=None):
        self.handler = handler
        self.host = host
        self.ssl_context = ssl_context
        self.requests: list[dict] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())

    async def _serve(self):
        async def handle(request: web.Request):
            body = await request.read()
            self.requests.append(
                {"method": request.method, "path": request.path, "query": dict(request.query),
                 "headers": dict(request.headers), "body": body,
                 "peer": request.transport.get_extra_info("peername")}
            )
            return await self.handler(request, body)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, ssl_context=self.ssl_context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    @property
    def url(self):
        return f"{'https' if self.ssl_context else 'http'}://{self.host}:{self.port}"

    def start(self):
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


def ok_json(obj, status=200, headers=None):
    return web.Response(status=status, body=orjson.dumps(obj), content_type="application/json", headers=headers)


def sb_endpoint(sb):
    return Endpoint(sb.url, sb.url)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
