"""The release workflow (.github/workflows/release.yml) cannot run here, so it is checked the way
GitHub would read it: actionlint (syntax, expressions, runner labels, action versions, and the
shell of each `run:` step when shellcheck is on PATH). Not a packaging-marked test: `make test`
runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str:
    exe = Path(sys.executable).parent / "actionlint"
    found = str(exe) if exe.is_file() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is missing: it comes with the test extras (pip install -e '.[test]')")
    return found


def test_there_is_a_release_workflow():
    assert ROOT / ".github" / "workflows" / "release.yml" in WORKFLOWS


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_finds_nothing(workflow):
    proc = subprocess.run([actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_os_builds_self_tests_and_uploads_its_installer():
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text("utf-8"))["jobs"]
    runners = {jobs["linux"]["runs-on"], jobs["windows"]["runs-on"],
               *(m["runner"] for m in jobs["macos"]["strategy"]["matrix"]["include"])}
    assert any(r.startswith("ubuntu") for r in runners) and any(r.startswith("windows") for r in runners)
    assert {"macos-14", "macos-15-intel"} <= runners  # Apple Silicon and Intel
    for name in ("linux", "macos", "windows"):
        steps = " ".join(str(s.get("run", "")) for s in jobs[name]["steps"])
        assert "packaging/build.py" in steps.replace("\\", "/") and "--self-test" in steps
        assert any("upload-artifact" in s.get("uses", "") for s in jobs[name]["steps"])
    assert "build_deb.py" in " ".join(str(s.get("run", "")) for s in jobs["linux"]["steps"])
    assert "hdiutil" in " ".join(str(s.get("run", "")) for s in jobs["macos"]["steps"])
    assert "ISCC" in " ".join(str(s.get("run", "")) for s in jobs["windows"]["steps"])
