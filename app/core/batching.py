"""Cut a decoded (UTF-8) input stream into ingest batches, remembering where each event came from.

Every format is streamed in ~1 MiB reads; memory is bounded by the batch size, never the input.

- NDJSON and CSV are cut with bytes methods (find/rfind/count/split) on whole chunks. Only a chunk
  holding something unusual (CRLF, blank or whitespace-led lines, CSV quotes) goes through the
  per-line path, which normalises line ends and drops blank lines. On the fast path a batch's body
  is a verbatim slice of the input and its `lines` is a `range`.
- JSON arrays (and "json-object" inputs, read as a sequence of top-level values, so several
  concatenated pretty-printed objects also work) are decoded with the standard library's C scanner
  (`json.JSONDecoder.raw_decode`) and re-encoded with orjson. Why not ijson? Its events carry no
  positions, and each batch must know the line where every element starts and the byte offset
  where it ends (resume, failures by line). raw_decode returns the end index of each value; with
  the bookkeeping it runs at 40-65 MB/s here, on par with `ijson.items` (yajl2_c) + orjson.dumps,
  while orjson's "trailing data" error (the other C way to find an element's end) was 7x slower:
  it raises an exception per element and the element must then be parsed again.
- Non-object elements of a JSON array (42, "x", [..]) are kept as records: the server rejects them
  by index, `validate_records` names them, and they are reported with their line like any other
  bad event. `Batch.skipped` is only used for values that cannot be re-encoded at all.
- Batch byte ranges tile the input: a batch starts where the previous one ended (so blank lines or
  a "," before its first record belong to it) and ends just past its last record. Resuming from a
  batch's `end` with `start_line=end_line` yields the same batches an uninterrupted run would.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator, Sequence

import orjson

if TYPE_CHECKING:  # sniff imports heavier detectors; batching only needs its data classes
    from app.core.sniff import CsvDialect, Sniff

CHUNK = 1 << 20           # bytes per read
MAX_RECORD = 64 << 20     # one line / CSV record / JSON element longer than this stops the input
MAX_EVENTS = 10_000       # Axiom's per-request event cap
MAX_BYTES = 4 << 20       # keep requests to a few MB uncompressed
FORMATS = ("ndjson", "json-array", "json-object", "csv")


class InputError(Exception):
    """The input stops being readable at `line` (1-based) / byte `offset` of the decoded stream.

    Raised by iter_batches after every good event before that point has been yielded; `line` and
    `offset` name the first input that was not sent."""

    def __init__(self, message: str, line: int, offset: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.offset = offset


@dataclass
class Plan:
    """What to send and how: the sniff's guesses, possibly overridden by the user."""

    format: str                          # "ndjson" | "json-array" | "json-object" | "csv"
    compression: str | None = None
    encoding: str = "utf-8"
    csv: CsvDialect | None = None
    timestamp_field: str | None = None
    timestamp_format: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_sniff(cls, sniff: Sniff) -> Plan:
        """A plan that follows the sniff; the dialect is copied so overriding it leaves the sniff alone."""
        if sniff.format is None:
            raise ValueError(sniff.error or "the input's format could not be recognised")
        dialect = None
        if sniff.csv is not None:
            dialect = dataclasses.replace(sniff.csv, fields=list(sniff.csv.fields))
        ts = sniff.timestamp
        return cls(format=sniff.format, compression=sniff.compression, encoding=sniff.encoding or "utf-8",
                   csv=dialect, timestamp_field=ts.field if ts else None,
                   timestamp_format=ts.layout if ts else None)


