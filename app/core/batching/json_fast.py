"""JSON arrays at C speed: msgspec finds the elements, and each is sent as its own bytes.

Decoding a region of the input into `list[msgspec.Raw]` validates it as JSON and yields every
element's bytes without building Python objects (~800 MB/s here, against ~40-65 MB/s for the
decode + re-encode of json_reader). A region is the input from an element's start up to a likely
element end: the last `},` of the buffer (or the separator learned from the first elements, such
as `},\n  {`), tried again at half the distance when it lands inside an element. The elements of
a region whose separators are all the same and that are all sent as they are (json_reader's `record`:
one line, valid UTF-8, plain numbers) become one NDJSON slice with bytes methods, their lines
and offsets by arithmetic: no Python work per element. Other regions go element by element, and
what msgspec cannot read (NaN, a syntax error, the array's end, a non-object element the region
search cannot isolate) goes to json_reader, one element at a time, which names errors by line.

Why msgspec: on the benchmark's 50 MB array it found the elements at 817 MB/s (process time);
pysimdjson parsed at 1.5 GB/s but gives elements only as decoded objects or re-minified text
(`.mini`, 75 MB/s for all elements) and needs the whole document; ijson's C backend yields
decoded objects with no positions (12 MB/s with the re-encode).
"""

from __future__ import annotations

import io
import json
import re
from bisect import bisect_right
from itertools import accumulate
from typing import BinaryIO, Iterator

import orjson

import app.core.batching.json_reader as slow
import app.core.batching.limits as limits
from app.core.batching.batch import Batch
from app.core.batching.builder import Builder
from app.core.batching.errors import Stop

_msgspec = None  # imported with the first array (~7 ms that no other command needs to pay)


def _decoder():
    global _msgspec
    if _msgspec is None:
        import msgspec

        _msgspec = (msgspec.json.Decoder(list[msgspec.Raw]).decode, msgspec.DecodeError)
    return _msgspec


_SEP = re.compile(rb"[ \t\r\n]*,[ \t\r\n]*")
_WS = re.compile(rb"[ \t\r\n]*")
READ = 4 << 20          # bytes per read on the fast path (a region is at most the buffer)
MIN_REGION = 1 << 12    # below this, halving the region stops: the element is read by json_reader
SINGLES = 16            # elements in a row that only json_reader could read: it reads the rest


