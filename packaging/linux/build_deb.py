"""Build dist/axiom-drop_VERSION_ARCH.deb from the PyInstaller bundle (`make deb`).

The bundle goes to /opt/axiom-drop (it carries its own Python and Qt, so it stays out of
/usr/lib's shared namespace); /usr/bin/axiom-drop, the menu entry, the icons and the AppStream
metadata go to the system places, so the app appears in menus and "Open with" like any other.
Depends: is computed by dpkg-shlibdeps from every ELF file in the bundle (libraries the bundle
carries itself are resolved inside it), so the package asks apt for exactly the system libraries
it links against. Built with dpkg-deb --root-owner-group (reproducible, no fakeroot), then checked
with lintian when it is installed (`--no-lintian` skips that)."""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "co.axiom.AxiomDrop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ELF_MAGIC = b"\x7fELF"
MAINTAINER = "Axiom Drop developers <axiom-drop@users.noreply.github.com>"


def version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text("utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()


def elf_files(tree: Path) -> list[Path]:
    found = []
    for path in sorted(tree.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == ELF_MAGIC:
                    found.append(path)
    return found


def shlib_depends(pkg_root: Path, work: Path) -> str:
    """dpkg-shlibdeps over the bundle's ELF files; the bundle's own library folders are private
    search paths (-l), so only what the system must provide becomes a dependency."""
    elves = elf_files(pkg_root / "opt" / "axiom-drop")
    lib_dirs = sorted({str(p.parent) for p in elves if ".so" in p.name})
    (work / "debian").mkdir(exist_ok=True)
    (work / "debian" / "control").write_text(
        "Source: axiom-drop\n\nPackage: axiom-drop\nArchitecture: any\n", "utf-8")
    cmd = ["dpkg-shlibdeps", "-O", "--ignore-missing-info", f"-S{pkg_root}",
           *(f"-l{d}" for d in lib_dirs), *map(str, elves)]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"dpkg-shlibdeps failed:\n{proc.stderr}")
    match = re.search(r"^shlibs:Depends=(.*)$", proc.stdout, re.M)
    return match.group(1).strip() if match else ""


def write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    path.chmod(mode)


def gzip_n(src_text: str, dest: Path) -> None:
    """gzip -9n: no name or time in the header (lintian's and reproducibility's wish)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(src_text.encode("utf-8"))
    dest.chmod(0o644)


def lay_out(bundle: Path, pkg_root: Path, ver: str) -> int:
    """The files of the package under pkg_root; returns the installed size in KiB."""
    shutil.copytree(bundle, pkg_root / "opt" / "axiom-drop", symlinks=True)
    for lib in (pkg_root / "opt").rglob("*.so*"):  # loaded, never run: Debian ships them 0644
        if lib.is_file() and not lib.is_symlink():
            lib.chmod(0o644)
    bindir = pkg_root / "usr" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "axiom-drop").symlink_to("/opt/axiom-drop/axiom-drop")
    share = pkg_root / "usr" / "share"
    for sub, name in (("applications", f"{APP_ID}.desktop"), ("metainfo", f"{APP_ID}.metainfo.xml")):
        (share / sub).mkdir(parents=True)
        shutil.copy(ROOT / "resources" / name, share / sub / name)
    icons = ROOT / "resources" / "icons" / "hicolor"
    for size in ICON_SIZES:
        dest = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        dest.mkdir(parents=True)
        shutil.copy(icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png", dest)
    (share / "icons" / "hicolor" / "scalable" / "apps").mkdir(parents=True)
    shutil.copy(icons / "scalable" / "apps" / f"{APP_ID}.svg", share / "icons" / "hicolor" / "scalable" / "apps")
    doc = share / "doc" / "axiom-drop"
    licence = (ROOT / "LICENSE").read_text("utf-8") if (ROOT / "LICENSE").is_file() else "MIT License\n"
    write(doc / "copyright",
          "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
          "Upstream-Name: axiom-drop\n\nFiles: *\nCopyright: 2026 Axiom Drop developers\nLicense: MIT\n"
          + "".join(f" {line}\n" if line.strip() else " .\n" for line in licence.splitlines()) + "\n"
          "Files: opt/axiom-drop/_internal/*\nCopyright: 1991-2026 the authors of each bundled library\n"
          "License: various\n The bundle carries Python, Qt (LGPL-3) via PySide6, and the Python\n"
          " libraries listed in packaging/requirements.lock, each under its own licence.\n")
    gzip_n(f"axiom-drop ({ver}) unstable; urgency=medium\n\n  * Release {ver}.\n\n"
           f" -- {MAINTAINER}  Wed, 02 Dec 2026 00:00:00 +0000\n", doc / "changelog.gz")
    gzip_n(man_page(ver), share / "man" / "man1" / "axiom-drop.1.gz")
    # The /opt layout and the bundled interpreter are deliberate (see the module docstring).
    write(share / "lintian" / "overrides" / "axiom-drop",
          "# A self-contained bundle: Python, Qt and the libraries it was tested with, under /opt.\n"
          "axiom-drop: dir-or-file-in-opt [opt/axiom-drop/*]\n"
          "axiom-drop: embedded-library *\n"
          "axiom-drop: unstripped-binary-or-object *\n"
          "axiom-drop: shared-library-lacks-prerequisites *\n"
          "axiom-drop: library-not-linked-against-libc *\n"
          "axiom-drop: binary-or-shlib-defines-rpath *\n"
          "axiom-drop: hardening-no-fortify-functions *\n"
          "axiom-drop: spelling-error-in-binary *\n"
          "axiom-drop: hardening-no-pie [opt/axiom-drop/axiom-drop]\n")
    size = sum(p.lstat().st_size for p in pkg_root.rglob("*") if not p.is_dir())
    return (size + 1023) // 1024


def man_page(ver: str) -> str:
    """A short axiom-drop(1): what it is and where the full usage is (`axiom-drop --help`)."""
    return (f'.TH AXIOM-DROP 1 "2026-12-02" "axiom-drop {ver}" "User Commands"\n'
            ".SH NAME\naxiom-drop \\- send log and event files to Axiom\n"
            ".SH SYNOPSIS\n.B axiom-drop\n[\\fIFILE\\fR...]\n.br\n.B axiom-drop\n"
            "\\fBsend\\fR|\\fBinspect\\fR|\\fBresume\\fR|\\fBsandbox\\fR [\\fIOPTIONS\\fR]\n.br\n"
            ".B axiom-drop\n\\-\\-self\\-test\n"
            ".SH DESCRIPTION\nWithout a command, opens the window, with FILEs queued. "
            "The commands send, inspect and resume files from the command line; sandbox runs a "
            "local Axiom-compatible server. Run \\fBaxiom-drop\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR "
            "for each command's options.\n"
            ".SH ENVIRONMENT\n.TP\n.B AXIOM_TOKEN, AXIOM_URL, AXIOM_EDGE_URL, AXIOM_ORG_ID\n"
            "the connection used by the commands.\n.TP\n.B HTTPS_PROXY, NO_PROXY\nproxy settings, honoured.\n")


def control(ver: str, architecture: str, depends: str, installed_kib: int) -> str:
    return (
        f"Package: axiom-drop\nVersion: {ver}\nArchitecture: {architecture}\nMaintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\nDepends: {depends}\nRecommends: gnome-keyring | kwalletmanager\n"
        "Section: utils\nPriority: optional\n"
        "Description: desktop app for sending log and event files to Axiom\n"
        " Drag JSON, NDJSON, CSV and text log files (also gzip or zstd compressed) onto\n"
        " the window, see what each file is with a preview, pick a dataset and watch the\n"
        " upload queue report per file how many events were ingested and why any failed.\n"
        " Uploads are resumable; tokens are kept in the system keyring.\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "axiom-drop")
    p.add_argument("--out-dir", type=Path, default=ROOT / "dist")
    p.add_argument("--no-lintian", action="store_true")
    args = p.parse_args(argv)
    if not (args.bundle / "axiom-drop").is_file():
        sys.exit(f"no bundle at {args.bundle}: run `make package` first")
    ver, architecture = version(), arch()
    work = ROOT / "build" / "deb"
    shutil.rmtree(work, ignore_errors=True)
    pkg_root = work / f"axiom-drop_{ver}_{architecture}"
    installed = lay_out(args.bundle, pkg_root, ver)
    depends = shlib_depends(pkg_root, work)
    write(pkg_root / "DEBIAN" / "control", control(ver, architecture, depends, installed))
    out = args.out_dir.resolve() / f"axiom-drop_{ver}_{architecture}.deb"
    out.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1796169600"))
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(pkg_root), str(out)],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    print(f"deb: {out} ({out.stat().st_size / 2**20:.1f} MiB, installed {installed / 1024:.0f} MiB)")
    print(f"Depends: {depends}")
    if not args.no_lintian:
        if shutil.which("lintian") is None:
            print("lintian is not installed: not checked (apt-get install lintian)")
        else:
            proc = subprocess.run(["lintian", "--fail-on", "error", "--tag-display-limit", "0", str(out)],
                                  text=True, capture_output=True)
            print(proc.stdout + proc.stderr, end="")
            if proc.returncode != 0:
                sys.exit("lintian reported errors")
            print("lintian: no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