@dataclass
class Batch:
    """One request's worth of events and where in the input they came from."""

    seq: int                     # 0,1,2… in source order
    kind: str                    # "ndjson" | "csv" (JSON arrays/objects are sent as NDJSON)
    header: bytes | None         # CSV header line (ending "\n"), repeated in every CSV batch; else None
    body: bytes                  # the records, UTF-8, each ending in "\n"
    count: int                   # events in body
    lines: Sequence[int]         # 1-based input line where each event starts (a range on the fast path)
    start: int                   # decoded-stream offset where this batch's input begins (= previous end)
    end: int                     # offset just past the last record (for JSON: past the element itself)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): input not turned into an event
    end_line: int = 0            # line number at `end`: resume with start_offset=end, start_line=end_line
    # 1-based position of each event among all the input's events (array elements, counting the ones
    # in `skipped`): a one-line JSON array puts every element on line 1, so failures also name this
    ordinals: Sequence[int] = ()
    skipped_ordinals: list[int] = field(default_factory=list)  # parallel to `skipped`
    end_ordinal: int = 1         # ordinal of the next event: resume with start_ordinal=end_ordinal
    quote: bytes = field(default=b'"', repr=False)  # CSV quote char, to split records holding newlines

    def payload(self) -> bytes:
        return self.header + self.body if self.header else self.body

    def content_type(self) -> str:
        return "text/csv" if self.kind == "csv" else "application/x-ndjson"

    def records(self) -> list[bytes]:
        """Each event's raw bytes (ending "\\n"); computed on demand (only failures need it)."""
        if not self.body:
            return []
        if self.kind == "csv" and self.quote and self.quote in self.body:
            return _csv_records(self.body, self.quote)
        return [r + b"\n" for r in self.body.split(b"\n")[:-1]]

    def subset(self, indices: Sequence[int]) -> Batch:
        """The same batch with only those events (for resending the good ones after a 400).

        start/end stay the parent's: offsets are for resuming, which works per original batch."""
        recs = self.records()
        idx = list(indices)
        lines = [self.lines[i] for i in idx]
        ordinals = [self.ordinals[i] for i in idx] if len(self.ordinals) == self.count else []
        return dataclasses.replace(self, body=b"".join(recs[i] for i in idx), count=len(idx),
                                   lines=_as_range(lines), ordinals=_as_range(ordinals), skipped=[],
                                   skipped_ordinals=[])

    def split(self) -> tuple[Batch, Batch]:
        """Two halves, for a 413 or to bisect a 400; both keep the header and their lines."""
        if self.count < 2:
            raise ValueError("a batch of one event cannot be split")
        mid = self.count // 2
        recs = self.records()
        first = dataclasses.replace(self, body=b"".join(recs[:mid]), count=mid, lines=self.lines[:mid],
                                    ordinals=self.ordinals[:mid], skipped=[], skipped_ordinals=[])
        second = dataclasses.replace(self, body=b"".join(recs[mid:]), count=self.count - mid,
                                     lines=self.lines[mid:], ordinals=self.ordinals[mid:], skipped=[],
                                     skipped_ordinals=[])
        return first, second

    @property
    def first_line(self) -> int | None:
        if len(self.lines):
            return self.lines[0]
        return self.skipped[0][0] if self.skipped else None

    @property
    def last_line(self) -> int | None:
        if len(self.lines):
            return self.lines[-1]
        return self.skipped[-1][0] if self.skipped else None


def _as_range(lines: list[int]) -> Sequence[int]:
    if lines and lines == list(range(lines[0], lines[0] + len(lines))):
        return range(lines[0], lines[0] + len(lines))
    return lines


def _csv_records(body: bytes, q: bytes) -> list[bytes]:
    """Split CSV records, keeping quoted newlines inside their record (quote parity per line)."""
    out: list[bytes] = []
    parts: list[bytes] = []
    odd = 0
    for ln in body.split(b"\n")[:-1]:
        parts.append(ln)
        odd ^= ln.count(q) & 1
        if not odd:
            out.append(b"\n".join(parts) + b"\n")
            parts = []
    if parts:
        out.append(b"\n".join(parts) + b"\n")
    return out


_TYPE_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean",
               type(None): "null"}


