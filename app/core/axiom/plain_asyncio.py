"""httpcore on asyncio alone, without anyio (issue #15: anyio's import was ~87 million of the
~820 million instructions of a tiny `axiom-drop send`, callgrind; ~10 % of its start-up).

httpcore reaches anyio in two places: its network backend (connect, read, write, TLS) and its
locks, events and shielded scopes (`httpcore._synchronization`, which calls anyio's). This module
replaces both with asyncio's, keeping what the client relies on as anyio gives it:
- connecting: the name resolved, then Happy Eyeballs over its addresses (IPv6 first, a next
  attempt every 250 ms); when every attempt fails, OSError("All connection attempts failed")
  from the cause (core/axiom/network.py words it); the errors and timeouts as httpcore's types;
- TLS through `loop.start_tls` (also inside a CONNECT proxy's tunnel), no close_notify awaited;
- a write returns once the kernel has the bytes (the transport buffers nothing), so the body-sent
  trace means what it says;
- "is_readable" (asked before an idle connection is reused): what arrived and was not read yet,
  the peer's end of stream or a lost connection, or the socket itself readable.
anyio's shielded scopes only hold off anyio's own cancel scopes, which this client never uses
(asyncio.timeout cancels natively, which anyio does not shield either): a plain scope does the same.
`install()` swaps the primitives in once, only when httpcore has the shape this was written for
(else anyio stays, slower, with the same behaviour); `use_on(client)` gives a client's pools the
backend (tests/core/axiom/test_plain_asyncio.py: real sockets, TLS, a proxy, timeouts)."""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import ssl
from collections import deque
from ipaddress import ip_address
from typing import Any, Iterable

import httpcore
import httpx

HAPPY_EYEBALLS_DELAY = 0.25  # anyio's
_HIGH_WATER = 256 * 1024  # unread bytes at which reading pauses until they are read


class _Primitives:
    """What httpcore._synchronization asks of anyio, on asyncio."""

    Lock = asyncio.Lock
    Event = asyncio.Event

    @staticmethod
    def Semaphore(initial_value: int, max_value: int) -> asyncio.BoundedSemaphore:  # noqa: N802
        return asyncio.BoundedSemaphore(initial_value)

    @staticmethod
    def fail_after(seconds: float | None) -> _Deadline:
        return _Deadline(seconds)

    class CancelScope(contextlib.nullcontext):
        def __init__(self, shield: bool = False) -> None:
            super().__init__()


class _Deadline:
    """anyio.fail_after as httpcore uses it, in a plain `with` (waiting for a free connection):
    TimeoutError when the block runs past `seconds`; asyncio.timeout's rules, without `async with`."""

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._handle: asyncio.TimerHandle | None = None
        self._fired = False

    def __enter__(self) -> _Deadline:
        if self._seconds is not None:
            self._task = asyncio.current_task()
            assert self._task is not None
            self._cancelling = self._task.cancelling()
            self._handle = asyncio.get_running_loop().call_later(self._seconds, self._fire)
        return self

    def _fire(self) -> None:
        self._fired = True
        self._task.cancel()

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._handle is not None:
            self._handle.cancel()
        if self._fired and self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc  # our cancel, not someone else's
        return False


def install() -> bool:
    """Give httpcore asyncio's primitives instead of anyio's; whether it took (once is enough)."""
    from httpcore import _synchronization as sync

    needed = ("AsyncLock", "AsyncEvent", "AsyncSemaphore", "AsyncShieldCancellation", "current_async_library")
    if not hasattr(sync, "anyio") or not all(hasattr(sync, n) for n in needed):
        return False
    sync.anyio = _Primitives
    return True


def use_on(client: httpx.AsyncClient) -> bool:
    """Give each connection pool of `client` (its transport and its proxies') this backend; whether
    every one took it. Call before the first request."""
    if not install():
        return False
    pools = [getattr(t, "_pool", None) for t in [client._transport, *client._mounts.values()] if t is not None]
    if not all(hasattr(p, "_network_backend") for p in pools):
        return False
    for pool in pools:
        pool._network_backend = AsyncioBackend()
    return True


