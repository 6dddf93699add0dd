"""The text encodings a card offers, and how they read."""

from __future__ import annotations

import codecs

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16-le": "UTF-16 LE",
                   "utf-16-be": "UTF-16 BE", "cp1252": "Windows-1252", "latin-1": "Latin-1", "ascii": "ASCII"}


def encoding_label(enc: str | None) -> str:
    if not enc:
        return "—"
    return ENCODING_LABELS.get(enc.lower(), enc)


def valid_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
        return True
    except LookupError:
        return False