def validate_records(batch: Batch) -> list[tuple[int, str]]:
    """(index in batch, reason) for NDJSON events that are not a JSON object; CSV rows are left to
    the server (ragged rows are its call)."""
    if batch.kind != "ndjson":
        return []
    bad: list[tuple[int, str]] = []
    for i, rec in enumerate(batch.records()):
        try:
            value = orjson.loads(rec[:-1])  # without the "\n", so the column is on the line itself
        except orjson.JSONDecodeError as e:
            try:
                rec.decode("utf-8")
            except UnicodeDecodeError as u:
                bad.append((i, f"not valid UTF-8 (byte 0x{rec[u.start]:02X} at column {u.start + 1}): "
                               "the file mixes text encodings; fix this line's encoding and send it again"))
                continue
            bad.append((i, f"invalid JSON: {e.msg} at column {e.colno}"))
            continue
        if not isinstance(value, dict):
            bad.append((i, f"not a JSON object ({_TYPE_NAMES.get(type(value), type(value).__name__)})"))
    return bad


def ragged_rows(batch: Batch, delimiter: str, fields: Sequence[str] = ()) -> list[tuple[int, int, int]]:
    """(index in batch, cells, cells expected) for CSV records whose cell count differs from the
    header's (or from `fields` for a CSV without one). Extra cells have no field name, so the
    server may drop them: the job names these lines instead of losing data quietly.

    Unquoted batches are checked with bytes methods (one count per line); only batches holding
    quotes go through the csv module."""
    if batch.kind != "csv" or not batch.body:
        return []
    if batch.header:
        expected = len(next(csv.reader([batch.header.decode("utf-8", "replace")], delimiter=delimiter), []))
    else:
        expected = len(fields)
    if expected == 0:
        return []
    d = delimiter.encode("utf-8")
    if not (batch.quote and batch.quote in batch.body):
        lines = batch.body.split(b"\n")[:-1]
        if len(lines) == batch.count:
            want = expected - 1
            return [(i, line.count(d) + 1, expected) for i, line in enumerate(lines) if line.count(d) != want]
    quote = batch.quote.decode("utf-8") if batch.quote else '"'
    rows = (r for r in csv.reader(io.StringIO(batch.body.decode("utf-8", "replace"), newline=""),
                                  delimiter=delimiter, quotechar=quote) if r)
    return [(i, len(r), expected) for i, r in enumerate(rows) if len(r) != expected]


# --------------------------------------------------------------------------------------------
# Batch assembly


class _Stop(Exception):
    """Internal: the reader cannot go on; iter_batches flushes the good events, then raises InputError."""

    def __init__(self, message: str, line: int, offset: int):
        super().__init__(message)
        self.message, self.line, self.offset = message, line, offset


class _TooLong(Exception):
    pass


def _past_newline(data: bytes, pos: int, end: int, k: int) -> int:
    """The offset just past the k-th "\\n" of data[pos:end], which holds more than k of them.
    Halving the range with bytes.count scans it about once, without the k-item list split() makes."""
    lo, hi, before = pos, end, 0  # before: newlines in data[pos:lo], fewer than k; data[pos:hi] has k or more
    while hi - lo > 1:
        mid = (lo + hi) // 2
        seen = before + data.count(b"\n", lo, mid)
        if seen >= k:
            hi = mid
        else:
            lo, before = mid, seen
    return hi