class _Protocol(asyncio.Protocol):
    """Keeps what arrives until it is read, and the end of the stream or the loss of the connection."""

    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.eof = False
        self.lost = False
        self.error: BaseException | None = None
        self.tls = False
        self.transport: asyncio.Transport | None = None
        self.paused = False
        self.arrived = asyncio.Event()
        self.writable = asyncio.Event()
        self.writable.set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.set_write_buffer_limits(0)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(bytes(data))
        self.buffered += len(data)
        self.arrived.set()
        if self.buffered >= _HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self.eof = True
        self.arrived.set()
        return not self.tls  # a plain socket stays open for writing; TLS cannot half-close

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost, self.error = True, exc
        self.arrived.set()
        self.writable.set()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    def take(self, max_bytes: int) -> bytes:
        chunk = self.chunks.popleft()
        if len(chunk) > max_bytes:
            chunk, rest = chunk[:max_bytes], chunk[max_bytes:]
            self.chunks.appendleft(rest)
        self.buffered -= len(chunk)
        if not self.chunks and not (self.eof or self.lost):
            self.arrived.clear()
        if self.paused and self.buffered < _HIGH_WATER // 2 and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return chunk


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self._closed = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._protocol
        try:
            async with asyncio.timeout(timeout):
                if not p.arrived.is_set() and not self._closed:
                    await p.arrived.wait()
                else:
                    await asyncio.sleep(0)
        except TimeoutError as e:
            raise httpcore.ReadTimeout(e) from e
        if p.chunks:
            return p.take(max_bytes)
        if self._closed or p.error is not None:
            raise httpcore.ReadError("") from p.error
        return b""  # the end of the stream

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        p = self._protocol
        try:
            async with asyncio.timeout(timeout):
                await p.writable.wait()
                self._check_writable()
                try:
                    self._transport.write(buffer)
                except RuntimeError as e:
                    raise httpcore.WriteError("") from e
                await p.writable.wait()  # until the kernel has it all
                self._check_writable()
        except TimeoutError as e:
            raise httpcore.WriteTimeout(e) from e

    def _check_writable(self) -> None:
        if self._closed or self._protocol.lost:  # nothing more can reach the server
            raise httpcore.WriteError("") from self._protocol.error

    async def aclose(self) -> None:
        self._closed = True
        self._transport.abort()
        await asyncio.sleep(0)

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        self._protocol.tls = True
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(self._transport, self._protocol, ssl_context,
                                                 server_hostname=server_hostname)
        except Exception as e:
            await self.aclose()
            if isinstance(e, TimeoutError):
                raise httpcore.ConnectTimeout(e) from e
            if isinstance(e, OSError):  # ssl.SSLError among them
                raise httpcore.ConnectError(e) from e
            raise
        transport.set_write_buffer_limits(0)  # type: ignore[attr-defined]
        self._protocol.transport = transport  # type: ignore[assignment]
        return AsyncioStream(transport, self._protocol)  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return _two(self._transport.get_extra_info("sockname"))
        if info == "server_addr":
            return _two(self._transport.get_extra_info("peername"))
        if info == "socket":
            return self._transport.get_extra_info("socket")
        if info == "is_readable":
            p = self._protocol
            return bool(p.chunks) or p.eof or p.lost or _socket_readable(self._transport.get_extra_info("socket"))
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await _happy_eyeballs(host, port, local_address)
        except TimeoutError as e:
            raise httpcore.ConnectTimeout(e) from e
        except OSError as e:
            raise httpcore.ConnectError(e) from e
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await asyncio.get_running_loop().create_unix_connection(_Protocol, path)
        except TimeoutError as e:
            raise httpcore.ConnectTimeout(e) from e
        except OSError as e:
            raise httpcore.ConnectError(e) from e
        return AsyncioStream(transport, protocol)  # type: ignore[arg-type]

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _happy_eyeballs(host: str, port: int, local_address: str | None) -> tuple[asyncio.Transport, _Protocol]:
    """anyio's connect_tcp: every address of the name, IPv6 first then IPv4, a next attempt each
    HAPPY_EYEBALLS_DELAY; the first connection wins."""
    loop = asyncio.get_running_loop()
    local = None
    if local_address:
        local = (await loop.getaddrinfo(local_address, None))[0][4][:2]
    try:
        ip = ip_address(host)
        addresses = [ip.compressed]
    except ValueError:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)  # gaierror when the name is unknown
        addresses = _ordered(found)
    errors: list[OSError] = []
    won: list[tuple[asyncio.Transport, _Protocol]] = []
    someone_won = asyncio.Event()

    async def attempt(address: str) -> None:
        try:
            connection = await loop.create_connection(_Protocol, address, port, local_addr=local)
        except OSError as e:
            errors.append(e)
            return
        if won:
            connection[0].abort()
        else:
            won.append(connection)  # type: ignore[arg-type]
            someone_won.set()

    waiter = asyncio.ensure_future(someone_won.wait())
    tasks: list[asyncio.Task] = []
    try:
        for address in addresses:  # each attempt has its head start; any success ends the race
            tasks.append(asyncio.ensure_future(attempt(address)))
            await asyncio.wait([tasks[-1], waiter], timeout=HAPPY_EYEBALLS_DELAY, return_when=asyncio.FIRST_COMPLETED)
            if won:
                break
        while not won and (pending := [t for t in tasks if not t.done()]):
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        for connection in won:
            connection[0].abort()
        raise
    finally:
        for task in [*tasks, waiter]:
            task.cancel()
    if not won:
        cause = errors[0] if len(errors) == 1 else ExceptionGroup("multiple connection attempts failed", errors)
        raise OSError("All connection attempts failed") from cause
    return won[0]


def _ordered(found: list) -> list[str]:
    """The first IPv6 address, then the first IPv4 one, then the rest (as anyio orders them)."""
    v6 = v4 = False
    out: list[str] = []
    for family, *_, address in found:
        if family == socket.AF_INET6 and not v6:
            v6 = True
            out.insert(0, address[0])
        elif family == socket.AF_INET and v6 and not v4:
            v4 = True
            out.insert(1, address[0])
        else:
            out.append(address[0])
    return out


def _two(address: Any) -> Any:
    return tuple(address[:2]) if isinstance(address, tuple) else address


def _socket_readable(sock: Any) -> bool:
    """Whether a read would return at once (httpcore's test): the peer closed, or sent something."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])