class _Rest(io.RawIOBase):
    """The buffer's unread bytes, then the stream's: what json_reader reads after a hand-over.
    Keeps what it hands out, so the fast path can take over again where json_reader stopped."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream, self.pos, self.extra, self.eof = head, stream, 0, [], False

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.pos < len(self.head):
            out = self.head[self.pos:] if n < 0 else self.head[self.pos:self.pos + n]
            self.pos += len(out)
            return out
        data = self.stream.read(n)
        if data:
            self.extra.append(data)
        else:
            self.eof = True
        return data

    def from_(self, k: int) -> bytes:
        """Everything from position k of this stream that the stream has produced so far."""
        return (self.head + b"".join(self.extra))[k:] if self.extra else self.head[k:]


def read_json_array(stream: BinaryIO, b: Builder, line: int, offset: int, resumed: bool,
                    inner: bool = False) -> Iterator[Batch]:
    """The elements of the JSON array at the stream's start (or, resumed, after an element of it).
    With `inner` (an array inside an object) returns (offset, line, bytes read past its "]")."""
    buf = bytearray()       # a bytearray: a region is decoded in place, "[" and "]" written around it
    base = offset           # input offset of buf[0]
    eof = False
    lpos, ln = 0, line      # buf position whose line is ln (moves forward only)
    after = 0               # buf position just past the last element taken (or the start)
    started = resumed       # True once past the "[" (resuming starts after an element)
    pat = b"},"             # likely end of an element: its last byte, then the separator
    singles = 0             # elements in a row handed to json_reader
    mapped: list = [None]   # slow.digits(buf), made when first needed after buf changed
    _decode, decode_error = _decoder()
    max_events, max_bytes = b.max_events, b.max_bytes

    def fill(want: int) -> bool:
        """Drop what is before `after`, read until the buffer holds `want` bytes or the input ends."""
        nonlocal buf, base, lpos, after, eof
        line_at(after)
        parts, have = [buf[after:]], len(buf) - after
        base += after
        lpos -= after
        after = 0
        got = False
        while have < want and not eof:
            data = stream.read(max(READ, want - have))
            if not data:
                eof = True
                break
            parts.append(data)
            have += len(data)
            got = True
        buf = bytearray().join(parts)
        mapped[0] = None
        return got

    def line_at(pos: int) -> int:
        nonlocal lpos, ln
        if pos > lpos:
            ln += buf.count(b"\n", lpos, pos)
            lpos = pos
        return ln

    def digits() -> bytes | bytearray:
        if mapped[0] is None:
            mapped[0] = slow.digits(buf)
        return mapped[0]

    def jump(pos: int, line_no: int) -> None:
        """The line at `pos` is known (worked out by the caller): no newline count."""
        nonlocal lpos, ln
        lpos, ln = pos, line_no

    def decode(opening: int, closing: int) -> list | None:
        """The elements between buf[opening] ("[" or ",") and buf[closing], or None."""
        o, c = buf[opening], buf[closing]
        buf[opening], buf[closing] = 0x5B, 0x5D
        try:
            return _decode(memoryview(buf)[opening:closing + 1])
        except decode_error:
            return None
        finally:
            buf[opening], buf[closing] = o, c

    def hand_over(budget: int | None) -> Iterator[Batch]:
        """json_reader from `after`; returns True when it stopped on the budget (buffer refilled)."""
        nonlocal buf, base, lpos, ln, after, eof, started
        rest = _Rest(buf[after:], stream)
        start = base + after
        done = yield from slow.read_json(rest, b, line_at(after), start, array=True, resumed=started, budget=budget,
                                         inner=inner)
        if isinstance(done, tuple):  # the end of an inner array
            return done[0], done[1], rest.from_(done[0] - start)
        if not done:
            return False
        buf, base, after, started = rest.from_(b.end - start), b.end, 0, True
        mapped[0] = None
        lpos, ln = 0, b.end_line
        eof = eof or rest.eof
        return True

    while True:
        # -- find the next element's start p (after "[" or ",") or hand over ---------------------
        if len(buf) - after < READ and not eof:
            fill(READ)
        p = _WS.match(buf, after).end()
        if p == len(buf) and not eof:
            fill(len(buf) - after + READ)
            continue
        ch = buf[p:p + 1]
        if not started:
            if ch != b"[":
                return (yield from hand_over(None))  # not an array, or empty: json_reader says so
            opening = p
            p = _WS.match(buf, p + 1).end()
            if p == len(buf) or buf[p:p + 1] == b"]":
                return (yield from hand_over(None))
        elif ch == b",":
            opening = p
            p = _WS.match(buf, p + 1).end()
            if p == len(buf) and not eof:
                fill(len(buf) - after + READ)
                continue
        else:
            return (yield from hand_over(None))  # "]" and what follows it, or an error: json_reader's to name

        # -- a region of whole elements from p ---------------------------------------------------
        raws = None
        end_hint = len(buf)
        if eof:
            last = len(buf.rstrip(b" \t\r\n")) - 1
            if last > p and buf[last] == 0x5D:
                raws = decode(opening, last)
                if raws is None:
                    end_hint = last
        while raws is None:
            c = buf.rfind(pat, p, end_hint)
            if c < 0 and pat != b"},":
                c = buf.rfind(b"},", p, end_hint)  # elements that do not start as the first ones did
            if c < 0 or (c - p < MIN_REGION and end_hint < len(buf)):
                break
            raws = decode(opening, c + 1)
            if raws is None:
                end_hint = p + (c + 1 - p) // 2
        if not raws:
            if not eof and len(buf) - p < READ:
                fill(len(buf) - after + READ)  # a short buffer: read more first
                continue
            singles += 1
            if singles > SINGLES:  # not an array of objects, it seems: the exact reader reads the rest
                return (yield from hand_over(None))
            done = yield from hand_over(1)  # one element by the exact reader
            if done is not True:
                return done
            continue
        started, singles = True, 0
        if len(raws) > 2 and pat == b"},":
            pat = _learn(buf, p, raws) or pat
        after = yield from _add_region(b, buf, p, raws, base, line_at, jump, digits, max_events, max_bytes)


def _learn(buf: bytes, p: int, raws: list) -> bytes | None:
    """The bytes around the boundary of the first two elements: the first's last byte, the
    separator, and what the next elements start with (`},\n  {` for an indented export,
    `}, {"id": ` for a compact one whose elements start with the same key): where the next
    regions are cut. A nested object rarely looks the same, so fewer cuts land inside an element."""
    e = p + len(raws[0])
    m = _SEP.match(buf, e)
    if m is None or len(raws) < 3 or buf[e - 1:e] != b"}":
        return None
    a, c = bytes(raws[1])[:12], bytes(raws[2])[:12]
    k = 0
    while k < min(len(a), len(c)) and a[k] == c[k]:
        k += 1
    if k == 0 or a[:1] != b"{":
        return None
    return bytes(buf[e - 1:m.end()]) + a[:k]


def _add_region(b: Builder, buf: bytearray, p: int, raws: list, base: int, line_at, jump, digits, max_events: int,
                max_bytes: int) -> Iterator[Batch]:
    """Add a region's elements to the batches; returns the buffer position past the last one."""
    n = len(raws)
    raws.append(b"")
    body = b"\n".join(raws)  # each element, then "\n"
    raws.pop()
    e0 = p + len(raws[0])
    m = _SEP.match(buf, e0) if n > 1 else None
    sep = buf[e0:m.end()] if m else b","
    lens = list(accumulate(map(len, raws)))
    total = lens[-1] + (n - 1) * len(sep)
    uniform = (body.count(b"\n") == n and b"\r" not in body and (body.isascii() or _utf8(body))
               and (n == 1 or buf.startswith(bytes(sep).join(raws), p)))
    if uniform:
        # (from the "[" or "," before to the "," or "]" after: a number's start and end are seen)
        uniform = not slow.has_big_exponent(digits(), p - 1, p + total + 1)
    if not uniform:
        return (yield from _add_each(b, buf, p, raws, base, line_at, jump))
    first = line_at(p)
    k = sep.count(b"\n")
    lines = range(first, first + n * k, k) if k else [first] * n
    ends = list(map(int.__add__, lens, range(1, n + 1)))  # body bytes through each element
    i = 0
    ls = len(sep)
    while i < n:
        if b.count >= max_events:
            yield from b.flush()
        start = ends[i - 1] if i else 0
        j = min(n, i + max_events - b.count, bisect_right(ends, start + max_bytes - b.size, i))
        if j <= i:
            if b.count:
                yield from b.flush()
                continue
            j = i + 1  # an element over max_bytes goes alone
        last_end = p + lens[j - 1] + (j - 1) * ls
        b.add_events(body[start:ends[j - 1]], lines[i:j], base + last_end, lines[j - 1])
        i = j
        if i < n:
            yield from b.flush()
    jump(p + total, lines[-1])
    return p + total


