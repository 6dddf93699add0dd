"""How the C block paths (app.core.textlog._native, app.core.batching._native_csv, …) get built: packaging/build_native.py for a
checkout (`make run`, `make test`: in place, never failing for want of a compiler unless
AXIOM_DROP_REQUIRE_NATIVE=1), setup.py for pip (the bundle, the Flatpak). Run on a copy of the
files it needs, so the checkout's own build is left alone. Not packaging-marked: `make test` runs it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
C_SOURCE = "app/core/textlog/_native.c"
BUILT = f"app/core/textlog/_native{sysconfig.get_config_var('EXT_SUFFIX')}"
# a module of another package: every app/core/*/_native*.c is one module of its dotted name
OTHER_SOURCE = "app/core/batching/_native_csv.c"
OTHER_BUILT = f"app/core/batching/_native_csv{sysconfig.get_config_var('EXT_SUFFIX')}"


def checkout_copy(tmp_path: Path) -> Path:
    for rel in ("setup.py", "packaging/build_native.py", C_SOURCE, OTHER_SOURCE, "app/core/textlog/_native_json.h"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp_path / rel)
    return tmp_path


def build_native(root: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "AXIOM_DROP_REQUIRE_NATIVE"} | env
    return subprocess.run([sys.executable, str(root / "packaging" / "build_native.py")], cwd=root, env=full,
                          capture_output=True, text=True, timeout=300)


def test_a_checkout_gets_the_compiled_parser_next_to_its_source(tmp_path):
    root = checkout_copy(tmp_path)
    proc = build_native(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if "read in Python" in proc.stdout:
        if os.environ.get("AXIOM_DROP_REQUIRE_NATIVE") == "1":
            pytest.fail(proc.stdout)
        pytest.skip(f"no working C compiler here: {proc.stdout.strip()}")
    for name, built in (("app.core.textlog._native", BUILT), ("app.core.batching._native_csv", OTHER_BUILT)):
        assert (root / built).is_file(), proc.stdout
        load = (f"import importlib.util as u, sys; s = u.spec_from_file_location({name!r}, sys.argv[1]); "
                "m = u.module_from_spec(s); s.loader.exec_module(m); print(type(s.loader).__name__)")
        loaded = subprocess.run([sys.executable, "-c", load, str(root / built)], capture_output=True, text=True)
        assert loaded.stdout.strip() == "ExtensionFileLoader", loaded.stderr


def test_without_a_compiler_make_run_goes_on_saying_so_in_one_line(tmp_path):
    root = checkout_copy(tmp_path)
    (root / BUILT).write_bytes(b"an older build")   # would load instead of the Python parser the line names
    proc = build_native(root, CC=str(tmp_path / "no-such-cc"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(proc.stdout.splitlines()) == 1 and "Text logs and typed CSV are read in Python" in proc.stdout, proc.stdout
    assert not (root / BUILT).exists() and not (root / OTHER_BUILT).exists()


def test_where_the_parser_is_required_a_failed_build_is_an_error(tmp_path):
    root = checkout_copy(tmp_path)
    proc = build_native(root, CC=str(tmp_path / "no-such-cc"), AXIOM_DROP_REQUIRE_NATIVE="1")
    assert proc.returncode == 1 and "requires it" in proc.stderr, proc.stdout + proc.stderr


def test_the_bundle_source_has_setup_py_but_not_the_checkouts_own_build(tmp_path):
    spec = importlib.util.spec_from_file_location("axiom_drop_build", ROOT / "packaging" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    src = build.copy_source(tmp_path / "src")
    assert (src / "setup.py").is_file() and (src / C_SOURCE).is_file() and (src / OTHER_SOURCE).is_file()
    assert {"app.core.textlog._native", "app.core.batching._native_csv"} <= set(build.NATIVE)  # each checked built
    assert not [p for p in (src / "app").rglob("*") if p.suffix in (".so", ".pyd")]


def test_linux_builds_outside_this_machine_install_a_compiler_and_require_the_parser():
    manifest = yaml.safe_load((ROOT / "packaging" / "flatpak" / "co.axiom.AxiomDrop.yml").read_text("utf-8"))
    app_module = next(m for m in manifest["modules"] if isinstance(m, dict) and m["name"] == "axiom-drop")
    assert app_module["build-options"]["env"]["AXIOM_DROP_REQUIRE_NATIVE"] == "1"
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text("utf-8"))["jobs"]
    apt = " ".join(str(s.get("run", "")) for s in jobs["linux"]["steps"]).split()
    assert {"gcc", "libc6-dev", "python3-dev"} <= set(apt)
