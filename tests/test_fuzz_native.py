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

from app.core.sniff.csv_types import NUMBER
from tools.fuzz_native import build
from tools.fuzz_native.__main__ import sanitizer_env
from tools.fuzz_native.worker import TARGETS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]  # ~20 s; a loaded machine (load 7) took 55


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
    out = subprocess.run([sys.executable, "-m", "tools.fuzz_native", "--seconds", "6", "--seed", "7", "--out",
                          str(found)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    for target in TARGETS:
        assert f"{target} (seed 7): " in out.stdout and "no difference" in out.stdout, out.stdout
    assert not found.exists()


def test_a_writer_past_its_buffer_is_caught_and_its_case_kept(tmp_path):
    """The bound of the output planted short (without the 7 bytes a cell it allows beyond the
    input): a random run stops with its case saved, and a row that then ends exactly one byte past
    the buffer (two text cells and a number) is caught by the fuzz build's check, where ASan alone
    would see nothing."""
    source = (ROOT / "app/core/batching/_native_csv.c").read_text()
    exact = "Py_ssize_t bound = size + rows * (fixed + 7 * width), n_odd = 0;"
    assert exact in source
    planted = tmp_path / "_native_csv.c"
    planted.write_text(source.replace(exact, "Py_ssize_t bound = size + rows * fixed, n_odd = 0;"))
    overlay, current = tmp_path / "overlay", tmp_path / "current.case"
    build.build(overlay, {"app.core.batching._native_csv": planted})

    def worker(*args):
        return subprocess.run([sys.executable, "-m", "tools.fuzz_native.worker", str(overlay), *args], cwd=ROOT,
                              env=sanitizer_env(), capture_output=True, text=True, timeout=300)

    run = worker("csv", "60", "7", str(current), str(tmp_path / "found"))
    assert run.returncode not in (0, 3), run.stdout
    assert "AddressSanitizer: heap-buffer-overflow" in run.stderr or "fuzz_native: the writer ended at" in run.stderr
    assert ast.literal_eval(current.read_text())["target"] == "csv"

    one_over = tmp_path / "one-over.case"
    one_over.write_text(repr({"target": "csv", "body": b"a;b;1\n", "rows": 1, "names": ["a", "b", "c"],
                              "kinds": [None, None, NUMBER], "delimiter": ";", "quote": '"', "null": False}))
    run = worker("--replay", str(one_over))
    assert "fuzz_native: the writer ended at 24 in a buffer of 23 bytes" in run.stderr, run.stderr[-2000:]
