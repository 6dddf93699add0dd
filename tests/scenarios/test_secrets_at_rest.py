"""Secrets under test: after a whole session (send, fail, crash, resume, a wrong token) no file
under AXIOM_DROP_HOME (journal, its WAL, logs, settings, the sandbox's storage) holds a token.
(TLS verification cannot be switched off: tests/core/axiom/test_axiom_tls.py. A redirect to another
host never carries the token: tests/core/axiom/test_axiom_urls.py::test_redirect_to_another_host_does_not_carry_the_token.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app import cli
from app.core import config, journal
from app.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "xaat-sandbox-" + "5ec7e7" * 6
WRONG = "xaat-wrong-" + "0bad" * 8


def test_no_token_in_any_file_after_a_full_session(tmp_path, capsys, monkeypatch, _isolated_home):
    sb = Sandbox(config.sandbox_dir(), token=TOKEN).start()
    outputs = []
    try:
        sb.faults.delay = 0.3
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", TOKEN)
        good = tmp_path / "good.ndjson"
        good.write_text("".join('{"n": %d}\n' % i for i in range(1, 200_001)))
        bad = tmp_path / "bad.ndjson"
        bad.write_text('{"n": 1}\n42\n{"n": 3, oops\n')
        assert cli.main(["send", str(bad), "-d", "ds"]) == 1  # some events fail
        # a crash: a subprocess killed in the middle of an upload, then resumed
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.Popen([sys.executable, "-m", "app", "send", str(good), "-d", "ds", "--json"], env=env,
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not any(h.name == str(good) and h.ingested for h in journal.history()):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        outputs += proc.communicate()
        assert journal.unfinished_jobs()
        sb.faults.delay = 0
        assert cli.main(["resume", "--all"]) == 0
        monkeypatch.setenv("AXIOM_TOKEN", WRONG)
        assert cli.main(["send", str(good), "-d", "ds"]) == 2  # 401
        out, err = capsys.readouterr()
        outputs += [out.encode(), err.encode()]
    finally:
        sb.stop()
    files = [p for p in _isolated_home.rglob("*") if p.is_file()]
    assert any(p.name == "journal.sqlite3" for p in files)
    for p in files + [p for p in config.log_dir().rglob("*") if p.is_file()]:
        try:
            data = p.read_bytes()
        except FileNotFoundError:  # SQLite removed its -wal/-shm as the last connection closed
            continue
        assert TOKEN.encode() not in data and WRONG.encode() not in data, f"a token is in {p}"
    for text in outputs:
        assert TOKEN.encode() not in text and WRONG.encode() not in text


def test_journal_keeps_no_url_secrets():
    assert journal.safe_endpoint("https://user:pa55@proxy.example.com:8443/axiom?token=xaat-x#f") == \
        "https://proxy.example.com:8443/axiom"
