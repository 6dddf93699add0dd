"""Open an input as a stream of UTF-8 bytes: a regular file checked with a message a person can
act on, then decompressed and transcoded, without ever loading the whole input."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from app.core.io.compression import decompressing
from app.core.io.transcode import transcoding


class SourceError(Exception):
    """An input that cannot be opened or read; the message names the file and says why."""


def open_raw(path: str | os.PathLike) -> BinaryIO:
    """Open a regular file for reading, with a message a person can act on when it fails."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise SourceError(f"{p}: no such file") from None
    except OSError as e:
        raise SourceError(f"{p}: cannot read it ({e.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError(f"{p}: is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{p}: not a regular file (a pipe, socket or device cannot be sniffed or resumed)")
    try:
        return open(p, "rb")
    except PermissionError:
        raise SourceError(f"{p}: permission denied (the file is not readable by you)") from None
    except OSError as e:
        raise SourceError(f"{p}: cannot open it ({e.strerror})") from None


def decoded(raw: BinaryIO, compression: str | None, encoding: str | None) -> BinaryIO:
    """A raw stream (a file from open_raw, bytes in memory) as UTF-8 bytes, decompressed, BOM removed."""
    return transcoding(decompressing(raw, compression), encoding)
