"""`make fuzz-native` (tools/fuzz_native): the C block paths under AddressSanitizer and UBSan,
compared with their Python paths. A few seconds of every target here (the long runs are the make
target's), and a planted fault (a record buffer one byte short, which ASan alone would miss) that
the fuzz must catch, with the case that caught it left behind."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.fuzz_native import build
from tools.fuzz_native.__main__ import sanitizer_env
from tools.fuzz_native.worker import TARGETS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def asan():
    try:
        build.asan_runtime()
    except RuntimeError as exc:
        if os.environ.get("AXIOM_DROP_REQUIRE_NATIVE") == "1":
            pytest.fail(f"AXIOM_DROP_REQUIRE_NATIVE=1, but the fuzz build cannot run: {exc}")
        pytest.skip(str(exc))


def test_every_target_runs_under_the_sanitizers_and_finds_nothing(tmp_path):
    found = tmp_path / "found"
    out = subprocess.run([sys.executable, "-m", "tools.fuzz_native", "--seconds", "5", "--seed", "7", "--out",
                          str(found)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    for target in TARGETS:
        assert f"{target} (seed 7): " in out.stdout and "no difference" in out.stdout, out.stdout
    assert not found.exists()


def test_a_writer_one_byte_past_its_buffer_is_caught_and_its_case_kept(tmp_path):
    source = (ROOT / "app/core/batching/_native_csv.c").read_text()
    exact = "Py_ssize_t bound = size + rows * (fixed + 7 * width), n_odd = 0;"
    assert exact in source
    planted = tmp_path / "_native_csv.c"
    planted.write_text(source.replace(exact, "Py_ssize_t bound = size + rows * fixed, n_odd = 0;"))
    overlay, case = tmp_path / "overlay", tmp_path / "current.case"
    build.build(overlay, {"app.core.batching._native_csv": planted})
    run = subprocess.run([sys.executable, "-m", "tools.fuzz_native.worker", str(overlay), "csv", "60", "7", str(case),
                          str(tmp_path / "found")], cwd=ROOT, env=sanitizer_env(), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode not in (0, 3), run.stdout
    assert "fuzz_native: the writer ended at" in run.stderr
    assert ast.literal_eval(case.read_text())["target"] == "csv"
