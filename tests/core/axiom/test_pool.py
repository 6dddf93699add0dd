"""The client's connection pool (core/axiom/pool.py) over real loopback sockets: every request the
queue's uploads keep in flight is on the wire at once, and an idle connection the server closed is
never used again (plain_asyncio's check, or anyio's where it does not take)."""

from __future__ import annotations

import asyncio
import threading

from axiom_servers import INGEST_OK, NDJSON, ok_json, run

from app.core import queue, tuning
from app.core.axiom import AxiomClient, Endpoint, pool


def test_the_pool_holds_every_request_the_queue_keeps_in_flight():
    assert pool.UPLOADS_AT_ONCE == queue.MAX_CONCURRENT
    assert pool.CONNECTIONS > queue.MAX_CONCURRENT * tuning.MAX_IN_FLIGHT  # and the API calls beside them


def test_three_uploads_at_their_most_in_flight_are_all_on_the_wire(recorder):
    """Held by the server, 48 requests are answered together, not 8 at a time (the old pool):
    a request waiting for a connection was timed by the in-flight probe as the server's."""
    wanted = queue.MAX_CONCURRENT * tuning.MAX_IN_FLIGHT
    open_now, most = [0], [0]

    async def held(request, body):
        open_now[0] += 1
        most[0] = max(most[0], open_now[0])
        try:
            for _ in range(200):  # until every request is in, or 4 s
                if open_now[0] >= wanted:
                    break
                await asyncio.sleep(0.02)
            return ok_json(INGEST_OK)
        finally:
            open_now[0] -= 1

    srv = recorder(held)

    async def main():
        async with AxiomClient(Endpoint(srv.url, srv.url), "xaat-pool", allow_http=True) as client:
            return await asyncio.gather(*(client.ingest("d", b"{}\n", content_type=NDJSON) for _ in range(wanted)))

    results = run(main())
    assert [r.ingested for r in results] == [INGEST_OK["ingested"]] * wanted
    assert most[0] == wanted


class ClosingServer:
    """Answers each request on a keep-alive connection (no `Connection: close`), then closes
    that connection a moment later: what a server or proxy ending idle connections does."""

    def __init__(self):
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(5)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        await reader.readexactly(length)
        body = b'{"ingested":1,"failed":0,"failures":[],"processedBytes":3,"blocksCreated":0,"walLength":0}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()

    def stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)


def test_an_idle_connection_the_server_closed_is_not_reused():
    srv = ClosingServer()
    url = f"http://127.0.0.1:{srv.port}"

    async def main():
        async with AxiomClient(Endpoint(url, url), "xaat-pool", allow_http=True) as client:
            first = await client.ingest("d", b"{}\n", content_type=NDJSON)
            await asyncio.sleep(0.3)  # the server has closed that connection by now
            second = await client.ingest("d", b"{}\n", content_type=NDJSON)
            return first, second

    try:
        first, second = run(main())
    finally:
        srv.stop()
    assert (first.ingested, second.ingested) == (1, 1)
    assert srv.connections == 2