class _Builder:
    """Accumulates records into batches under the event and byte caps."""

    def __init__(self, kind: str, max_events: int, max_bytes: int, offset: int, line: int, quote: bytes = b'"',
                 ordinal: int = 1):
        self.kind, self.max_events, self.max_bytes = kind, max_events, max_bytes
        self.ordinal = ordinal  # the next event's ordinal
        self.quote = quote
        self.header: bytes | None = None
        self.seq = 0
        self.start = self.end = offset
        self.end_line = line
        self._reset()

    def _reset(self) -> None:
        self.parts: list[bytes] = []
        self.count = 0
        self.size = len(self.header or b"")
        self.first = 0
        self.line_list: list[int] | None = None
        self.first_ord = self.ordinal
        self.ord_list: list[int] | None = None  # only once a skipped element broke the run
        self.skipped: list[tuple[int, str]] = []
        self.skipped_ords: list[int] = []

    def set_header(self, header: bytes) -> None:
        self.header = header
        self.size = len(header) + sum(len(p) for p in self.parts)

    def flush(self) -> Iterator[Batch]:
        if not self.count and not self.skipped:
            return
        # a list only once the lines stopped being consecutive (blank lines, several elements a line)
        lines: Sequence[int] = (range(self.first, self.first + self.count) if self.line_list is None
                                else self.line_list)
        ordinals: Sequence[int] = (range(self.first_ord, self.first_ord + self.count) if self.ord_list is None
                                   else self.ord_list)
        batch = Batch(self.seq, self.kind, self.header, b"".join(self.parts), self.count, lines,
                      self.start, self.end, self.skipped, self.end_line, quote=self.quote, ordinals=ordinals,
                      skipped_ordinals=self.skipped_ords, end_ordinal=self.ordinal)
        self.seq += 1
        self.start = self.end
        self._reset()
        yield batch

    def _note_lines(self, first_line: int, k: int) -> None:
        """Record where the next k events start (call before adding them to count)."""
        if self.ord_list is not None:
            self.ord_list.extend(range(self.ordinal, self.ordinal + k))
        elif self.count == 0:
            self.first_ord = self.ordinal
        elif self.ordinal != self.first_ord + self.count:
            self.ord_list = list(range(self.first_ord, self.first_ord + self.count))
            self.ord_list.extend(range(self.ordinal, self.ordinal + k))
        self.ordinal += k
        if self.line_list is not None:
            self.line_list.extend(range(first_line, first_line + k))
        elif self.count == 0:
            self.first = first_line
        elif first_line != self.first + self.count:
            self.line_list = list(range(self.first, self.first + self.count))
            self.line_list.extend(range(first_line, first_line + k))

    def add_record(self, rec: bytes, line: int, end: int, end_line: int) -> Iterator[Batch]:
        if self.count and (self.count >= self.max_events or self.size + len(rec) > self.max_bytes):
            yield from self.flush()
        self._note_lines(line, 1)
        self.parts.append(rec)
        self.count += 1
        self.size += len(rec)
        self.end, self.end_line = end, end_line

    def add_block(self, data: bytes, line: int, offset: int, n: int) -> Iterator[Batch]:
        """Add `n` one-line events that are `data` verbatim (input offset `offset`, first on `line`),
        cutting with find/count/split only: no Python work per event."""
        pos, size = 0, len(data)
        while pos < size:
            if self.count >= self.max_events:
                yield from self.flush()
            ev_room = self.max_events - self.count
            byte_room = self.max_bytes - self.size
            if n <= ev_room and size - pos <= byte_room:
                cut, k = size, n
            elif size - pos <= byte_room:  # the bytes fit, the events do not: cut after ev_room lines
                k = ev_room
                cut = _past_newline(data, pos, size, k)
            else:
                c = data.rfind(b"\n", pos, pos + byte_room) if byte_room > 0 else -1
                if c < 0:
                    if self.count:
                        yield from self.flush()
                        continue
                    c = data.find(b"\n", pos)  # a single event over max_bytes goes alone
                cut = c + 1
                k = data.count(b"\n", pos, cut)
                if k > ev_room:
                    k = ev_room
                    cut = _past_newline(data, pos, cut, k)
            self._note_lines(line, k)
            self.parts.append(data if pos == 0 and cut == size else data[pos:cut])
            self.count += k
            self.size += cut - pos
            line += k
            n -= k
            pos = cut
            self.end, self.end_line = offset + cut, line
            if pos < size:
                yield from self.flush()


# --------------------------------------------------------------------------------------------
# Readers


def _line_blocks(stream: BinaryIO) -> Iterator[bytes]:
    """Blocks of whole lines (each ending "\\n"), then the final unterminated tail (maybe b"")."""
    pending: list[bytes] = []
    plen = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        c = chunk.rfind(b"\n")
        if c < 0:
            pending.append(chunk)
            plen += len(chunk)
            if plen > MAX_RECORD:
                raise _TooLong
            continue
        head = chunk if c + 1 == len(chunk) else chunk[: c + 1]
        if pending:
            pending.append(head)
            head = b"".join(pending)
        tail = chunk[c + 1:]
        pending, plen = ([tail], len(tail)) if tail else ([], 0)
        yield head
    yield b"".join(pending)


