"""The window as a screen reader meets it (issue #14): the app runs as a real process on Xvfb with
Qt's AT-SPI bridge on, in a private D-Bus session with its own accessibility bus, and
tests/ui/atspi/client.py (Debian's python3 with pyatspi) reads and drives it over AT-SPI alone:
every showing control is named, a paste and a file are sent by actions and editable text only,
and what the window then says is checked against what the local sandbox stored.

Needs Xvfb, dbus-daemon, at-spi2-core and python3-pyatspi (.ci/run installs them); skipped with
the reason when one is missing, failed instead with AXIOM_DROP_REQUIRE_ATSPI=1 (set in .ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from app.core.journal.schema import JobState
from app.sandbox.store import DatasetStore

CLIENT = Path(__file__).parent / "atspi" / "client.py"
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
APP_NAME = "Axiom Drop"
DATASET = "playground"  # the dataset the app's own sandbox makes and a fresh install picks
PASTED = [{"n": n, "via": "atspi paste"} for n in (1, 2, 3)]
# The files the window opens with: one card of each kind (NDJSON, CSV, text log) and a folder card.
FILES = {
    "four.ndjson": "".join(json.dumps({"n": n, "via": "atspi file"}) + "\n" for n in (1, 2, 3, 4)),
    "two.csv": "n,via,level\n1,atspi csv,info\n2,atspi csv,warn\n",
    "app.log": "".join(f"2026-07-01T12:00:0{i}Z {level} atspi log {i}\n" for i, level in enumerate(("INFO", "WARN", "ERROR"))),
    "folder/a.ndjson": json.dumps({"n": 1, "via": "atspi folder"}) + "\n",
    "folder/b.ndjson": json.dumps({"n": 2, "via": "atspi folder"}) + "\n",
}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


def missing_parts() -> str | None:
    """Why this machine cannot run the check, or None."""
    for tool in ("Xvfb", "dbus-daemon"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install xvfb dbus)"
    if not os.access(BUS_LAUNCHER, os.X_OK):
        return f"{BUS_LAUNCHER} is missing (apt-get install at-spi2-core)"
    if not os.access(SYSTEM_PYTHON, os.X_OK) or subprocess.run(
            [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, timeout=30).returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import pyatspi (apt-get install python3-pyatspi gir1.2-atspi-2.0)"
    return None


def _wait_for(what: str, ready, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)


class Desktop:
    """A private session bus, Xvfb, the AT-SPI bus and the app, each in its own process group;
    every process started carries `marker` in its environment, so none can be left behind."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.drop_home = root / "axiom-drop-home"
        self.marker = uuid.uuid4().hex
        self.procs: list[subprocess.Popen] = []
        self.display = ""
        self.sent_file = False  # the file test ran: the queue has its row
        for d in (self.home, self.drop_home, root / "run"):
            d.mkdir(mode=0o700)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home), "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": str(root / "run"), "DBUS_SESSION_BUS_ADDRESS": f"unix:path={root}/bus",
            "AXIOM_DROP_ATSPI_RUN": self.marker,
        }

    def spawn(self, argv: list[str], log: str, **extra_env: str) -> subprocess.Popen:
        with open(self.root / log, "wb") as out:
            proc = subprocess.Popen(argv, env={**self.env, **extra_env}, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def start(self, files: list[Path]) -> None:
        self.spawn(["dbus-daemon", "--session", "--nofork", f"--address={self.env['DBUS_SESSION_BUS_ADDRESS']}"],
                   "dbus.log")
        _wait_for("the session bus", lambda: (self.root / "bus").exists())
        self.start_xvfb()
        self.spawn([BUS_LAUNCHER, "--launch-immediately", "--a11y=1"], "at-spi.log")
        app_env = {"QT_QPA_PLATFORM": "xcb", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "QT_API": "pyside6",
                   "PYTHONFAULTHANDLER": "1",  # a crash prints where it happened into app.log
                   "AXIOM_DROP_HOME": str(self.drop_home), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
        self.app = self.spawn([sys.executable, "-m", "app", *map(str, files)], "app.log", **app_env)

    def start_xvfb(self) -> None:
        for n in range(95, 160):
            if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
                continue
            proc = self.spawn(["Xvfb", f":{n}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"], f"xvfb{n}.log")
            try:
                _wait_for(f"Xvfb :{n}", lambda: proc.poll() is not None or Path(f"/tmp/.X11-unix/X{n}").exists())
            except RuntimeError:
                pass
            if proc.poll() is None and Path(f"/tmp/.X11-unix/X{n}").exists():
                self.display = self.env["DISPLAY"] = f":{n}"
                return
            self.stop_one(proc)  # another run took that display meanwhile: the next one
        raise RuntimeError("no free X display from :95 to :159")

    def client(self, *args: str, timeout: float = 60) -> dict:
        """Run the AT-SPI client; its JSON, or the test fails with what it said and the app's log."""
        try:
            proc = subprocess.run([SYSTEM_PYTHON, str(CLIENT), args[0], APP_NAME, *args[1:]], env=self.env,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the AT-SPI client ({args[0]}) did not answer within {timeout:.0f} s\n--- app log:\n"
                        f"{self.app_log()}")
        try:
            out = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            out = {"error": f"no JSON from the client (rc {proc.returncode}): {proc.stderr[-1500:]}"}
        if "error" in out:
            pytest.fail(f"AT-SPI step {out.get('step', '?')!r} failed: {out['error']}\n--- app log:\n{self.app_log()}")
        return out

    def app_log(self) -> str:
        rc = self.app.poll()
        state = "still running" if rc is None else f"exited with {rc}"
        return f"(the app is {state})\n" + (self.root / "app.log").read_text(errors="replace")[-6000:]

    @staticmethod
    def stop_one(proc: subprocess.Popen) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue

    def stop(self) -> list[str]:
        """Stop everything started here, newest first; the processes still carrying the marker."""
        for proc in reversed(self.procs):
            self.stop_one(proc)
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # what the group's leader left (the a11y bus, registryd)
            except ProcessLookupError:
                pass
        time.sleep(0.2)
        return [f"{pid} {cmd}" for pid, cmd in marked_processes(self.marker)]


def marked_processes(marker: str) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f"AXIOM_DROP_ATSPI_RUN={marker}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.fixture(scope="module")
def desktop():
    why = missing_parts()
    if why is not None:
        if os.environ.get("AXIOM_DROP_REQUIRE_ATSPI") == "1":
            pytest.fail(f"AXIOM_DROP_REQUIRE_ATSPI=1 but the AT-SPI check cannot run: {why}")
        pytest.skip(f"the AT-SPI check needs: {why}")
    root = Path(tempfile.mkdtemp(prefix="atspi-", dir="/tmp"))  # short: the bus socket's path has a limit
    for name, text in FILES.items():
        (root / "files" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "files" / name).write_text(text)
    desk = Desktop(root)
    try:
        desk.start([root / "files" / name for name in ("four.ndjson", "two.csv", "app.log", "folder")])
        yield desk
    finally:
        left = desk.stop()
        for pid, _ in marked_processes(desk.marker):
            os.kill(pid, signal.SIGKILL)
        if not os.environ.get("AXIOM_DROP_KEEP_ATSPI"):  # =1 keeps the logs of the app, bus and Xvfb
            shutil.rmtree(root, ignore_errors=True)
    assert not left, f"processes left behind: {left}"


def stored(desktop: Desktop, via: str) -> list[dict]:
    store = DatasetStore(desktop.drop_home / "data" / "sandbox")  # the app's sandbox (config.sandbox_dir())
    return [e for e in store.events(DATASET) if e.get("via") == via]


def unread(controls: list[dict], where: str) -> list[str]:
    """The controls a screen reader announces with no name, or (a combo box) with no label: on
    Linux Qt gives a combo box its value as its name, and what it is for comes from its label (the
    labelled-by relation), unless the value says it ("Empty cells: omit")."""
    out = [f"{where}: {c['role']} with no name in {c['path']}" for c in controls if not c["name"]]
    return out + [f"{where}: combo box {c['name']!r} with no label in {c['path']}" for c in controls
                  if c["role"] == "combo box" and c["name"] and not c["labelled_by"] and ": " not in c["name"]]


def test_every_showing_control_has_a_name_a_screen_reader_says(desktop):
    seen = desktop.client("walk")["tabs"]
    assert set(seen) == {"Files", "Paste JSON", "History"}
    roles = {c["role"] for controls in seen.values() for c in controls}
    assert {"push button", "combo box", "text", "table", "list", "page tab", "check box", "spin button"} <= roles
    cards = {c["name"] for c in seen["Files"] if c["name"].startswith("Remove ")}
    assert cards == {"Remove four.ndjson", "Remove two.csv", "Remove app.log", "Remove folder folder"}, cards
    problems = [p for tab, controls in seen.items() for p in unread(controls, tab)]
    assert not problems, "\n".join(problems)


def test_a_paste_sent_by_screen_reader_says_3_ingested_and_stores_3(desktop, tmp_path):
    paste = tmp_path / "three.json"
    paste.write_text(json.dumps(PASTED))
    said = desktop.client("paste", str(paste))
    assert said["result"] == f"✓ Sent to {DATASET}: 3 ingested, 0 failed"
    assert f"→ {DATASET}  (3 ingested, 0 failed)" in said["send_history"][0]
    history = said["history"]
    assert history["name"] == "Upload history"
    row = dict(zip(history["headers"], history["rows"][0]))
    assert row["Name"] == "Pasted JSON" and row["Dataset"] == DATASET, row
    assert (row["Ingested"], row["Failed"], row["Not sent"], row["State"]) == ("3", "0", "0", "done"), row
    assert sorted(e["n"] for e in stored(desktop, "atspi paste")) == [1, 2, 3]


def test_files_sent_by_screen_reader_show_their_counts_in_the_queue_and_are_stored(desktop):
    ended = ",".join(state.value for state in JobState if state.finished)
    said = desktop.client("send-files", f"Send 5 files to {DATASET}", "5", ended)
    queue = said["queue"]
    rows = {r["File"]: r for r in (dict(zip(queue["headers"], cells)) for cells in queue["rows"])}
    assert set(rows) == {"four.ndjson", "two.csv", "app.log", "a.ndjson", "b.ndjson"}, queue
    for name, ingested in {"four.ndjson": "4", "two.csv": "2", "app.log": "3", "a.ndjson": "1", "b.ndjson": "1"}.items():
        row = rows[name]
        assert (row["Dataset"], row["Progress"], row["Ingested"], row["Failed"], row["Status"]) == (
            DATASET, "100 %", ingested, "0", "done"), row
    assert sorted(e["n"] for e in stored(desktop, "atspi file")) == [1, 2, 3, 4]
    assert sorted(str(e["n"]) for e in stored(desktop, "atspi csv")) == ["1", "2"]
    assert sorted(e["n"] for e in stored(desktop, "atspi folder")) == [1, 2]
    store = DatasetStore(desktop.drop_home / "data" / "sandbox")
    assert sum("atspi log" in json.dumps(e) for e in store.events(DATASET)) == 3
    desktop.sent_file = True
    assert said["details"], "selecting a queue row showed no details"
    problems = unread(said["controls"], "Files, a finished row selected")
    assert not problems, "\n".join(problems)


def test_the_queue_totals_are_read_out_after_the_file_was_sent(desktop):
    """After the test above (same window): what a screen reader reads of the summary row."""
    if not desktop.sent_file:
        pytest.skip("reads the totals of the file the test above sends")
    said = desktop.client("label", "Queue totals")
    assert "5 / 5 files done · 11 events ingested" in f"{said['name']} {said['description']} {said['text']}", said
