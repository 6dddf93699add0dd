"""Wrapped records: the elements of an array inside a JSON object (`{"Records": [...]}`, an API
export's `{"data": [...], "has_more": false}`, a search answer's `hits.hits`) as the events.

Streamed: the keys before the array are read (they are small: the sniff only offers this when the
array holds nearly all of the bytes), the array goes through the fast array reader, and the keys
after it are read to check that the object ends well. `with_fields` adds the other keys (the plan's,
from the sniff) to each event that is an object, before its own keys: its own value of a name wins.
"""

from __future__ import annotations

import dataclasses
import json
from typing import BinaryIO, Iterator

import orjson

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop
from app.core.batching.json_fast import _Rest, read_json_array

_decoder = json.JSONDecoder()


class _Text:
    """A little decoded text over the stream, with the byte offset and line of its start."""

    def __init__(self, stream: BinaryIO, offset: int, line: int, data: bytes = b""):
        self.stream, self.data, self.offset, self.line, self.eof = stream, data, offset, line, False

    def text(self) -> str:
        return self.data.decode("utf-8", "surrogateescape")

    def more(self) -> bool:
        if self.eof or len(self.data) > limits.MAX_RECORD:
            return False
        chunk = self.stream.read(limits.CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.data += chunk
        return True

    def skip(self, chars: int) -> None:
        """Drop the first `chars` characters of text()."""
        head = self.text()[:chars].encode("utf-8", "surrogateescape")
        self.line += head.count(b"\n")
        self.offset += len(head)
        self.data = self.data[len(head):]


def _ws(t: _Text) -> str:
    """Skip whitespace; the next character ("" at the end)."""
    while True:
        s = t.text()
        k = len(s) - len(s.lstrip(" \t\r\n"))
        t.skip(k)
        if t.data:
            return t.text()[0]
        if not t.more():
            return ""


def _value(t: _Text, what: str) -> object:
    """Decode the JSON value at the start of the text, reading more as needed, and drop it."""
    _ws(t)
    while True:
        s = t.text()
        try:
            value, end = _decoder.raw_decode(s)
            if end < len(s) or t.eof:
                t.skip(end)
                return value
        except ValueError as e:
            if t.eof or len(t.data) > limits.MAX_RECORD:
                raise Stop(f"the JSON object has a syntax error at line {t.line}: {what} ({e})", t.line,
                           t.offset) from None
        if not t.more() and not t.eof:
            raise Stop(f"the JSON object has a value longer than {limits.MAX_RECORD >> 20} MB at line {t.line}",
                       t.line, t.offset)


def _expect(t: _Text, chars: str, what: str) -> str:
    ch = _ws(t)
    if not ch or ch not in chars:
        found = f"found {ch!r}" if ch else "the input ends"
        raise Stop(f"the JSON object has a syntax error at line {t.line}: expected {what}, {found}", t.line, t.offset)
    t.skip(1)
    return ch


def read_wrapped(stream: BinaryIO, b: Builder, path: list[str], line: int, offset: int,
                 resumed: bool) -> Iterator[Batch]:
    """The events of the array at `path` (keys from the top-level object down); resumed: the
    stream is just after one of its elements."""
    t = _Text(stream, offset, line)
    if not resumed:
        for depth, key in enumerate(path):
            _expect(t, "{", "'{'")
            while True:
                ch = _ws(t)
                if ch == "}" or not ch:
                    raise Stop(f"the JSON object holds no key {'.'.join(path[:depth + 1])!r} (its records): "
                               "choose another records path, or send the object as one event",
                               t.line, t.offset)
                name = _value(t, "expected a key")
                _expect(t, ":", "':'")
                if name == key:
                    break
                _value(t, f"in the value of {name!r}")
                if _expect(t, ",}", "',' or '}'") == "}":
                    raise Stop(f"the JSON object holds no key {'.'.join(path[:depth + 1])!r} (its records)",
                               t.line, t.offset)
        if _ws(t) != "[":
            raise Stop(f"{'.'.join(path)!r} is not an array at line {t.line}: its elements cannot be the events",
                       t.line, t.offset)
    rest = _Rest(t.data, stream)
    end = yield from read_json_array(rest, b, t.line, t.offset, resumed, inner=True)
    if end is None:  # the array reader met the input's end: it said why (a Stop) or it was empty
        return
    off, ln, left = end
    t = _Text(stream, off, ln, bytes(left))
    t.eof = rest.eof
    for _ in path:  # the keys after the array, then the end of each object
        while _expect(t, ",}", "',' or '}'") == ",":
            _value(t, "expected a key")
            _expect(t, ":", "':'")
            _value(t, "in a value after the records")
    if _ws(t):
        raise Stop(f"unexpected text after the end of the JSON object at line {t.line}", t.line, t.offset)


def with_fields(batches: Iterator[Batch], fields: dict) -> Iterator[Batch]:
    """The batches with `fields` put first in each event that is an object (bytes methods only:
    each event is one line of the body, starting with "{" when it is an object)."""
    p = orjson.dumps(fields)[1:-1]
    if not p:
        yield from batches
        return
    full, empty = b"\n{" + p + b",", b"{" + p + b",}"
    for batch in batches:
        body = (b"\n" + batch.body).replace(b"\n{", full).replace(empty, b"{" + p + b"}")[1:]
        yield dataclasses.replace(batch, body=body)