_BLANKISH = re.compile(rb"\n[\n \t\x0b\x0c]")  # a blank line, or one starting with whitespace


def _plain_ndjson(data: bytes) -> bool:
    """True when every line of `data` is a non-blank line ending in a bare "\\n" (the fast path).
    One memchr scan and one regex scan: a two-byte `in` or `count` is three times slower here."""
    return b"\r" not in data and data[:1] not in (b"\n", b" ", b"\t", b"\x0b", b"\x0c") and not _BLANKISH.search(data)


def _read_ndjson(stream: BinaryIO, b: _Builder, line: int, offset: int) -> Iterator[Batch]:
    try:
        for data in _line_blocks(stream):
            if not data:
                continue
            if data[-1] != 0x0A:  # the last line, without "\n"
                if data.strip():
                    rec = data[:-1] if data[-1] == 0x0D else data
                    yield from b.add_record(rec + b"\n", line, offset + len(data), line + 1)
                continue
            n = data.count(b"\n")
            if _plain_ndjson(data):
                yield from b.add_block(data, line, offset, n)
            else:
                off, ln_no = offset, line
                for ln in data.split(b"\n")[:-1]:
                    off += len(ln) + 1
                    if ln.strip():
                        rec = ln[:-1] if ln[-1] == 0x0D else ln
                        yield from b.add_record(rec + b"\n", ln_no, off, ln_no + 1)
                    ln_no += 1
            line += n
            offset += len(data)
    except _TooLong:
        raise _Stop(f"line {line} is longer than {MAX_RECORD >> 20} MB without a line break: "
                    "this does not look like NDJSON", line, offset) from None


def _read_csv(stream: BinaryIO, b: _Builder, line: int, offset: int, q: bytes, need_header: bool) -> Iterator[Batch]:
    parts: list[bytes] = []   # lines of a record still inside quotes
    odd = 0
    rec_line = rec_off = rec_len = 0
    try:
        for data in _line_blocks(stream):
            if not data:
                continue
            final = data[-1] != 0x0A
            if (not final and not parts and not need_header and (not q or q not in data)
                    and b"\r" not in data and data[0] != 0x0A and b"\n\n" not in data):
                n = data.count(b"\n")
                yield from b.add_block(data, line, offset, n)
                line += n
                offset += len(data)
                continue
            lns = [data] if final else data.split(b"\n")[:-1]
            extra = 0 if final else 1
            for ln in lns:
                size = len(ln) + extra
                if not parts:
                    if ln == b"" or ln == b"\r":  # blank line: counted, not an event
                        line += 1
                        offset += size
                        continue
                    rec_line, rec_off, rec_len = line, offset, 0
                parts.append(ln)
                if q:
                    odd ^= ln.count(q) & 1
                rec_len += size
                line += 1
                offset += size
                if odd:
                    if rec_len > MAX_RECORD:
                        raise _Stop(f"the CSV record starting at line {rec_line} is longer than "
                                    f"{MAX_RECORD >> 20} MB: a quote ({q.decode()}) is probably never closed",
                                    rec_line, rec_off)
                    continue
                rec = b"\n".join(parts)
                parts = []
                if rec[-1:] == b"\r":
                    rec = rec[:-1]
                rec += b"\n"
                if need_header:
                    b.set_header(rec)
                    need_header = False
                else:
                    yield from b.add_record(rec, rec_line, offset, line)
    except _TooLong:
        raise _Stop(f"line {line} is longer than {MAX_RECORD >> 20} MB without a line break: "
                    "this does not look like CSV", line, offset) from None
    if parts:
        raise _Stop(f"the CSV record starting at line {rec_line} has a quote ({q.decode()}) that is never "
                    "closed before the end of the input", rec_line, rec_off)


