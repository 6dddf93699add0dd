"""`axiom-drop --self-test`: prove an installed (or frozen) app has what it needs at run time.

A packaged build can start yet still be broken in ways only a user would find later: a missing
Qt platform plugin, no keyring backend, no CA bundle for TLS, or a missing module on the send
path. Each check here exercises the real thing once and prints one line, so CI and a user who
reports a bug can run the same command.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import ssl
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")

OK, WARN, FAILED = "ok", "warning", "FAILED"


def check_qt() -> tuple[str, str]:
    """The platform plugin loads (the first thing a broken bundle gets wrong)."""
    from app.ui.shell.display import missing_display

    if (why := missing_display()) is not None:  # Qt would abort the process, not fail the check
        return FAILED, why
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    qt_app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "axiom-drop"])
    name = QGuiApplication.platformName()
    # The window icon is an SVG: without Qt's SVG image plugin the app shows a blank icon.
    icon_path = Path(__file__).resolve().parent / "resources" / "icon.svg"
    icon = QIcon(str(icon_path))
    svg = not icon.pixmap(32, 32).isNull()
    del qt_app
    detail = f"platform plugin {name!r} loaded (PySide6 {pyside_version})"
    if not svg:
        return FAILED, detail + f"; the SVG icon {icon_path} does not render (Qt SVG plugin missing?)"
    return OK, detail + "; SVG icon renders"


def check_keyring() -> tuple[str, str]:
    """Which keyring holds tokens; without a secure one the app keeps them for the session only."""
    from app.core import secrets

    name, secure = secrets.backend_description()
    if secure:
        return OK, f"keyring backend: {name}"
    return WARN, ("no secure keyring (Secret Service, Keychain or Credential Manager) found; "
                  "tokens can be kept for this session only")


def check_ca_bundle() -> tuple[str, str]:
    """TLS to Axiom trusts the system's certificates (or SSL_CERT_FILE's); certifi's bundle, which a
    frozen app carries inside, is the fallback for a system without a store."""
    import certifi

    from app.core.axiom import trust

    cafile = certifi.where()
    if not Path(cafile).is_file():
        return FAILED, f"CA bundle missing: {cafile}"
    count = len(ssl.create_default_context(cafile=cafile).get_ca_certs())
    if count == 0:
        return FAILED, f"CA bundle {cafile} holds no certificates"
    try:
        _, used = trust.tls_context()
    except (OSError, ssl.SSLError) as e:
        return FAILED, f"the TLS context could not be made: {e}"
    return OK, (f"TLS trusts {used.describe()}; fallback: certifi's {cafile} ({count} certificates); "
                f"{ssl.OPENSSL_VERSION}")


def check_native() -> tuple[str, str]:
    """The C parsers load and one reads a line: a build without them still works, reading text
    logs and typed CSV 2–8× slower (a warning; the Linux bundle's build fails without them)."""
    from app.core.batching import scan, typed_fast
    from app.core.textlog import fast, fast_events, fast_logfmt
    from app.core.textlog.clock import Clock

    missing = [name for name, module in (("syslog and access logs", fast._native),
                                         ("framework logs", fast_events._native_events),
                                         ("logfmt", fast_logfmt._native_logfmt),
                                         ("typed CSV", typed_fast._native_csv),
                                         ("NDJSON and CSV blocks", scan._native_lines)) if module is None]
    if missing:
        return WARN, f"the C parsers of {', '.join(missing)} did not load: those files are read in Python, slower"
    out = fast.FastPath("syslog-rfc3164", Clock("UTC")).translate(b"Dec  1 10:00:00 host app[7]: hi\n", 1)
    if not out or b'"appname":"app","procid":"7","message":"hi"}' not in out:
        return FAILED, f"the C syslog parser read a line wrongly: {out!r}"
    if scan.scan_block(b'{"a":1}\n\n', -1) != (2, scan.BLANK_LINE):
        return FAILED, "the C block scan of NDJSON and CSV read a block wrongly"
    return OK, ("C parsers loaded (syslog and access logs, logfmt, framework logs, typed CSV, NDJSON and CSV "
                "blocks); a syslog line read")


def check_round_trip() -> tuple[str, str]:
    """One event through the real client to a sandbox on loopback and back from its storage."""
    from app.core.axiom import AxiomClient, Endpoint
    from app.sandbox import Sandbox

    marker = f"self-test-{os.getpid()}-{time.time_ns()}"
    with tempfile.TemporaryDirectory(prefix="axiom-drop-selftest-") as tmp:
        sandbox = Sandbox(Path(tmp)).start()
        try:
            async def send() -> int:
                client = AxiomClient(Endpoint(sandbox.url, sandbox.url), sandbox.token)
                try:
                    await client.create_dataset("selftest")  # as on Axiom: ingest does not create it
                    body = b'{"check": "self-test", "marker": "' + marker.encode() + b'"}\n'
                    result = await client.ingest("selftest", body, content_type="application/x-ndjson")
                    return result.ingested
                finally:
                    await client.aclose()

            started = time.monotonic()
            ingested = asyncio.run(send())
            ms = (time.monotonic() - started) * 1000
            stored = [e for e in sandbox.events("selftest") if e.get("marker") == marker]
        finally:
            sandbox.stop()
    if ingested != 1 or len(stored) != 1:
        return FAILED, f"sent 1 event, server said {ingested} ingested, {len(stored)} stored"
    return OK, f"1 event sent to a local sandbox and read back ({ms:.0f} ms)"


CHECKS: list[tuple[str, Callable[[], tuple[str, str]]]] = [
    ("qt", check_qt),
    ("keyring", check_keyring),
    ("tls", check_ca_bundle),
    ("native", check_native),
    ("round-trip", check_round_trip),
]


def main(argv: list[str] | None = None) -> int:
    """Run every check, print one line each; exit 1 when any failed (a warning is not a failure)."""
    parser = argparse.ArgumentParser(prog="axiom-drop --self-test",
                                     description="Check that this installation of Axiom Drop works.")
    parser.add_argument("--output", metavar="FILE",
                        help="also write the report to FILE (a windowed build on Windows has no console)")
    args = parser.parse_args(argv or [])

    import app

    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if sys.stdout is not None:  # None in a windowed Windows build without a console
            print(line, flush=True)

    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    say(f"Axiom Drop {app.__version__} self-test ({frozen}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()})")
    failed = 0
    for name, check in CHECKS:
        try:
            status, detail = check()
        except Exception as e:  # a check that crashes is a failed check, not a traceback
            status, detail = FAILED, f"{type(e).__name__}: {e}"
        failed += status == FAILED
        say(f"{status:8} {name:11} {detail}")
    say("self-test passed" if not failed else f"self-test FAILED ({failed} check{'s' if failed > 1 else ''})")
    if args.output:
        Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 1 if failed else 0
