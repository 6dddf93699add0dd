"""Shared fixtures for the window's tests (both UI helpers use these; keep the names stable).

- `qapp`      pytest-qt's QApplication (offscreen).
- `aloop`     the one qasync loop of the session, marked running so coroutines, httpx and
              `asyncio.get_running_loop()` work while qtbot processes Qt events. It is never
              stopped between tests (stopping a running qasync loop quits the QApplication);
              leftover tasks are cancelled after each test instead.
- `sandbox`   a started app.sandbox.Sandbox on a per-test data dir, stopped afterwards.
- `ctx`       an AppContext whose "Local sandbox" profile talks to that sandbox.
- `window`    a MainWindow on that context, shown and connected.
- `run_until`   fixture giving run_until(qtbot, predicate, timeout_ms=5000): process Qt + asyncio
              until predicate() is true.
- `run_coro`    fixture giving run_coro(qtbot, coro, timeout_ms=10000): run a coroutine on the
              loop and return its result.
"""

from __future__ import annotations

import asyncio
import os
import tempfile

# Before anything imports Qt or qasync: offscreen Qt, PySide6 for qasync, a throwaway home.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_API"] = "pyside6"
os.environ.setdefault("AXIOM_DROP_HOME", tempfile.mkdtemp(prefix="axiom-drop-test-"))

import PySide6  # noqa: E402,F401  (PySide6 before qasync, see STYLE.md)
import pytest  # noqa: E402
import qasync  # noqa: E402

from app.core import secrets  # noqa: E402


def _run_until(qtbot, predicate, timeout_ms: int = 5000) -> None:
    """Let Qt and the asyncio loop run until `predicate()` is true (fails the test on timeout)."""
    qtbot.waitUntil(lambda: bool(predicate()), timeout=timeout_ms)


def _run_coro(qtbot, coro, timeout_ms: int = 10000):
    """Schedule `coro` on the session loop, process events until it finishes, return its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()


@pytest.fixture
def run_until():
    """The helper `run_until(qtbot, predicate, timeout_ms=5000)` (a fixture, so no import path matters)."""
    return _run_until


@pytest.fixture
def run_coro():
    """The helper `run_coro(qtbot, coro, timeout_ms=10000) -> result`."""
    return _run_coro


@pytest.fixture(scope="session")
def _session_loop(qapp):
    loop = qasync.QEventLoop(qapp, already_running=True)
    # Our own default executor, shut down at the end as loop.close() would (the session loop is
    # never closed): its QThreads (getaddrinfo of a host name runs there) must not outlive Qt,
    # or the process aborts at exit with "QThread: Destroyed while thread is still running".
    executor = qasync.QThreadExecutor(4)
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(None)  # marked running only inside a test (see aloop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    qapp.processEvents()
    asyncio.events._set_running_loop(None)
    executor.shutdown(wait=True)


@pytest.fixture
def aloop(_session_loop, qapp):
    """The session's qasync loop, running for the test; tasks a test leaves behind are cancelled
    when it ends. Between UI tests no loop is marked running, so tests outside tests/ui that call
    asyncio.run() work whatever order pytest runs them in."""
    asyncio.set_event_loop(_session_loop)
    asyncio.events._set_running_loop(_session_loop)
    yield _session_loop
    leftovers = [t for t in asyncio.all_tasks(_session_loop) if not t.done()]
    for task in leftovers:
        task.cancel()
    for _ in range(50):
        if all(t.done() for t in leftovers):
            break
        qapp.processEvents()
    asyncio.events._set_running_loop(None)


@pytest.fixture(autouse=True)
def _ui_isolation(_isolated_home):
    """Own config/data dirs (tests/conftest.py's _isolated_home) and an empty session token store."""
    home = _isolated_home
    secrets.SESSION_TOKENS._tokens.clear()
    yield home


@pytest.fixture
def sandbox(tmp_path):
    import app.sandbox as sandbox_mod
    # As the app's own sandbox: "playground" exists from the start. Tests send to fresh names, so
    # a first ingest makes one (auto_create, a test convenience; a test of the "does not exist"
    # prompt turns it off: the sandbox's default is Axiom's 404).
    from app.ui.context import PLAYGROUND_DATASET
    sb = sandbox_mod.Sandbox(tmp_path / "sandbox-data", datasets=(PLAYGROUND_DATASET,), auto_create=True).start()
    yield sb
    sb.stop()


@pytest.fixture
def ctx(aloop, qtbot, sandbox):
    """An AppContext whose Local sandbox profile uses the test's sandbox, connected."""
    from app.ui.context import AppContext

    context = AppContext(sandbox=sandbox)
    yield context
    _run_coro(qtbot, context.aclose(), 10000)


@pytest.fixture
def window(ctx, qtbot):
    from app.ui.shell.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    _run_until(qtbot, lambda: ctx.connection_state in ("connected", "limited", "error"), 10000)
    yield win
    win.close_now()


@pytest.fixture
def connected_widget(ctx, qtbot, run_until):
    """connected_widget(Widget, dataset, size): the widget (a DropPanel, a QueuePanel …) on a
    context connected to the sandbox with `dataset` chosen, shown at `size`."""
    def show(widget_class, dataset: str, size: tuple[int, int]):
        ctx.set_dataset(dataset)
        ctx.reconnect()
        run_until(qtbot, lambda: ctx.client() is not None, 10000)
        w = widget_class(ctx)
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        return w
    return show

