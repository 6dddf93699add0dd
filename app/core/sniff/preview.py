"""The first events as they would be sent, re-read from the head with the user's settings."""

from __future__ import annotations

import codecs
import io
import os

from app.core.io import open_raw
from app.core.sniff.csv_dialect import consistency, parse_records, rows_to_events
from app.core.sniff.encoding import decode
from app.core.sniff.formats import json_array, json_object, ndjson
from app.core.sniff.head import HEAD_BYTES, read_head
from app.core.sniff.models import SAMPLE_EVENTS, CsvDialect, LogSettings, Sniff
from app.core.sniff.textlog import head_events


def preview_rows(path_or_bytes: str | os.PathLike | bytes, sniff: Sniff, limit: int = SAMPLE_EVENTS) -> list[dict]:
    """The first events as they would be sent, re-read with `sniff`'s (possibly overridden) settings.

    CSV rows whose field count differs from the header carry RAGGED_KEY. Raises SourceError
    when the file cannot be read any more.
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        head = read_head(io.BytesIO(bytes(path_or_bytes)), HEAD_BYTES)
    else:
        with open_raw(path_or_bytes) as raw:
            head = read_head(raw, HEAD_BYTES)
    enc = sniff.encoding or "utf-8"
    data = head.data
    if enc == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        data, enc = data[3:], "utf-8"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if enc == name and data.startswith(bom):
            data = data[2:]
    try:
        text = decode(data, enc, head.whole).lstrip("\ufeff")
    except LookupError:
        text = decode(data, "utf-8", head.whole)
    fmt = sniff.format
    if fmt == "csv":
        dialect = sniff.csv or CsvDialect()
        rows, _ = parse_records(text, head.whole, dialect.delimiter, dialect.quotechar, max_rows=limit + 1)
        rows = rows[: limit + 1]
        if not rows:
            return []
        if dialect.has_header:
            fields, rows = [c.strip() for c in rows[0]], rows[1:]
        else:
            auto = not dialect.fields or all(f == f"col{i + 1}" for i, f in enumerate(dialect.fields))
            fields = [f"col{i + 1}" for i in range(consistency(rows)[0])] if auto else list(dialect.fields)
        return rows_to_events(rows, fields, limit)
    if fmt == "text":
        return head_events(text, head.whole, sniff.log_settings or LogSettings(), limit)[0]
    stripped = text.lstrip()
    if fmt == "json-array":
        return json_array(stripped, head.whole).sample[:limit]
    if fmt == "json-object":
        if sniff.records is not None:  # wrapped records: the elements, as they will be sent
            return sniff.records.elements[:limit]
        return json_object(stripped, head.whole).sample[:limit]
    if fmt == "ndjson":
        return ndjson(text, head.whole).sample[:limit]
    return []
