"""Write packaging/flatpak/python3-deps.yaml from packaging/requirements.lock (`make flatpak-deps`).

The Flatpak build has no network, so its Python dependencies are files with URLs and sha256s.
They come from the same lock the bundle is built from: every pin whose markers hold on the
Flatpak runtime (Linux, the runtime's Python), minus PySide6 and shiboken6 (the base app has
them), as the wheel PyPI serves for each architecture (a file whose sha256 is one of the lock's
hashes for that pin, so nothing unlocked gets in), or the sdist where no wheel fits.
flatpak-pip-generator does the same from a requirements file but resolves anew; this keeps the
lock the one source of versions. tests/packaging/test_flatpak_deps.py checks the two agree."""

from __future__ import annotations

import json
import re
import sys
import urllib.request
from pathlib import Path

import yaml
from packaging.markers import Marker
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "packaging" / "requirements.lock"
OUT = ROOT / "packaging" / "flatpak" / "python3-deps.yaml"
RUNTIME_PYTHON = (3, 12)  # org.kde.Platform 6.10 is on freedesktop-sdk 24.08: Python 3.12, glibc 2.40
RUNTIME_GLIBC = (2, 40)
ARCHES = ("x86_64", "aarch64")
FROM_BASE_APP = {"pyside6-essentials", "shiboken6"}
ENTRY = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)\s*(?:;\s*([^\\\n]+))?", re.M)
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def locked() -> list[tuple[str, str, str | None, set[str]]]:
    """(name, version, marker, hashes) of each pin in the lock."""
    text = LOCK.read_text("utf-8")
    blocks = [b for b in re.split(r"\n(?=[A-Za-z0-9])", text) if ENTRY.match(b)]
    out = []
    for block in blocks:
        name, version, marker = ENTRY.match(block).groups()
        out.append((canonicalize_name(name), version, marker.strip() if marker else None, set(HASH.findall(block))))
    return out


def runtime_env(arch: str) -> dict[str, str]:
    py = ".".join(map(str, RUNTIME_PYTHON))
    return {"python_version": py, "python_full_version": py + ".0", "sys_platform": "linux",
            "platform_system": "Linux", "platform_machine": arch, "os_name": "posix",
            "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def supported_tags(arch: str) -> list[Tag]:
    platforms = [f"manylinux_{RUNTIME_GLIBC[0]}_{minor}_{arch}" for minor in range(RUNTIME_GLIBC[1], 16, -1)]
    platforms += [f"manylinux2014_{arch}", f"linux_{arch}"]
    tags = list(cpython_tags(RUNTIME_PYTHON, platforms=platforms))
    return tags + list(compatible_tags(RUNTIME_PYTHON, "cp312", platforms=platforms))


def pypi_files(name: str) -> list[dict]:
    req = urllib.request.Request(f"https://pypi.org/simple/{name}/",
                                 headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.load(resp)["files"]


def pick(files: list[dict], version: str, hashes: set[str], arch: str) -> dict | None:
    """The best wheel for arch among the locked files of this version, else its sdist."""
    ours = [f for f in files if f.get("hashes", {}).get("sha256") in hashes]
    rank = {t: i for i, t in enumerate(supported_tags(arch))}
    best, best_rank = None, len(rank)
    for f in ours:
        if f["filename"].endswith(".whl"):
            _, ver, _, tags = parse_wheel_filename(f["filename"])
            if str(ver) != version and ver.public != version:
                continue
            r = min((rank[t] for t in tags if t in rank), default=len(rank))
            if r < best_rank:
                best, best_rank = f, r
    return best or next((f for f in ours if f["filename"].endswith((".tar.gz", ".zip"))), None)


def sources() -> tuple[list[str], list[dict]]:
    names, srcs = [], []
    for name, version, marker, hashes in locked():
        if name in FROM_BASE_APP:
            continue
        arches = [a for a in ARCHES if marker is None or Marker(marker).evaluate(runtime_env(a))]
        if not arches:
            continue
        files = pypi_files(name)
        chosen = {a: pick(files, version, hashes, a) for a in arches}
        missing = [a for a, f in chosen.items() if f is None]
        if missing:
            sys.exit(f"{name}=={version}: no locked file fits the Flatpak runtime on {missing}")
        names.append(name)
        by_file: dict[str, list[str]] = {}
        for a, f in chosen.items():
            by_file.setdefault(f["filename"], []).append(a)
        for filename, file_arches in by_file.items():
            f = chosen[file_arches[0]]
            src = {"type": "file", "url": f["url"], "sha256": f["hashes"]["sha256"]}
            if len(file_arches) < len(ARCHES):
                src["only-arches"] = file_arches
            srcs.append(src)
    return names, srcs


def main() -> int:
    names, srcs = sources()
    module = {
        "name": "python3-deps",
        "buildsystem": "simple",
        "build-commands": [
            "pip3 install --verbose --exec-prefix=${FLATPAK_DEST} --prefix=${FLATPAK_DEST} "
            '--no-build-isolation --no-index --find-links="file://${PWD}" ' + " ".join(names)],
        "sources": srcs,
    }
    header = ("# Generated by packaging/flatpak/deps.py from packaging/requirements.lock (`make flatpak-deps`):\n"
              "# do not edit. PySide6 comes from the base app.\n")
    OUT.write_text(header + yaml.safe_dump(module, sort_keys=False, width=200), "utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(names)} packages, {len(srcs)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
