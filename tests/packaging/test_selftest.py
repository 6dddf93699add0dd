"""`python -m app --self-test` from the source tree: every check prints a line, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys

from app import selftest

CHECKS = ("qt", "keyring", "tls", "native", "round-trip")


def _lines_by_check(out: str) -> dict[str, str]:
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] in CHECKS:
            found[parts[1]] = parts[0]
    return found


def test_self_test_from_source_passes_and_reports_each_check(tmp_path, repo_root, offscreen_env):
    proc = subprocess.run([sys.executable, "-m", "app", "--self-test"], cwd=repo_root, capture_output=True,
                          text=True, timeout=60, env=offscreen_env(AXIOM_DROP_HOME=str(tmp_path)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = _lines_by_check(proc.stdout)
    assert set(status) == set(CHECKS), proc.stdout
    assert status["qt"] == status["tls"] == status["round-trip"] == "ok", proc.stdout
    assert status["keyring"] in ("ok", "warning"), proc.stdout   # no Secret Service: a warning only
    assert "self-test passed" in proc.stdout
    assert "'offscreen'" in proc.stdout
    if os.environ.get("AXIOM_DROP_REQUIRE_NATIVE") == "1":      # CI builds the C parsers
        assert status["native"] == "ok", proc.stdout
    if os.environ.get("AXIOM_DROP_REQUIRE_KEYRING") == "1":     # CI runs inside gnome-keyring
        assert status["keyring"] == "ok" and "Secret Service" in proc.stdout, proc.stdout


def test_a_failing_check_makes_the_exit_code_non_zero(monkeypatch, capsys, tmp_path):
    def broken() -> tuple[str, str]:
        raise FileNotFoundError("cacert.pem")

    monkeypatch.setattr(selftest, "CHECKS", [("tls", broken), ("keyring", lambda: (selftest.WARN, "none"))])
    report = tmp_path / "report.txt"
    assert selftest.main(["--output", str(report)]) == 1
    out = capsys.readouterr().out
    assert "FAILED   tls" in out and "FileNotFoundError: cacert.pem" in out
    assert "warning  keyring" in out
    assert "self-test FAILED (1 check)" in out
    assert report.read_text().splitlines()[-1] == "self-test FAILED (1 check)"


def test_a_warning_alone_still_passes(monkeypatch, capsys):
    monkeypatch.setattr(selftest, "CHECKS", [("keyring", lambda: (selftest.WARN, "no secure keyring"))])
    assert selftest.main([]) == 0
    assert "self-test passed" in capsys.readouterr().out
