"""The Flatpak's Python dependencies (packaging/flatpak/python3-deps.yaml, no network at build
time) are the lock's: every pin that applies on the Flatpak runtime is there at its locked
version, for both architectures, as a file whose sha256 the lock lists, and nothing else is.
A lock changed without `make flatpak-deps` fails here. flatpak-builder cannot run on these
machines; this and test_desktop_metadata.py's manifest checks are what can be checked."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml
from packaging.markers import Marker
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[2]
FLATPAK = ROOT / "packaging" / "flatpak"


def generator():
    spec = importlib.util.spec_from_file_location("flatpak_deps", FLATPAK / "deps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def file_name_version(url: str) -> tuple[str, str]:
    name = url.rsplit("/", 1)[1]
    parsed = parse_wheel_filename(name) if name.endswith(".whl") else parse_sdist_filename(name)
    return canonicalize_name(parsed[0]), str(parsed[1])


def test_python3_deps_is_the_lock_for_both_architectures():
    gen = generator()
    module = yaml.safe_load((FLATPAK / "python3-deps.yaml").read_text("utf-8"))
    by_pkg: dict[str, list[dict]] = {}
    for src in module["sources"]:
        assert src["type"] == "file" and src["url"].startswith("https://files.pythonhosted.org/")
        by_pkg.setdefault(file_name_version(src["url"]), []).append(src)
    expected = {}
    for name, version, marker, hashes in gen.locked():
        if name in gen.FROM_BASE_APP:
            continue
        arches = {a for a in gen.ARCHES if marker is None or Marker(marker).evaluate(gen.runtime_env(a))}
        if arches:
            expected[(name, version)] = (arches, hashes)
    assert set(by_pkg) == set(expected), "run `make flatpak-deps` after `make lock`"
    for key, (arches, hashes) in expected.items():
        covered = set()
        for src in by_pkg[key]:
            assert src["sha256"] in hashes, (key, src["url"])  # the locked file, not another build
            covered |= set(src.get("only-arches", gen.ARCHES))
        assert covered >= arches, key
    installed = module["build-commands"][0].split("file://${PWD}\" ", 1)[1].split()
    assert sorted(installed) == sorted(name for name, _ in expected)
    assert "--no-index" in module["build-commands"][0]


def test_the_manifest_builds_the_generated_module_and_pyside_comes_from_the_base_app():
    manifest = yaml.safe_load((FLATPAK / "co.axiom.AxiomDrop.yml").read_text("utf-8"))
    assert manifest["modules"][0] == "python3-deps.yaml"
    assert manifest["base"] == "io.qt.PySide.BaseApp"
    text = (FLATPAK / "python3-deps.yaml").read_text("utf-8").lower()
    assert "pyside6" not in text.split("sources:")[1] and "shiboken6" not in text.split("sources:")[1]
