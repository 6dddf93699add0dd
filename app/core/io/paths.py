"""Which files a drop, a paste or a command line means: folders expanded to their data files,
and file paths picked out of pasted text. One rule for the window and the CLI."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Extensions considered when a folder is dropped (files given one by one are always tried).
SUPPORTED_SUFFIXES = (".json", ".ndjson", ".jsonl", ".csv", ".tsv", ".txt", ".log")
COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd")
LOOP_SKIPPED = "skipped, a link loops back to a folder already read"


def expand_paths(paths: list[str | os.PathLike]) -> tuple[list[Path], list[str]]:
    """Files to send for the given paths: a folder means its supported files (recursively, links
    followed once, loops cut). Returns (files, problems) where problems are messages."""
    files: list[Path] = []
    problems: list[str] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            seen: set[tuple[int, int]] = set()
            for root, dirs, names in os.walk(p, followlinks=True):
                try:
                    st = os.stat(root)
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    problems.append(f"{shown(root)}: {LOOP_SKIPPED}")
                    dirs[:] = []
                    continue
                seen.add(key)
                dirs.sort(key=natural_key)
                for name in sorted(names, key=natural_key):
                    if is_supported_name(name):
                        files.append(Path(root) / name)
        elif p.exists() or p.is_symlink():
            files.append(p)
        else:
            problems.append(f"{shown(p)}: no such file")
    return files, problems


def natural_key(name: str) -> tuple:
    """Names in the order a file manager shows them: part-2 before part-10, app.log.9 before
    app.log.10 (so a folder of numbered parts is listed and sent in its own order)."""
    runs = tuple((0, int(run), "") if run.isdigit() else (1, 0, run.casefold()) for run in re.findall(r"\d+|\D+", name))
    return runs, name


def shown(path: str | os.PathLike) -> str:
    """A path as a person reads it: bytes of its name that are not UTF-8 (Linux allows any byte
    but / and NUL) as \\xNN escapes, so it prints, shows in Qt and goes in JSON; the real path is
    kept beside it for opening the file."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_supported_name(name: str) -> bool:
    lower = name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
            break
    return lower.endswith(SUPPORTED_SUFFIXES)


_DRIVE = re.compile(r"[A-Za-z]:[\\/]")


def paths_from_text(text: str) -> list[str]:
    """Paths in pasted or dropped text: one per line, plain or in matching quotes, ~ for home,
    file:// URLs, Windows drive and UNC paths. Lines that do not look like an absolute path (JSON,
    prose) are ignored. Existence is not checked here: expand_paths names a missing file."""
    found: list[str] = []
    for line in text.splitlines():
        item = _unquoted(line.strip())
        if not item:
            continue
        if item.startswith("file:"):
            local = _local_file(item)
            if local:
                found.append(local)
            continue
        if item.startswith("~"):
            item = os.path.expanduser(item)
        if item.startswith(("/", "\\\\")) or _DRIVE.match(item):
            found.append(item)
    return found


def _unquoted(item: str) -> str:
    """The text inside one pair of matching quotes ("Copy as path" on Windows adds them)."""
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        return item[1:-1].strip()
    return item


def _local_file(url: str) -> str:
    """The local path of a file: URL ("" when it names none): percent-escapes decoded, a host
    other than localhost kept as a UNC path, the slash before a drive letter dropped."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.startswith("/") and _DRIVE.match(path[1:]):
        path = path[1:]
    if parts.netloc and parts.netloc.lower() != "localhost":
        return f"//{parts.netloc}{path}"
    return path