def _add_each(b: Builder, buf: bytes, p: int, raws: list, base: int, line_at, jump) -> Iterator[Batch]:
    """Element by element: where each starts, which are sent as they are, which re-encoded."""
    q = p
    max_events, max_bytes = b.max_events, b.max_bytes
    for raw in raws:
        eb = bytes(raw)
        e = q + len(eb)
        first = line_at(q)
        breaks = eb.count(b"\n")
        if not breaks and slow.one_line(eb) and not slow.flagged(eb):
            rec: bytes | None = eb + b"\n"
        else:
            try:
                value = orjson.loads(eb)  # (the same value as json's: it only refuses more)
            except orjson.JSONDecodeError:  # over 64 bits, invalid UTF-8: the standard library's reading
                try:
                    value = json.loads(eb.decode("utf-8", "surrogateescape"))
                except RecursionError:
                    raise Stop(f"the JSON array is nested too deeply at line {first}", first, base + q) from None
            # several lines: re-encoded whatever its numbers (reencode fails inf and NaN by their nulls)
            rec, why = slow.reencode(value, eb.count(b"null")) if breaks else slow.record(eb, value)
        if rec is None:  # as json_reader does: failed by number, not counted against the caps
            b.skipped.append((first, why))
            b.skipped_ords.append(b.ordinal)
            b.ordinal += 1
        else:  # Builder.add_record, without a generator per element
            if b.count and (b.count >= max_events or b.size + len(rec) > max_bytes):
                yield from b.flush()
            b.note_lines(first, 1)
            b.parts.append(rec)
            b.count += 1
            b.size += len(rec)
        b.end, b.end_line = base + e, first + breaks
        jump(e, first + breaks)
        m = _SEP.match(buf, e)
        q = m.end() if m else e
    return e


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
