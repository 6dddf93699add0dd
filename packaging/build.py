#!/usr/bin/env python3
"""Build the one-folder app with PyInstaller from a clean venv: `python packaging/build.py`.

Why a fresh venv: PyInstaller bundles whatever it can import. A development venv may hold
keyrings.alt (tokens in a plaintext file, silently the default) or a second Qt binding; a venv
with only the app and PyInstaller holds neither. The app is installed from a copy of the source
(not editable, not built in-tree) so stale build/lib files cannot sneak in, and everything else
from packaging/build.lock: the same versions on every build, each checked against its hash.
pip compiles the C block paths there (setup.py); a Linux bundle without them is a failed build.

Outputs: dist/axiom-drop/ (the bundle), and on Linux dist/axiom-drop-VERSION-linux-ARCH.tar.gz.
Runs on Linux, Windows and macOS (on macOS the spec also makes dist/Axiom Drop.app).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_py_modules() -> dict[str, list[str]]:
    """setup.py's MODULES (loaded as a module, not run: no setup() call)."""
    spec = importlib.util.spec_from_file_location("axiom_drop_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MODULES

BUILD_LOCK = ROOT / "packaging" / "build.lock"   # `make lock`: the app's dependencies + PyInstaller, hashed
FORBIDDEN = ("keyrings.alt", "pyqt5", "pyqt6", "pyside2")   # must never reach the bundle
# the C block paths (setup.py's MODULES: one per app/core/*/_native*.c); the app runs without them, slower
NATIVE = tuple(_setup_py_modules())
# Linux bundles are built with what we pin (a Debian 12 container, .ci/run), so one without the
# C block paths is a broken build; on Windows and macOS a missing compiler only warns.
NATIVE_REQUIRED = sys.platform.startswith("linux") or os.environ.get("AXIOM_DROP_REQUIRE_NATIVE") == "1"


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def venv_python(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(venv_dir: Path, reuse: bool) -> Path:
    py = venv_python(venv_dir)
    if not (reuse and py.exists()):
        if venv_dir.exists():
            shutil.rmtree(venv_dir)
        venv.EnvBuilder(with_pip=True, clear=True, symlinks=os.name != "nt").create(venv_dir)
    # Never fall through to the base interpreter: without pyvenv.cfg, `pip install` would write
    # into the system's (or pyenv's) site-packages, and the bundle would collect all of it.
    probe = subprocess.run([str(py), "-c", "import sys; print(sys.prefix != sys.base_prefix)"],
                           capture_output=True, text=True)
    if not (venv_dir / "pyvenv.cfg").is_file() or probe.stdout.strip() != "True":
        sys.exit(f"{venv_dir} is not a working venv (pyvenv.cfg missing?): refusing to install into "
                 "the base interpreter")
    return py


def copy_source(dest: Path) -> Path:
    """The files setuptools needs, without caches or build leftovers."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    # Not the checkout's in-place build of the C parser (make run): pip compiles its own.
    shutil.copytree(ROOT / "app", dest / "app",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyd"))
    return dest


def check_clean(py: Path) -> None:
    out = subprocess.run([str(py), "-m", "pip", "list", "--format=freeze"], check=True,
                         capture_output=True, text=True).stdout.lower()
    names = {line.split("==")[0].replace("_", "-") for line in out.splitlines()}
    bad = [n for n in FORBIDDEN if n.replace(".", "-") in names or n in names]
    if bad:
        sys.exit(f"the build venv holds {', '.join(bad)}: refusing to bundle them")


def check_native(py: Path, cwd: Path) -> None:
    """The C block paths import in the venv PyInstaller collects from (cwd away from the checkout,
    whose own in-place build would answer instead)."""
    for name in NATIVE:
        probe = subprocess.run([str(py), "-c", f"import {name}; print({name}.__file__)"], cwd=cwd,
                               capture_output=True, text=True)
        if probe.returncode == 0:
            print(f"C block path: {probe.stdout.strip()}")
            continue
        reason = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        if NATIVE_REQUIRED:
            sys.exit(f"{name} did not build ({reason}): this bundle must have it "
                     "(a C compiler and the Python headers: gcc, libc6-dev, python3-dev on Debian)")
        prefix = "::warning::" if os.environ.get("GITHUB_ACTIONS") == "true" else "warning: "
        print(f"{prefix}{name} did not build ({reason}): this bundle reads text logs and typed CSV in Python, slower", flush=True)


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def make_tarball(bundle: Path, version: str) -> Path:
    arch = platform.machine().lower() or "unknown"
    out = bundle.parent / f"axiom-drop-{version}-linux-{arch}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname="axiom-drop")
    return out


@contextlib.contextmanager
def build_lock(build_dir: Path):
    """One build at a time per build dir: a second `make package` (or a test run) starting
    meanwhile would delete the venv under the first one's pip and PyInstaller."""
    lock = open(build_dir / ".build.lock", "w")
    try:
        try:
            import fcntl
        except ImportError:  # Windows: builds there are run by hand, one at a time
            yield
            return
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another build is using {build_dir}; waiting for it to finish", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        lock.close()


def mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build-dir", type=Path, default=ROOT / "build", help="venv and PyInstaller work files")
    p.add_argument("--dist-dir", type=Path, default=ROOT / "dist", help="where the bundle goes")
    p.add_argument("--reuse-venv", action="store_true", help="keep an existing build venv (faster; for iterating)")
    p.add_argument("--no-tarball", action="store_true", help="skip the .tar.gz (Linux)")
    p.add_argument("--self-test", action="store_true", help="run the bundle's --self-test afterwards (offscreen)")
    args = p.parse_args(argv)

    started = time.monotonic()
    # Nothing of the caller's sys.path either: with PYTHONPATH=<checkout> (as tests are often run)
    # pip and PyInstaller would see the checkout's app/ beside the installed one.
    os.environ.pop("PYTHONPATH", None)
    build_dir: Path = args.build_dir.resolve()
    dist_dir: Path = args.dist_dir.resolve()
    build_dir.mkdir(parents=True, exist_ok=True)

    with build_lock(build_dir):
        py = make_venv(build_dir / "pkg-venv", args.reuse_venv)
        src = copy_source(build_dir / "src")
        # Exactly the locked versions, each checked against its hash; then the app itself, built
        # with the locked setuptools (no build isolation fetching whatever is newest).
        pip = [str(py), "-m", "pip", "install", "-q", "--require-virtualenv", "--disable-pip-version-check"]
        run(pip + ["--require-hashes", "--only-binary", ":all:", "-r", str(BUILD_LOCK)])
        # setup.py makes a failed C build an error when AXIOM_DROP_REQUIRE_NATIVE=1 (pip then
        # shows the compiler's output), a setuptools warning otherwise; check_native says which.
        env = dict(os.environ, AXIOM_DROP_REQUIRE_NATIVE="1") if NATIVE_REQUIRED else None
        run(pip + ["--no-deps", "--no-build-isolation", str(src)], env=env)
        check_native(py, build_dir)
        check_clean(py)
        version = subprocess.run([str(py), "-c", "import importlib.metadata as m; print(m.version('axiom-drop'))"],
                                 check=True, capture_output=True, text=True).stdout.strip()

        # Not from the checkout: `python -m` puts the working directory first on sys.path, and
        # PyInstaller would collect the checkout's app/ (its in-place C build or none, its .c as
        # data) instead of the one just installed.
        work = build_dir / "pyinstaller"
        work.mkdir(exist_ok=True)
        run([str(py), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(dist_dir), "--workpath", str(work),
             str(ROOT / "packaging" / "axiom-drop.spec")], cwd=work)

        bundle = dist_dir / "axiom-drop"
        print(f"bundle: {bundle} ({mib(size_of(bundle))})")
        if sys.platform.startswith("linux") and not args.no_tarball:
            tarball = make_tarball(bundle, version)
            print(f"tarball: {tarball} ({mib(tarball.stat().st_size)})")
        if args.self_test:
            exe = bundle / ("axiom-drop.exe" if os.name == "nt" else "axiom-drop")
            env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
            run([str(exe), "--self-test"], env=env)
    print(f"built axiom-drop {version} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
