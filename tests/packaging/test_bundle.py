"""The packaged Linux app: built from a clean venv, it passes its own self-test, and
`make install-desktop` installs it for one user (and `make uninstall-desktop` removes it)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sysconfig
import tarfile
from pathlib import Path

import pytest

import app

pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.timeout(1800)]
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def run_self_test(exe: Path, env: dict) -> str:
    proc = subprocess.run([str(exe), "--self-test"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(frozen," in proc.stdout and "self-test passed" in proc.stdout, proc.stdout
    for check in ("qt", "tls", "native", "round-trip"):  # native: the C text-log parsers load frozen too
        assert any(line.split()[:2] == ["ok", check] for line in proc.stdout.splitlines()), proc.stdout
    return proc.stdout


def test_bundle_passes_its_self_test_offscreen(bundle, offscreen_env, tmp_path):
    out = run_self_test(bundle / "axiom-drop", offscreen_env(AXIOM_DROP_HOME=str(tmp_path)))
    assert str(bundle) in out      # the CA bundle is the one inside the bundle, not the system's
    if os.environ.get("AXIOM_DROP_REQUIRE_KEYRING") == "1":   # CI: keyring's backends made it in
        assert any(line.split()[:2] == ["ok", "keyring"] for line in out.splitlines()), out


def test_bundle_holds_only_the_qt_it_needs(bundle):
    internal = bundle / "_internal"
    names = {p.name for p in internal.rglob("*")}
    assert {"libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libQt6Svg.so.6"} <= names
    assert {"libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqsvg.so", "libqsvgicon.so"} <= names
    unwanted = [n for n in names if any(k in n for k in (
        "Qt6Qml", "Qt6Quick", "Qt6Pdf", "WebEngine", "Qt6Network", "virtualkeyboard", "libgtk-3"))]
    assert not unwanted, unwanted
    assert not (internal / "PySide6" / "Qt" / "translations").exists()
    assert not any(n.startswith(("keyrings", "PyQt")) for n in names)
    assert (internal / "app" / "samples").is_dir() and (internal / "app" / "resources" / "icon.svg").is_file()


def test_bundle_holds_the_c_block_paths_built_for_it(bundle, repo_root):
    spec = importlib.util.spec_from_file_location("axiom_drop_setup", repo_root / "setup.py")
    setup_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_py)  # its MODULES: one per app/core/*/_native*.c
    internal = bundle / "_internal"
    wanted = sorted(f"{name.replace('.', '/')}{sysconfig.get_config_var('EXT_SUFFIX')}" for name in setup_py.MODULES)
    assert "app/core/batching/_native_csv" + sysconfig.get_config_var("EXT_SUFFIX") in wanted
    assert sorted(p.relative_to(internal).as_posix() for p in internal.glob("app/core/*/_native*.so")) == wanted, \
        "a C block path is missing from the bundle: its text logs or typed CSV would be read several times slower"
    # The module, not its source: the app comes from the build venv, where the .c is not installed.
    assert not list(internal.glob("app/core/*/*.c"))


def test_tarball_unpacks_to_the_bundle(bundle):
    tarballs = sorted(bundle.parent.glob(f"axiom-drop-{app.__version__}-linux-*.tar.gz"))
    assert tarballs, "no tarball next to the bundle"
    with tarfile.open(tarballs[-1]) as tar:
        names = tar.getnames()
    assert "axiom-drop/axiom-drop" in names and "axiom-drop/_internal/certifi/cacert.pem" in names


def test_make_install_desktop_then_uninstall(bundle, repo_root, offscreen_env, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = offscreen_env(HOME=str(home), AXIOM_DROP_HOME=str(tmp_path / "adh"))
    subprocess.run(["make", "-s", "install-desktop", f"BUNDLE={bundle}"], cwd=repo_root, env=env,
                   check=True, timeout=300, capture_output=True)
    local = home / ".local"
    launcher = local / "bin" / "axiom-drop"
    desktop = local / "share" / "applications" / f"{app.APP_ID}.desktop"
    metainfo = local / "share" / "metainfo" / f"{app.APP_ID}.metainfo.xml"
    icons = [local / "share" / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{app.APP_ID}.png" for s in SIZES]
    for path in [launcher, desktop, metainfo, local / "lib" / "axiom-drop" / "axiom-drop", *icons]:
        assert path.is_file(), path
    # The menu entry runs the installed launcher by its full path (~/.local/bin may not be on PATH).
    assert f"Exec={launcher} %F" in desktop.read_text().splitlines()
    run_self_test(launcher, env)

    subprocess.run(["make", "-s", "uninstall-desktop"], cwd=repo_root, env=env, check=True, timeout=120,
                   capture_output=True)
    left = [p for p in local.rglob("*") if p.is_file() and p.name != "mimeinfo.cache"]
    assert left == [], left
