"""Shared set-up for the packaging tests: the repo root and one bundle build per session."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _offscreen_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_API="pyside6")
    env.update(extra)
    return env


# No __init__.py here: a package named "packaging" would shadow the real `packaging` library.
# Helpers reach the tests as fixtures instead.
@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def offscreen_env():
    return _offscreen_env


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """Build the bundle the way `make package` does (a fresh venv, the app, PyInstaller), in
    private dirs: a developer's dist/ and a concurrent test run are left alone."""
    work = tmp_path_factory.mktemp("package")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"),
                           "--build-dir", str(work / "build"), "--dist-dir", str(work / "dist")],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    print(f"\nbuilt the bundle in {time.monotonic() - started:.0f} s; "
          + " ".join(line for line in output.splitlines() if line.startswith(("bundle:", "tarball:"))))
    bundle_dir = work / "dist" / "axiom-drop"
    assert (bundle_dir / "axiom-drop").is_file()
    return bundle_dir