def _csv_header_from_fields(dialect: CsvDialect) -> bytes:
    """The header line rebuilt from the dialect's field names (resuming past the file's header)."""
    d, q = dialect.delimiter, dialect.quotechar

    def cell(f: str) -> str:
        if q and (any(ch in f for ch in (d, q, "\n", "\r")) or f != f.strip()):
            return q + f.replace(q, q + q) + q
        return f

    return (d.join(cell(f) for f in dialect.fields) + "\n").encode("utf-8")


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

    def grow(self, keep_from: int, want: int = CHUNK) -> tuple[int, bool]:
        """Drop text before keep_from, read at least one more piece; (shift, got_more)."""
        self.on_trim()
        self.line_at(keep_from)
        self.byte_at(keep_from)
        self.s = self.s[keep_from:]
        self.line_pos -= keep_from
        self.byte_pos -= keep_from
        while not self.eof:
            data = self.stream.read(max(want, CHUNK))
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


def _read_json(stream: BinaryIO, b: _Builder, line: int, offset: int, array: bool, resumed: bool) -> Iterator[Batch]:
    """JSON array elements (or top-level values) as NDJSON records.

    Per element: one raw_decode, one orjson.dumps, two short newline counts. Byte offsets (which
    need an encode when the text is not ASCII) are only worked out per batch and per window trim."""
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

    def stop(message: str, p: int) -> _Stop:
        settle()
        return _Stop(message, w.line_at(p), w.byte_at(p))

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
            if len(s) - p > MAX_RECORD:
                raise stop(f"the {what} has a value longer than {MAX_RECORD >> 20} MB at line {w.line_at(p)}", p)
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
        try:
            rec: bytes | None = orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            rec = _encode(value)
        if rec is None:
            b.skipped.append((line_no, "the value cannot be encoded as JSON"))
            b.skipped_ords.append(b.ordinal)
            b.ordinal += 1
        else:
            if b.count and (b.count >= max_events or b.size + len(rec) > max_bytes):
                settle()
                ready.extend(b.flush())
            b._note_lines(line_no, 1)
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
        p, ch = peek(p + 1)
        if ch:
            raise stop(f"unexpected text after the end of the JSON array at line {w.line_at(p)}", p)
    finally:
        settle()


def iter_batches(stream: BinaryIO, plan: Plan, *, max_events: int = MAX_EVENTS, max_bytes: int = MAX_BYTES,
                 start_offset: int = 0, start_line: int = 1, start_ordinal: int = 1) -> Iterator[Batch]:
    """Batches of at most max_events events and max_bytes payload bytes (an event bigger than
    max_bytes goes alone), in input order.

    stream: UTF-8 bytes (sources.open_decoded), already positioned at start_offset, which is on
    line start_line (resume: pass a batch's end, end_line and end_ordinal). A CSV with a header resumed past
    offset 0 gets its header rebuilt from plan.csv.fields. Raises InputError after yielding every
    good event when the input is cut off or broken."""
    if max_events < 1 or max_bytes < 1:
        raise ValueError("max_events and max_bytes must be positive")
    fmt = plan.format
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "csv":
        dialect = plan.csv
        if dialect is None:
            from app.core.sniff import CsvDialect as _Dialect
            dialect = _Dialect()
        q = (dialect.quotechar or "").encode("utf-8")
        b = _Builder("csv", max_events, max_bytes, start_offset, start_line, q, start_ordinal)
        need_header = dialect.has_header
        if need_header and start_offset > 0:
            if not dialect.fields:
                raise ValueError("resuming a CSV with a header needs the header's field names (plan.csv.fields)")
            b.set_header(_csv_header_from_fields(dialect))
            need_header = False
        reader = _read_csv(stream, b, start_line, start_offset, q, need_header)
    elif fmt == "ndjson":
        b = _Builder("ndjson", max_events, max_bytes, start_offset, start_line, ordinal=start_ordinal)
        reader = _read_ndjson(stream, b, start_line, start_offset)
    else:
        b = _Builder("ndjson", max_events, max_bytes, start_offset, start_line, ordinal=start_ordinal)
        reader = _read_json(stream, b, start_line, start_offset, array=fmt == "json-array",
                            resumed=start_offset > 0)
    try:
        yield from reader
    except _Stop as e:
        yield from b.flush()
        raise InputError(e.message, e.line, e.offset) from None
    yield from b.flush()
