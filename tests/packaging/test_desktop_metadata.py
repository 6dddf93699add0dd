"""The launcher, AppStream metadata, icons and per-platform metadata are valid and agree."""

from __future__ import annotations

import configparser
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "resources"
DESKTOP = RES / f"{app.APP_ID}.desktop"
METAINFO = RES / f"{app.APP_ID}.metainfo.xml"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MIME_TYPES = {"application/json", "application/x-ndjson", "text/csv", "application/gzip",
              "application/x-gzip", "application/zstd"}


def project_version() -> str:
    return re.search(r'^__version__ = "([^"]+)"', (ROOT / "app" / "__init__.py").read_text(), re.M).group(1)


def need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.skip(f"{tool} is not installed (apt-get install desktop-file-utils appstream)")
    return path


def test_desktop_file_validates():
    proc = subprocess.run([need("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_metainfo_validates():
    proc = subprocess.run([need("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_launcher_opens_files_of_the_supported_types():
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str
    entry.read(DESKTOP)
    d = entry["Desktop Entry"]
    assert d["Exec"] == "axiom-drop %F"     # file manager "Open with" / drops pass the paths
    assert d["Icon"] == app.APP_ID and d["Name"] == app.APP_NAME
    assert set(filter(None, d["MimeType"].split(";"))) == MIME_TYPES


def test_metainfo_names_the_app_its_launcher_and_this_release():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == app.APP_ID
    assert root.find("launchable").text == DESKTOP.name
    release = root.find("releases/release")
    assert release.get("version") == project_version() and release.get("date") == "2026-11-26"
    shots = [img.text for img in root.iter("image")]
    assert shots and all(s.startswith("https://") and "/docs/screenshots/" in s for s in shots)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_icons_exist_in_every_size_and_format():
    for size in SIZES:
        png = RES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{app.APP_ID}.png"
        assert png_size(png) == (size, size)
    assert (RES / "icons" / "hicolor" / "scalable" / "apps" / f"{app.APP_ID}.svg").is_file()
    ico = (RES / "icons" / "axiom-drop.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00" and struct.unpack("<H", ico[4:6])[0] >= 6   # 16…256
    icns = (RES / "icons" / "axiom-drop.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    # The window icon the app loads at run time is the source of all of them.
    assert (ROOT / "app" / "resources" / "icon.svg").read_bytes() == \
        (RES / "icons" / f"{app.APP_ID}.svg").read_bytes()


def test_windows_version_info_matches_the_package_version():
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import version_info
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    committed = (ROOT / "packaging" / "windows" / "version_info.txt").read_text()
    assert committed == version_info.render(project_version())
    assert version_info.version_tuple("1.2.3rc1+local") == (1, 2, 3, 0)


def test_windows_installer_associates_every_input_extension():
    iss = (ROOT / "packaging" / "windows" / "axiom-drop.iss").read_text()
    for ext in (".json", ".ndjson", ".jsonl", ".csv", ".tsv", ".gz", ".zst"):
        assert f'Software\\Classes\\{ext}\\OpenWithProgids' in iss, ext
    assert "ChangesAssociations=yes" in iss


def test_macos_entitlements_are_minimal():
    ent = plistlib.loads((ROOT / "packaging" / "macos" / "entitlements.plist").read_bytes())
    assert ent == {
        "com.apple.security.app-sandbox": True,
        "com.apple.security.network.client": True,
        "com.apple.security.network.server": True,          # the local sandbox on 127.0.0.1
        "com.apple.security.files.user-selected.read-only": True,
    }


FINISH_ARGS = {"--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11",
               "--talk-name=org.freedesktop.secrets"}


def test_flatpak_manifest_grants_network_and_secrets_but_no_file_system():
    text = (ROOT / "packaging" / "flatpak" / f"{app.APP_ID}.yml").read_text()
    block = text.split("\nfinish-args:\n", 1)[1].split("\nmodules:", 1)[0]
    args = {line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ")}
    assert args == FINISH_ARGS
    assert "--filesystem" not in block.replace("No --filesystem", "")


def test_flatpak_manifest_structure():
    import yaml
    manifest = yaml.safe_load((ROOT / "packaging" / "flatpak" / f"{app.APP_ID}.yml").read_text())
    assert manifest["id"] == app.APP_ID and manifest["command"] == "axiom-drop"
    assert manifest["base"] == "io.qt.PySide.BaseApp" and manifest["runtime"] == "org.kde.Platform"
    assert manifest["runtime-version"] == manifest["base-version"]
    assert set(manifest["finish-args"]) == FINISH_ARGS
