"""httpcore on asyncio alone (core/axiom/plain_asyncio.py), over real sockets: what anyio's backend
did that the client relies on and the other client tests do not reach. A server that closes an
idle keep-alive connection (as load balancers do after their idle timeout) must not fail the next
request, over plain HTTP and TLS; a TLS server that ends its answer by closing the connection
without a close_notify still gives the whole answer."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest
from test_axiom_tls import TLS, ConnectProxy

from app.core.axiom import AxiomClient, Endpoint
from app.core.axiom.plain_asyncio import _ordered

TOKEN = "xaat-plain-" + "a5" * 10
BODY = b'[{"name": "kept"}]'


class RawServer:
    """Answers each request with BODY (after `delay` s), then, per `ending`: "idle-close" keeps the
    connection open for the next request (keep-alive) and closes it after 50 ms without one; "close"
    ends the answer by closing (no Content-Length), over TLS without a close_notify. Counts the
    connections it accepted."""

    def __init__(self, ending: str, tls: bool, delay: float = 0.0):
        self.ending = ending
        self.delay = delay
        self.connections = 0
        self._ctx = None
        if tls:
            self._ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._ctx.load_cert_chain(TLS / "api.pem", TLS / "api-key.pem")
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        try:
            if self._ctx is not None:
                conn = self._ctx.wrap_socket(conn, server_side=True)
            while True:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        return
                    head += data
                time.sleep(self.delay)
                if self.ending == "close":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                                 + BODY)
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY)
                conn.settimeout(0.05)  # the idle timeout: no next request within it, the server closes
        except (OSError, ssl.SSLError):
            pass
        finally:
            # a TLS socket closed without unwrap(): no close_notify, the peer sees the TCP end alone
            conn.close()

    def stop(self):
        self._sock.close()


@pytest.fixture
def server(request, monkeypatch):
    srv = RawServer(*request.param)
    tls = request.param[1]
    proxy = None
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy", "HTTPS_PROXY", "SSL_CERT_DIR"):
        monkeypatch.delenv(var, raising=False)
    if tls:  # https://api.axiom.co, tunnelled to the server by a CONNECT proxy; the test CA trusted
        proxy = ConnectProxy(srv.port).start()
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))
        srv.url = "https://api.axiom.co"
    else:
        srv.url = f"http://127.0.0.1:{srv.port}"
    yield srv
    srv.stop()
    if proxy is not None:
        proxy.stop()


def names_twice(url: str, pause: float) -> list:
    async def go():
        async with AxiomClient(Endpoint(url, url), TOKEN, allow_http=True, timeout=5) as client:
            first = await client.list_datasets()
            await asyncio.sleep(pause)
            second = await client.list_datasets()
            return [[d.name for d in first], [d.name for d in second]]

    return asyncio.run(go())


@pytest.mark.parametrize("server", [("idle-close", False), ("idle-close", True)], indirect=True,
                         ids=["http", "https"])
def test_a_keep_alive_connection_the_server_closed_is_not_reused(server):
    assert names_twice(server.url, 0.3) == [["kept"], ["kept"]]
    assert server.connections == 2  # the second request opened a new one


@pytest.mark.parametrize("server", [("idle-close", False)], indirect=True, ids=["http"])
def test_a_keep_alive_connection_still_open_is_reused(server):
    assert names_twice(server.url, 0.0) == [["kept"], ["kept"]]
    assert server.connections == 1


@pytest.mark.parametrize("server", [("close", False), ("close", True)], indirect=True, ids=["http", "https"])
def test_an_answer_ended_by_closing_the_connection_is_read_whole(server):
    # over TLS the server ends with the TCP close alone (no close_notify), as many servers do
    assert names_twice(server.url, 0.0) == [["kept"], ["kept"]]
    assert server.connections == 2


def names_at_once(url: str, n: int, timeout: float) -> list:
    """n listings at once through a client with one connection: all but one wait for it."""
    async def go():
        async with AxiomClient(Endpoint(url, url), TOKEN, allow_http=True, timeout=timeout, max_connections=1) as client:
            got = await asyncio.gather(*(client.list_datasets() for _ in range(n)), return_exceptions=True)
            return [r if isinstance(r, Exception) else [d.name for d in r] for r in got]

    return asyncio.run(go())


@pytest.mark.parametrize("server", [("idle-close", False, 0.05)], indirect=True, ids=["http"])
def test_requests_wait_for_the_one_connection_in_turn(server):
    assert names_at_once(server.url, 3, timeout=5) == [["kept"]] * 3
    assert server.connections == 1


@pytest.mark.parametrize("server", [("idle-close", False, 0.5)], indirect=True, ids=["http"])
def test_a_request_that_gets_no_connection_in_time_says_so(server):
    first, second = names_at_once(server.url, 2, timeout=0.2)
    assert "no answer from" in str(first) and "read timeout" in str(first)
    assert "no free connection to" in str(second) and "in time" in str(second)


def test_addresses_are_tried_ipv6_first_then_ipv4_then_the_rest():
    v4, v6 = socket.AF_INET, socket.AF_INET6
    found = [(v4, 1, 6, "", ("192.0.2.1", 443)), (v4, 1, 6, "", ("192.0.2.2", 443)),
             (v6, 1, 6, "", ("2001:db8::1", 443, 0, 0)), (v6, 1, 6, "", ("2001:db8::2", 443, 0, 0))]
    assert _ordered(found) == ["2001:db8::1", "192.0.2.1", "192.0.2.2", "2001:db8::2"]
    assert _ordered(found[:2]) == ["192.0.2.1", "192.0.2.2"]  # no IPv6: as resolved
