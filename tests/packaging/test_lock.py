"""The bundle is built from packaging/build.lock, the app's dependencies from
packaging/requirements.lock (`make lock`). They must say what pyproject.toml says: a dependency
added, dropped or narrowed there without `make lock` fails here, and so does a pin that lets a
known-broken release in (PySide6 6.12.0 crashed every window kept open for long)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.M)


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "packaging" / name).read_text("utf-8")
    return {canonicalize_name(n): v for n, v in PIN.findall(text)}


def entries(name: str) -> list[str]:
    """Each pinned requirement with its continuation lines."""
    text = (ROOT / "packaging" / name).read_text("utf-8")
    return [e for e in re.split(r"\n(?=[A-Za-z0-9])", text) if PIN.match(e)]


def dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [Requirement(d) for d in project["dependencies"]]


def test_every_dependency_is_locked_within_its_range():
    locked = pins("requirements.lock")
    wrong = {str(r): locked.get(canonicalize_name(r.name)) for r in dependencies()
             if not r.specifier.contains(locked.get(canonicalize_name(r.name), "0"), prereleases=True)}
    assert wrong == {}, f"run `make lock`: {wrong}"


def test_the_lock_was_made_from_this_pyproject():
    direct = {canonicalize_name(PIN.match(e).group(1)) for e in entries("requirements.lock")
              if "axiom-drop (pyproject.toml)" in e}
    assert direct == {canonicalize_name(r.name) for r in dependencies()}, "run `make lock`"


def test_the_build_lock_pins_the_same_versions_plus_the_build_tools():
    app, build = pins("requirements.lock"), pins("build.lock")
    assert {n: (v, build.get(n)) for n, v in app.items() if build.get(n) != v} == {}
    assert {"pyinstaller", "setuptools"} <= set(build) - set(app)


def test_every_pin_carries_hashes():
    for name in ("requirements.lock", "build.lock"):
        unhashed = [e.split()[0] for e in entries(name) if "--hash=sha256:" not in e]
        assert unhashed == [], name


def test_the_broken_pyside_is_not_what_the_bundle_gets():
    assert pins("build.lock")["pyside6-essentials"] != "6.12.0"
