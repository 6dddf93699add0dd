"""TLS verification cannot be turned off, and it is what a user relies on: the system's CAs are
trusted (so a company's TLS-inspecting proxy works as in the browser), or SSL_CERT_FILE's, or
certifi's when the system has none; a certificate they do not vouch for is refused, and so is a
certificate for another host.

The client talks to "https://api.axiom.co" through a CONNECT proxy on loopback (HTTPS_PROXY) that
tunnels every connection to a local TLS server presenting tests/data/tls's certificates."""

from __future__ import annotations

import asyncio
import inspect
import os
import ssl
import threading
from pathlib import Path

import certifi
import pytest
from axiom_servers import ok_json

from app.core import axiom
from app.core.axiom import AxiomClient, Endpoint, ErrorKind, TransportError, trust

TLS = Path(__file__).resolve().parents[2] / "data" / "tls"
TOKEN = "xaat-tls-" + "7e57" * 6
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


class ConnectProxy:
    """Answers every CONNECT by tunnelling it to `target_port` on 127.0.0.1; keeps what it saw."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.connects: list[str] = []
        self.seen = bytearray()  # every byte the client sent through the tunnel
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        self.connects.append(head.split(b"\r\n", 1)[0].decode())
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()

        async def pipe(src, dst, record):
            try:
                while data := await src.read(65536):
                    if record:
                        self.seen += data
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))

    def start(self):
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self):
        async def shutdown():  # end the tunnels still open, so none is left to the garbage collector
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


def server_context(name: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(TLS / f"{name}.pem", TLS / f"{name}-key.pem")
    return ctx


@pytest.fixture
def via_proxy(recorder, monkeypatch):
    """make(cert_name) → (TLS server, proxy): the client's https requests reach that server."""
    proxies = []

    def make(cert_name: str):
        async def listing(request, body):
            return ok_json([{"name": "over-tls"}])

        server = recorder(listing, ssl_context=server_context(cert_name))
        proxy = ConnectProxy(server.port).start()
        proxies.append(proxy)
        for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        return server, proxy

    yield make
    for p in proxies:
        p.stop()


def list_datasets():
    async def go():
        async with AxiomClient(Endpoint("https://api.axiom.co", "https://api.axiom.co"), TOKEN) as client:
            try:
                return await client.list_datasets()
            except axiom.AxiomError as err:
                return err

    return asyncio.run(go())


def test_tls_verification_cannot_be_turned_off():
    for fn in (axiom.AxiomClient.__init__, axiom.client_from_env):
        params = inspect.signature(fn).parameters
        assert not {"verify", "verify_ssl", "insecure", "ssl_context", "cert"} & set(params)


def no_system_store(monkeypatch):
    """A machine without a CA store of its own (a bare Linux): certifi's bundle is the fallback,
    here holding only the test CA."""
    monkeypatch.setattr(trust, "system_store", lambda: None)
    monkeypatch.setattr(certifi, "where", lambda: str(TLS / "ca.pem"))


def test_without_a_system_store_certifis_bundle_is_loaded_and_trusted(via_proxy, monkeypatch):
    server, proxy = via_proxy("api")
    no_system_store(monkeypatch)
    assert trust.which_trust().kind == "certifi"
    datasets = list_datasets()
    assert [d.name for d in datasets] == ["over-tls"]
    assert proxy.connects == ["CONNECT api.axiom.co:443 HTTP/1.1"]
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN.encode() not in proxy.seen  # encrypted on the way


def test_a_certificate_no_loaded_ca_vouches_for_is_refused(via_proxy, monkeypatch):
    server, _ = via_proxy("api")
    monkeypatch.setattr(trust, "system_store", lambda: None)  # certifi's real bundle does not hold the test CA
    err = list_datasets()
    assert isinstance(err, TransportError) and err.kind is ErrorKind.TRANSPORT
    assert "certificate verify failed" in str(err)
    assert server.requests == []


def test_a_certificate_for_another_host_is_refused(via_proxy, monkeypatch):
    server, _ = via_proxy("other")  # signed by the trusted CA, but for other.example.com
    no_system_store(monkeypatch)
    err = list_datasets()
    assert isinstance(err, TransportError)
    assert "certificate verify failed" in str(err) and "Hostname mismatch" in str(err)
    assert server.requests == []


def test_ssl_cert_file_replaces_the_default_bundle(via_proxy, monkeypatch):
    via_proxy("api")
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))
    assert trust.which_trust().kind == "environment"
    assert [d.name for d in list_datasets()] == ["over-tls"]


def test_the_system_store_is_used_before_certifi(monkeypatch):
    """On a machine with a CA store, the client trusts it (truststore), not certifi's bundle."""
    for var in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(var, raising=False)
    if trust.system_store() is None:
        pytest.skip("this machine has no system CA store")
    t = trust.which_trust()
    assert t.kind == "system" and "operating system" in t.describe()
    ctx, _ = trust.tls_context()
    assert type(ctx).__module__.startswith("truststore")


def test_a_ca_the_system_trusts_is_trusted_without_any_setting(via_proxy):
    """A TLS-inspecting proxy's CA, installed in the system store (as IT departments do), is
    trusted with no SSL_CERT_FILE: .ci/run installs the test CA (its key was thrown away) with
    update-ca-certificates and sets AXIOM_DROP_REQUIRE_SYSTEM_CA=1."""
    installed = SYSTEM_BUNDLE.is_file() and (TLS / "ca.pem").read_text().strip() in SYSTEM_BUNDLE.read_text()
    if not installed:
        if os.environ.get("AXIOM_DROP_REQUIRE_SYSTEM_CA") == "1":
            pytest.fail(f"the test CA is not in {SYSTEM_BUNDLE}: .ci/run should have installed it")
        pytest.skip("the test CA is not installed in the system store (CI installs it)")
    server, _ = via_proxy("api")
    assert [d.name for d in list_datasets()] == ["over-tls"]
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_no_proxy_sends_that_host_around_the_proxy(via_proxy, monkeypatch):
    """HTTPS_PROXY is honoured (every test above goes through it), and so is NO_PROXY: the
    client then connects itself (with no network it fails to reach the host; with one, the real
    api.axiom.co refuses the test token)."""
    server, proxy = via_proxy("api")
    monkeypatch.setenv("NO_PROXY", "api.axiom.co")
    err = list_datasets()
    assert isinstance(err, axiom.AxiomError)
    assert proxy.connects == [] and server.requests == []
