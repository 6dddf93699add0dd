"""JSON arrays (and "json-object" inputs, read as a sequence of top-level values, so several
concatenated pretty-printed objects also work) as NDJSON records: the exact, general reader.

Big arrays take the fast path (json_fast.py: msgspec finds the elements); it hands over to this
reader for what it does not handle (the array's end, a syntax error, NaN, odd elements), one
element at a time when `budget` is given. Both follow one rule (`record`): an
element on one line, in valid UTF-8, whose numbers are finite is sent as its own bytes; any other
is decoded and re-encoded (a pretty-printed element becomes one line).

Decoded with the standard library's C scanner (`json.JSONDecoder.raw_decode`) and re-encoded with
orjson. Why not ijson? Its events carry no positions, and each batch must know the line where
every element starts and the byte offset where it ends (resume, failures by line). raw_decode
returns the end index of each value; with the bookkeeping it runs at 40-65 MB/s here, on par with
`ijson.items` (yajl2_c) + orjson.dumps, while orjson's "trailing data" error (the other C way to
find an element's end) was 7x slower: it raises an exception per element and the element must
then be parsed again.

Non-object elements of a JSON array (42, "x", [..]) are kept as records: the server rejects them
by index, `validate_records` names them, and they are reported with their line like any other
bad event. `Batch.skipped` is only used for values that cannot be re-encoded at all.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, BinaryIO, Callable, Iterator

import orjson

import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop
from app.core.batching.validation import NOT_FINITE, not_finite


_JSON_WS = re.compile(r"[ \t\n\r]*")
_raw_decode = json.JSONDecoder().raw_decode
_NEAR_END = 64  # an error/value this close to the end of the window may just be cut by the window


class _Window:
    """Decoded text over the stream with monotone cursors giving line numbers and byte offsets."""

    def __init__(self, stream: BinaryIO, offset: int, line: int):
        self.stream = stream
        # surrogateescape keeps byte offsets exact even if the input holds invalid UTF-8
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.s = ""
        self.eof = False
        self.line_pos, self.line = 0, line
        self.byte_pos, self.byte = 0, offset
        self.on_trim: Callable[[], None] = lambda: None

    def line_at(self, pos: int) -> int:
        self.line += self.s.count("\n", self.line_pos, pos)
        self.line_pos = pos
        return self.line

    def byte_at(self, pos: int) -> int:
        if self.s.isascii():  # O(1) for str
            self.byte += pos - self.byte_pos
        else:
            self.byte += len(self.s[self.byte_pos:pos].encode("utf-8", "surrogateescape"))
        self.byte_pos = pos
        return self.byte

    def grow(self, keep_from: int, want: int = 0) -> tuple[int, bool]:
        """Drop text before keep_from, read at least one more piece; (shift, got_more)."""
        self.on_trim()
        self.line_at(keep_from)
        self.byte_at(keep_from)
        self.s = self.s[keep_from:]
        self.line_pos -= keep_from
        self.byte_pos -= keep_from
        while not self.eof:
            data = self.stream.read(max(want, limits.CHUNK))
            text = self.decoder.decode(data or b"", final=not data)
            if not data:
                self.eof = True
            if text:
                self.s += text
                return keep_from, True
        return keep_from, False


def _encode(value: Any) -> bytes | None:
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # integers over 64 bits, lone surrogates: the stdlib encoder copes
        try:
            return json.dumps(value, separators=(",", ":")).encode("utf-8") + b"\n"
        except (TypeError, ValueError):
            return None


_SEP = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
# A number the server would not keep: an exponent of 100 or more (1e400 is inf, stored as null).
# Found without a regex over every byte: `digits` maps digits to "0", "e", "E" and "+" to "e" and
# what may follow a number to "x" (positions kept), so one search sees "1e400," or "2.5E+1234}"
# (an exponent of 3 or 4 digits, then the end of the number), while hex ids ("5e312") never end so.
_DIGITS = bytes(ord("0") if 48 <= c <= 57 else ord("e") if c in b"eE+" else ord("x") if c in b",}] \t\r\n"
                else ord("h") for c in range(256))
_BIG = re.compile(rb"e0000?x")
CANNOT_ENCODE = "the value cannot be encoded as JSON"


def digits(data: bytes | bytearray) -> bytes | bytearray:
    """`data` with its bytes mapped for `has_big_exponent` (same length, same positions)."""
    return data.translate(_DIGITS)


def has_big_exponent(mapped: bytes | bytearray, start: int = 0, end: int | None = None) -> bool:
    """True when mapped JSON text (`digits`) may hold a number with an exponent of 100 or more
    between start and end (rarely: then look closer)."""
    return _BIG.search(mapped, start, len(mapped) if end is None else end) is not None


def one_line(eb: bytes) -> bool:
    """True when an element's bytes can stand as one NDJSON line: no line break, valid UTF-8."""
    if b"\n" in eb or b"\r" in eb:
        return False
    if not eb.isascii():
        try:
            eb.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def flagged(eb: bytes) -> bool:
    """True when an element's value must be looked at before its bytes are sent."""
    return has_big_exponent(digits(b"," + eb + b",")) or b"NaN" in eb or b"Infinity" in eb


