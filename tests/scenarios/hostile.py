"""A truthful but hostile ingest server for scenario tests: it records exactly which events it
stored, then answers in ways real networks and gateways do (a 200 that is not JSON, a 504 after
storing, 429 with `Retry-After: 0`, headers one byte a second, an echo of the Authorization
header). Real sockets on loopback, raw asyncio streams so the answer's bytes are ours to shape.

Not the sandbox: the sandbox follows Axiom; this server breaks the rules on purpose."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from dataclasses import dataclass, field

import zstandard

INGEST_PATHS = ("/v1/ingest/", "/v1/datasets/")


@dataclass
class Hostile:
    """`behave(request_number, events) -> (stored, raw_answer_bytes | None, trickle_s)`:
    which of the events to store, the whole HTTP answer (None closes the connection without one),
    and the pause between the answer's bytes."""

    behave: object
    stored: list[dict] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    authorization: list[str] = field(default_factory=list)
    port: int = 0

    def __post_init__(self):
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Hostile":
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        """Ends handlers still trickling an answer before the loop stops (no "loop is closed")."""
        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in
                           (h.split(":", 1) for h in lines[1:] if ":" in h)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if method == "POST" and target.startswith(INGEST_PATHS):
                    self.authorization.append(headers.get("authorization", ""))
                    answer, trickle = self._ingest(body, headers)
                else:
                    answer, trickle = respond(404, {"message": "not found"}), 0.0
                if answer is None:
                    break
                for i in range(0, len(answer), 1 if trickle else len(answer)):
                    writer.write(answer[i:i + 1] if trickle else answer)
                    await writer.drain()
                    if trickle:
                        await asyncio.sleep(trickle)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def _ingest(self, body: bytes, headers: dict) -> tuple[bytes | None, float]:
        encoding = headers.get("content-encoding")
        if encoding == "zstd":
            body = zstandard.ZstdDecompressor().stream_reader(body).read()
        elif encoding == "gzip":
            body = gzip.decompress(body)
        events = [json.loads(line) for line in body.splitlines() if line.strip()]
        self.requests.append(time.monotonic())
        keep, answer, trickle = self.behave(len(self.requests), events, headers)
        self.stored.extend(keep)
        return answer, trickle


def respond(status: int, body, headers: dict | None = None) -> bytes:
    """A whole HTTP/1.1 answer; `body` a JSON-able value, or bytes sent as they are."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(data)}", "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def ok(events) -> bytes:
    return respond(200, {"ingested": len(events), "failed": 0, "failures": [], "processedBytes": 1})
