"""The one app-level object the window's parts share: profile, client, dataset, tasks, signals.

Views subscribe to its signals and call its methods; they never build clients or touch the
keyring themselves. All network and keyring work happens in asyncio tasks (qasync, on Qt's
loop) or in a thread pool, so the GUI thread never blocks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from typing import Any, Awaitable, Callable, Coroutine
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from app.core import config, connect, secrets
from app.core.axiom import is_loopback_url

log = logging.getLogger(__name__)

PLAYGROUND_DATASET = "playground"  # made by the app's local sandbox at start, chosen for a newcomer
KEYRING_TIMEOUT = 10.0  # seconds; an unlock prompt the user ignores must not hang the app


class TaskManager:
    """Keeps asyncio tasks alive (a bare create_task may be garbage-collected), names them,
    logs their exceptions, and cancels them all on shutdown.

    Upload tasks are named "upload:<name>" so the window can ask before quitting."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Coroutine, name: str) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("task %s failed", task.get_name(), exc_info=(type(exc), exc, exc.__traceback__))

    def running(self) -> list[str]:
        return sorted(t.get_name() for t in self._tasks if not t.done())

    def uploads(self) -> list[str]:
        return [n for n in self.running() if n.startswith("upload:")]

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel everything and wait (bounded) until the tasks have finished their cleanup."""
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)


def needs_http_confirmation(url: str) -> bool:
    """Plain http to a host other than this machine sends the token in clear: ask first."""
    return urlsplit(url).scheme == "http" and not is_loopback_url(url)


class AppContext(QObject):
    """Profile, connection, dataset and the task manager, with the signals views listen to."""

    profileChanged = Signal()
    datasetChanged = Signal(str)
    connectionChanged = Signal()
    rateLimitChanged = Signal(object)  # axiom.RateLimit or axiom.IngestLimit
    datasetsChanged = Signal()  # the listed datasets (self.datasets) changed
    statusMessage = Signal(str, int)  # text, ms
    aboutToShutdown = Signal(bool)  # True: cancel uploads; False: keep them for resuming
    historyChanged = Signal()  # a job was written to the journal (finished, resumed, discarded)

    def __init__(self, settings: config.Settings | None = None, *, sandbox: Any = None, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else config.load_settings()
        self.tasks = TaskManager()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="axiom-drop")
        self._sandbox = sandbox  # given by tests; else started on first use of the Local sandbox
        self._own_sandbox = sandbox is None
        self._client = None
        self._connect_task: asyncio.Task | None = None
        self.datasets: list = []  # axiom.Dataset from the last listing
        self.can_list: bool | None = None  # False when the token may not list datasets (403)
        self.connection_state = "disconnected"  # disconnected|connecting|connected|limited|error
        self.connection_message = "Not connected"
        self.token_storage = "none"  # where the token lives: a keyring name, "session", "sandbox", "none"
        self._dataset = self.profile().dataset

    # --- small accessors -------------------------------------------------------------------
    def profile(self) -> config.Profile:
        try:
            return self.settings.profile()
        except KeyError:
            self.settings.current_profile = self.settings.profiles[0].name
            return self.settings.profile()

    def client(self):
        """The AxiomClient for the current profile, None when not connected."""
        return self._client

    def dataset(self) -> str:
        return self._dataset

    def set_dataset(self, name: str) -> None:
        """Choose a dataset; remembered per profile (recent names too)."""
        name = name.strip()
        if name == self._dataset:
            return
        self._dataset = name
        if name:
            self.profile().remember_dataset(name)
        else:
            self.profile().dataset = ""
        self.save_settings()
        self.datasetChanged.emit(name)

    def dataset_used(self, name: str) -> None:
        """After a successful send: a dataset the listing did not have (made elsewhere, or after
        the "does not exist" prompt) is listed again so the picker shows it."""
        if self.can_list and self._client is not None and name not in {d.name for d in self.datasets}:
            self.tasks.spawn(self.refresh_datasets(), "list datasets")

    def job_where(self) -> dict[str, str | None]:
        """UploadJob's `profile=` and `endpoint=` for a job of the current profile. The local
        sandbox's port changes between runs, so its jobs are journaled under one fixed label (the
        CLI's too): a job started today resumes tomorrow. Elsewhere the client's ingest URL."""
        from app.core.connect import SANDBOX_ENDPOINT

        p = self.profile()
        return {"profile": p.name, "endpoint": SANDBOX_ENDPOINT if p.kind == "sandbox" else None}

    def save_settings(self) -> None:
        try:
            config.save_settings(self.settings)
        except OSError as e:
            self.status(f"Could not save settings: {e}")

    def endpoint_label(self) -> str:
        p = self.profile()
        if p.kind == "sandbox":
            return f"Local sandbox ({self._sandbox.url})" if self._sandbox else "Local sandbox"
        if p.kind == "us":
            return "Axiom US (api.axiom.co)"
        if p.kind == "eu":
            return "Axiom EU (api.axiom.co, eu-central-1 edge)"
        return p.url or p.name

    def status(self, text: str, ms: int = 5000) -> None:
        self.statusMessage.emit(text, ms)

    def run_blocking(self, fn: Callable, *args, timeout: float | None = None) -> Awaitable:
        """Run `fn(*args)` in a worker thread; await the result (asyncio.TimeoutError past timeout)."""
        loop = asyncio.get_event_loop()
        fut = loop.run_in_executor(self._pool, fn, *args)
        return asyncio.wait_for(fut, timeout) if timeout else fut

    # --- limits ----------------------------------------------------------------------------
    def note_limits(self, client=None) -> None:
        """After a request: pass the client's last rate-limit / ingest-limit headers to the status bar."""
        client = client or self._client
        if client is None:
            return
        for value in (client.last_rate_limit, client.last_ingest_limit):
            if value is not None:
                self.rateLimitChanged.emit(value)

    # --- profiles and connection ----------------------------------------------------------
    def set_profile(self, name: str) -> None:
        """Switch profile and reconnect (the old client is closed in the background)."""
        self.settings.current_profile = name
        self.save_settings()
        self._dataset = self.profile().dataset
        self.profileChanged.emit()
        self.datasetChanged.emit(self._dataset)
        self.reconnect()

    def add_custom_profile(self, name: str, url: str, allow_http: bool = False, edge_url: str = "") -> config.Profile:
        profile = config.Profile(name=name, kind="custom", url=url.rstrip("/"), allow_http=allow_http,
                                 edge_url=edge_url.rstrip("/"))
        self.settings.upsert(profile)
        self.save_settings()
        return profile

    def reconnect(self) -> asyncio.Task:
        if self._connect_task is not None and not self._connect_task.done():
            self._connect_task.cancel()
        self._connect_task = self.tasks.spawn(self.connect(), "connect")
        return self._connect_task

    def _set_state(self, state: str, message: str) -> None:
        self.connection_state, self.connection_message = state, message
        self.connectionChanged.emit()

    async def _drop_client(self) -> None:
        old, self._client = self._client, None
        if old is not None:
            try:
                await old.aclose()
            except Exception:  # closing a dead connection must not stop a reconnect
                log.debug("closing the old client failed", exc_info=True)

    async def _ensure_sandbox(self):
        if self._sandbox is None:
            from app.sandbox import Sandbox

            def start():
                # Ingest does not create datasets (as on Axiom): one exists from the start, so
                # "Try sample data" → Send just works for a newcomer.
                return Sandbox(config.sandbox_dir(), datasets=(PLAYGROUND_DATASET,)).start()

            self._sandbox = await self.run_blocking(start, timeout=30)
        return self._sandbox

    async def read_token(self) -> tuple[str | None, str]:
        """(token, where it is kept) for the current profile, looked up off the GUI thread."""
        try:
            return await self.run_blocking(connect.read_token, self.profile().name, timeout=KEYRING_TIMEOUT)
        except secrets.NoSecureKeyring:
            return None, "none"
        except asyncio.TimeoutError:
            self.status("The keyring did not answer within 10 s (is it locked?)", 10000)
            return None, "none"

    async def connect(self) -> None:
        """Build the client for the current profile and check it by listing datasets."""
        await self._drop_client()
        p = self.profile()
        self.datasets, self.can_list = [], None
        self._set_state("connecting", f"Connecting to {p.name}…")
        sandbox_url = None
        try:
            if p.kind == "sandbox":
                sb = await self._ensure_sandbox()
                token, self.token_storage, sandbox_url = sb.token, "sandbox", sb.url
            else:
                token, self.token_storage = await self.read_token()
            if not token:
                self.datasetsChanged.emit()
                self._set_state("disconnected", "No token — use “Token…” to add one")
                return
            self._client = connect.client_for(p, token, sandbox_url=sandbox_url)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # InsecureURL, sandbox failing to start, a bad URL …
            self._set_state("error", f"Cannot connect: {getattr(e, 'message', None) or e}")
            return
        for delay in (*connect.CONNECT_RETRY_DELAYS, None):  # "connecting…" while no connection at all
            access = await self.refresh_datasets(retrying_in=delay)
            if access is None or not access.retry or delay is None:
                return
            await asyncio.sleep(delay)

    async def refresh_datasets(self, *, retrying_in: float | None = None):
        """List datasets; what a failure means (a 403 may be an ingest-only token, or a refused
        one; no connection at all) is connect.list_datasets's to say. `retrying_in`: connect()
        tries again after that many seconds when there was no connection, so the state says
        "connecting…" meanwhile. Returns the connect.DatasetAccess (None when not connected)."""
        client = self._client
        if client is None:
            return None
        access = await connect.list_datasets(client)
        self.note_limits(client)
        if access.state != "connected":
            if access.can_list is False:
                self.datasets, self.can_list = [], False
                self.datasetsChanged.emit()
            if access.retry and retrying_in is not None:
                self._set_state("connecting", connect.retrying_text(self.profile().name, access.message, retrying_in))
            elif access.retry:
                self._set_state("error", connect.gave_up_text(access.message))
            else:
                self._set_state(access.state, access.message)
            return access
        self.datasets = access.datasets
        self.can_list = True
        p = self.profile()
        names = {d.name for d in self.datasets}
        if p.kind == "sandbox" and PLAYGROUND_DATASET in names and not self._dataset and not p.recent_datasets:
            # A newcomer on the local sandbox: its ready dataset, so "Try sample data" → Send just works.
            # Not added to the recent names: it becomes one only when something is sent to it.
            self._dataset = p.dataset = PLAYGROUND_DATASET
            self.save_settings()
            self.datasetChanged.emit(self._dataset)
        self.datasetsChanged.emit()
        self._set_state("connected", access.message)
        return access

    async def create_dataset(self, name: str, description: str = ""):
        """Create a dataset (raises axiom errors for the caller to show), then re-list."""
        client = self._client
        if client is None:
            raise RuntimeError("Not connected")
        try:
            ds = await client.create_dataset(name, description)
        finally:
            self.note_limits(client)
        await self.refresh_datasets()
        self.set_dataset(ds.name)
        return ds

    # --- tokens --------------------------------------------------------------------------
    async def store_token(self, token: str, *, org_id: str = "", session_only: bool = False) -> str:
        """Keep the token (keyring, or memory when asked) and reconnect. Returns where it went.

        Raises secrets.NoSecureKeyring when there is no secure keyring and session_only is False."""
        p = self.profile()
        p.org_id = org_id.strip() if token.startswith("xapt-") else ""
        self.save_settings()
        if session_only:
            secrets.SESSION_TOKENS.set(p.name, token)
            where = "session"
        else:
            await self.run_blocking(secrets.set_token, p.name, token, timeout=KEYRING_TIMEOUT)
            secrets.SESSION_TOKENS.delete(p.name)
            where, _ = await self.run_blocking(secrets.backend_description, timeout=KEYRING_TIMEOUT)
        await self.reconnect()
        return where

    async def sign_out(self) -> None:
        """Forget the current profile's token: keyring and memory."""
        p = self.profile()
        secrets.SESSION_TOKENS.delete(p.name)
        try:
            await self.run_blocking(secrets.delete_token, p.name, timeout=KEYRING_TIMEOUT)
        except (secrets.NoSecureKeyring, asyncio.TimeoutError):
            pass
        await self._drop_client()
        self.token_storage = "none"
        self.datasets, self.can_list = [], None
        self.datasetsChanged.emit()
        self._set_state("disconnected", "Signed out — no token")

    def token_storage_label(self) -> str:
        where = self.token_storage
        if where == "sandbox":
            return "Token held in memory by the local sandbox"
        if where == "session":
            return "Token kept for this session only"
        if where == "none":
            return "No token"
        return f"Token in {where}"

    # --- shutdown --------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Stop tasks, close the client, stop the sandbox we started. Safe to call twice."""
        await self.tasks.shutdown()
        await self._drop_client()
        if self._own_sandbox and self._sandbox is not None:
            sb, self._sandbox = self._sandbox, None
            await self.run_blocking(sb.stop, timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)