def record(eb: bytes, value: Any) -> tuple[bytes | None, str]:
    """The rule for one element, both paths: its own bytes when they are one line and its numbers
    finite, else re-encoded (a pretty-printed element becomes one line); None: not sent, and why."""
    if one_line(eb) and not not_finite(value):
        return eb + b"\n", CANNOT_ENCODE
    return reencode(value, eb.count(b"null"))


def reencode(value: Any, source_nulls: int) -> tuple[bytes | None, str]:
    """(record, why not): a decoded element as one NDJSON line, or None with the reason it is not sent."""
    try:
        rec: bytes | None = orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        rec = _encode(value)
    if rec is not None and rec.count(b"null") > source_nulls and not_finite(value):
        return None, NOT_FINITE  # 1e400, NaN, Infinity: orjson writes null, quietly
    return rec, CANNOT_ENCODE


def read_json(stream: BinaryIO, b: Builder, line: int, offset: int, array: bool, resumed: bool,
              budget: int | None = None, inner: bool = False) -> Iterator[Batch]:
    """JSON array elements (or top-level values) as NDJSON records.

    Per element: one raw_decode, one orjson.dumps or encode, two short newline counts. Byte offsets
    (which need an encode when the text is not ASCII) are only worked out per batch and per window
    trim. With `budget`, returns True after that many array elements (b.end is just past the last).
    With `inner` (an array inside an object), returns (offset, line) just past its "]" instead of
    checking that nothing follows."""
    w = _Window(stream, offset, line)
    what = "JSON array" if array else "JSON text"
    max_events, max_bytes = b.max_events, b.max_bytes
    pend = -1  # window index of the last element's end, whose byte offset b.end does not have yet

    def settle() -> None:
        nonlocal pend
        if pend >= 0:
            b.end = w.byte_at(pend)
            pend = -1

    w.on_trim = settle

    def peek(p: int) -> tuple[int, str]:
        """Skip whitespace from p; (index, char) of the next thing, char "" at the end."""
        while True:
            p = _JSON_WS.match(w.s, p).end()
            if p < len(w.s):
                return p, w.s[p]
            shift, got = w.grow(p)
            p -= shift
            if not got:
                return p, ""

    def stop(message: str, p: int) -> Stop:
        settle()
        return Stop(message, w.line_at(p), w.byte_at(p))

    def value_at(p: int) -> tuple[Any, int, int]:
        """Decode the value starting at p, reading more as needed; (value, p, end), p rebased."""
        while True:
            s = w.s
            try:
                value, q = _raw_decode(s, p)
                if w.eof or q < len(s) - _NEAR_END or s[q - 1] in '}]"':
                    return value, p, q
                # else: a number or literal touching the window's end may continue: read more
            except RecursionError:
                raise stop(f"the {what} is nested too deeply at line {w.line_at(p)}", p) from None
            except ValueError as e:  # JSONDecodeError, or an integer with too many digits
                pos = getattr(e, "pos", None)
                if pos is None:
                    raise stop(f"the {what} has a value that cannot be read at line {w.line_at(p)}: {e}", p) from None
                unterminated = e.msg.startswith("Unterminated string")
                if w.eof or not (unterminated or pos >= len(s) - _NEAR_END):
                    elem_line = w.line_at(p)
                    if w.eof and (unterminated or _JSON_WS.match(s, pos).end() == len(s)):
                        raise stop(f"the {what} is cut off at line {elem_line}: the value starting there is "
                                   f"incomplete ({e.msg.lower()})", p) from None
                    err_line = elem_line + s.count("\n", p, pos)
                    col = pos - (s.rfind("\n", 0, pos) + 1) + 1
                    raise stop(f"the {what} has a syntax error at line {err_line} column {col}: {e.msg.lower()}"
                               + (f" (in the value starting at line {elem_line})" if err_line != elem_line else ""),
                               p) from None
            if len(s) - p > limits.MAX_RECORD:
                raise stop(f"the {what} has a value longer than {limits.MAX_RECORD >> 20} MB at line {w.line_at(p)}", p)
            shift, _ = w.grow(p, want=len(s) - p)  # double the window for long values: linear overall
            p -= shift

    ready: list[Batch] = []  # a batch closed by take(), for the loop to yield (no generator per element)

    def take(p: int) -> int:
        """Decode the value at p into the current batch; returns the index just past it."""
        nonlocal pend
        s = w.s
        try:  # the common case: the value ends well inside the window
            value, q = _raw_decode(s, p)
            fast = q < len(s) - _NEAR_END
        except (ValueError, RecursionError):
            fast = False
        line_no = w.line_at(p)
        if not fast:
            settle()
            value, p, q = value_at(p)
        eb = w.s[p:q].encode("utf-8", "surrogateescape")  # (value_at may have moved the window)
        if one_line(eb) and not flagged(eb):
            rec: bytes | None = eb + b"\n"
            why = CANNOT_ENCODE
        else:
            rec, why = record(eb, value)
        if rec is None:
            b.skipped.append((line_no, why))
            b.skipped_ords.append(b.ordinal)
            b.ordinal += 1
        else:
            if b.count and (b.count >= max_events or b.size + len(rec) > max_bytes):
                settle()
                ready.extend(b.flush())
            b.note_lines(line_no, 1)
            b.parts.append(rec)
            b.count += 1
            b.size += len(rec)
        b.end_line = w.line_at(q)
        pend = q
        return q

    try:
        p, ch = peek(0)
        if not array:
            while ch:
                p = take(p)
                if ready:
                    yield ready.pop()
                p, ch = peek(p)
            return
        if not resumed:
            if not ch:
                return  # an empty input holds no events
            if ch != "[":
                raise stop(f"this is not a JSON array: it starts with {ch!r} at line {w.line_at(p)}", p)
            p, ch = peek(p + 1)
            if ch == "]":
                if inner:
                    settle()
                    return w.byte_at(p + 1), w.line_at(p + 1)
                p, ch = peek(p + 1)
                if ch:
                    raise stop(f"unexpected text after the end of the JSON array at line {w.line_at(p)}", p)
                return
            expect_value = True
        else:
            expect_value = False
        while True:
            if expect_value:
                if not ch:
                    raise stop(f"the JSON array is cut off at line {w.line_at(p)}: expected a value", p)
                if ch in ",]":
                    raise stop(f"the JSON array has a syntax error at line {w.line_at(p)}: expected a value, "
                               f"found {ch!r}", p)
                p = take(p)
                if ready:
                    yield ready.pop()
                if budget is not None:
                    budget -= 1
                    if budget <= 0:
                        settle()
                        return True
                m = _SEP.match(w.s, p)  # the usual "," between elements, without another round trip
                if m and m.end() < len(w.s):
                    p = m.end()
                    ch = w.s[p]
                    continue
                expect_value = False
            p, ch = peek(p)
            if ch == ",":
                p, ch = peek(p + 1)
                expect_value = True
            elif ch == "]":
                break
            elif not ch:
                raise stop(f"the JSON array is cut off at line {w.line_at(p)}: expected ',' or ']'", p)
            else:
                raise stop(f"the JSON array has a syntax error at line {w.line_at(p)}: expected ',' or ']', "
                           f"found {ch!r}", p)
        if inner:
            settle()
            return w.byte_at(p + 1), w.line_at(p + 1)
        p, ch = peek(p + 1)
        if ch:
            raise stop(f"unexpected text after the end of the JSON array at line {w.line_at(p)}", p)
    finally:
        settle()
