"""Reading a request body into events, with the errors Axiom gives (jsoniter's wording).

`application/json` takes a JSON array, or a stream of JSON objects (one object, pretty-printed or
not, or NDJSON); `application/x-ndjson` is strictly one object per non-blank line; CSV values are
strings (see `parse_csv`). Every event must be a JSON object: the first that is not
fails the whole request (BadEvent, its index 0-based within the request). A CSV record Go's
reader refuses fails it too, in Go's words (no index).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from aiohttp import web

from app.sandbox.errors import ApiError, BadEvent
from app.sandbox.gocsv import GoCsvError, read_records


async def json_object(request: web.Request, message: str) -> dict:
    """The request's JSON object body; ApiError 400 when it is not JSON, or not an object."""
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise ApiError(400, "invalid JSON body") from None
    if type(body) is not dict:
        raise ApiError(400, message)
    return body


def not_an_object(value: Any) -> str:
    """What jsoniter's ReadObject reports it found instead of an object."""
    if value is None:
        return "ReadObject: expect {, but found null"
    if isinstance(value, list):
        ch = "["
    elif isinstance(value, str):
        ch = '"'
    elif isinstance(value, bool):
        ch = "t" if value else "f"
    else:
        ch = str(value)[:1]
    return f"ReadObject: expect {{ or n, but found {ch}"


def bad_json(text: bytes | str, err: Exception) -> str:
    """What jsoniter reports for a value that does not parse (`text` starts at it)."""
    first = text.lstrip()[:1]
    if isinstance(first, bytes):
        first = first.decode("utf-8", "replace")
    if first and first != "{":
        return f"ReadObject: expect {{ or n, but found {first}"
    return f"ReadObjectCB: invalid JSON: {err}"


def parse_ndjson(body: bytes) -> list[dict]:
    """One object per non-blank line; the index counts non-blank lines."""
    events: list[dict] = []
    for line in body.split(b"\n"):
        line = line.strip()
        if not line:
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            raise BadEvent(len(events), bad_json(line, e)) from None
        if type(value) is not dict:
            raise BadEvent(len(events), not_an_object(value))
        events.append(value)
    return events


def _walk_values(text: str, in_array: bool) -> list[dict]:
    """Slow path that finds which value is bad: the elements of an array, or a stream of values."""
    decoder = json.JSONDecoder(parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    events: list[dict] = []
    pos, n = 0, len(text)

    def skip(p: int) -> int:
        while p < n and text[p] in " \t\r\n":
            p += 1
        return p

    pos = skip(pos)
    if in_array:
        pos = skip(pos + 1)  # past "["
        if pos < n and text[pos] == "]":
            pos = skip(pos + 1)
            if pos < n:
                raise BadEvent(0, f"ReadObject: expect {{ or n, but found {text[pos]}")
            return events
    while pos < n:
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, ValueError) as e:
            raise BadEvent(len(events), bad_json(text[pos:pos + 1], e)) from None
        if type(value) is not dict:
            raise BadEvent(len(events), not_an_object(value))
        events.append(value)
        pos = skip(pos)
        if in_array:
            if pos < n and text[pos] == ",":
                pos = skip(pos + 1)
                continue
            if pos < n and text[pos] == "]":
                pos = skip(pos + 1)
                if pos < n:
                    raise BadEvent(len(events), f"ReadObject: expect {{ or n, but found {text[pos]}")
                return events
            found = text[pos] if pos < n else "EOF"
            raise BadEvent(len(events), f"ReadArray: expect , or ], but found {found}")
    if in_array:
        raise BadEvent(len(events), "ReadArray: expect , or ], but found EOF")
    return events


_MISSING = object()


def parse_json(body: bytes) -> list[dict]:
    """application/json: an array of objects, one object, or a stream of objects (NDJSON)."""
    stripped = body.lstrip()
    if not stripped:
        return []
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        value = _MISSING
    if value is not _MISSING:
        if isinstance(value, list):
            for i, item in enumerate(value):
                if type(item) is not dict:
                    raise BadEvent(i, not_an_object(item))
            return value
        if type(value) is dict:
            return [value]
        raise BadEvent(0, not_an_object(value))
    if stripped[:1] != b"[":
        try:
            return parse_ndjson(body)
        except BadEvent:
            pass  # maybe pretty-printed objects one after another: the walk decides
    return _walk_values(body.decode("utf-8", "replace"), in_array=stripped[:1] == b"[")


def parse_csv(body: bytes, delimiter: str = ",", fields: list[str] | None = None) -> list[dict]:
    """text/csv with a header row (or `fields` from X-Axiom-CSV-Fields); values stay strings.

    Read as Go's encoding/csv reads it by default (gocsv.py): spaces are kept, blank lines
    skipped, a UTF-8 BOM kept (as in JSON bodies: clients strip it). A record Go refuses (a bare
    quote, a quote never closed, a row whose cell count differs from the first row's) refuses the
    whole request: ApiError 400 with Go's words and no event index (docs/axiom-api.md, "CSV")."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadEvent(0, f"csv: the body is not UTF-8 ({e.reason} at byte {e.start})") from None
    header = list(fields) if fields else None
    events: list[dict] = []
    try:
        for _, row in read_records(body, delimiter.encode("utf-8")):
            values = [cell.decode("utf-8") for cell in row]
            if header is None:
                header = values
                continue
            events.append(dict(zip(header, values)))
    except GoCsvError as e:
        raise ApiError(400, str(e)) from None
    return events
