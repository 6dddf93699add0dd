"""What is this input? Compression, encoding, format, CSV dialect, timestamp field, event estimate.

Sniffing reads only the head of the input (1 MiB of *decompressed* data by default), so a 10 GB
file sniffs as fast as a small one. Every guess carries a confidence and plain-sentence reasons,
because the user is shown them and may override any of them.

CSV dialects are found with clevercsv's detector on a sample of at most 32 KiB cut at a line
boundary (measured at 30-70 ms, well inside the time budget; a 64 KiB sample took up to 140 ms on
prose-like text). Its answer is then checked with the csv module over the whole head; when
clevercsv has no answer, a small consistency detector (the delimiter giving the most rows with the
same field count) takes over.

A CSV row whose field count differs from the header's is marked in `sample` and `preview_rows`
with the key RAGGED_KEY ("__ragged__": True); its extra cells are named colN by position.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, Iterable, Iterator

import orjson
import zstandard

from app.core import sources
from app.core.timeparse import epoch_unit

HEAD_BYTES = 1 << 20
CSV_SAMPLE_CHARS = 32 * 1024
SAMPLE_EVENTS = 50
DELIMITERS = [",", ";", "\t", "|"]
RAGGED_KEY = "__ragged__"
RUNNER_UP_WITHIN = 0.25
NOT_DATA = "this is not JSON, NDJSON or CSV: "

TIME_FIELD_NAMES = ["_time", "timestamp", "time", "ts", "@timestamp", "date", "datetime", "created_at"]


@dataclass
class CsvDialect:
    delimiter: str = ","
    quotechar: str = '"'
    has_header: bool = True
    fields: list[str] = field(default_factory=list)  # header names, or col1..colN without a header


@dataclass
class TimestampGuess:
    field: str
    kind: str  # rfc3339 | iso8601-no-zone | epoch-s | epoch-ms | epoch-us | epoch-ns | layout
    layout: str | None  # Go layout for timestamp-format; None when the server parses it unaided
    example: str
    confidence: float


@dataclass
class Sniff:
    path: str | None
    format: str | None = None
    compression: str | None = None
    encoding: str = "utf-8"
    csv: CsvDialect | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    runner_up: tuple[str, float] | None = None
    timestamp: TimestampGuess | None = None
    estimated_events: int = 0
    sample: list = field(default_factory=list)  # events as sent; a non-object value stays as it is
    size: int | None = None
    error: str | None = None
    # Extras (not in the contract's required set): bytes read from the source (compressed bytes
    # for compressed input), and whether the head was the whole input (estimate is then exact).
    bytes_read: int = 0
    head_is_whole: bool = False

    def to_json(self) -> dict:
        """The object `axiom-drop inspect --json` prints."""
        ts = self.timestamp
        return {
            "path": self.path,
            "format": self.format,
            "compression": self.compression,
            "encoding": self.encoding,
            "delimiter": self.csv.delimiter if self.csv else None,
            "quotechar": self.csv.quotechar if self.csv else None,
            "has_header": self.csv.has_header if self.csv else None,
            "fields": list(self.csv.fields) if self.csv else None,
            "confidence": round(self.confidence, 2),
            "reasons": list(self.reasons),
            "runner_up": (
                {"format": self.runner_up[0], "confidence": round(self.runner_up[1], 2)}
                if self.runner_up
                else None
            ),
            "timestamp": (
                {"field": ts.field, "kind": ts.kind, "layout": ts.layout, "example": ts.example,
                 "confidence": round(ts.confidence, 2)}
                if ts
                else None
            ),
            "estimated_events": self.estimated_events,
            "estimate_exact": self.head_is_whole,
            "size": self.size,
            "bytes_read": self.bytes_read,
            "error": self.error,
        }


# --------------------------------------------------------------------------- reading the head


@dataclass
class _Head:
    data: bytes  # decompressed head
    whole: bool  # data is the entire (decompressed) input
    compression: str | None
    raw_read: int  # source bytes consumed to produce data
    problem: str | None = None  # damaged compressed stream


def _read_head(raw: BinaryIO, limit: int) -> _Head:
    """Read at most `limit` decompressed bytes; never decompresses more than needed."""
    first = raw.read(min(limit + 1, 64 * 1024))
    compression = sources.detect_compression(first)
    if compression is None:
        rest = raw.read(limit + 1 - len(first)) if len(first) == min(limit + 1, 64 * 1024) else b""
        data = first + rest
        return _Head(data[:limit], len(data) <= limit, None, len(data))
    if compression == "gzip":
        return _gunzip_head(first, raw, limit)
    return _unzstd_head(first, raw, limit)


def _gunzip_head(first: bytes, raw: BinaryIO, limit: int) -> _Head:
    out = bytearray()
    consumed = len(first)
    pending = first
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    in_member = False  # d has been fed a member that has not ended yet
    problem = None
    eof_raw = False
    try:
        while len(out) <= limit:
            if not pending:
                chunk = raw.read(64 * 1024)
                if not chunk:
                    eof_raw = True
                    break
                consumed += len(chunk)
                pending = chunk
            if not in_member and not pending.strip(b"\0"):
                pending = b""  # zero padding after the last member
                continue
            in_member = True
            out += d.decompress(pending, limit + 1 - len(out))
            pending = d.unconsumed_tail
            if d.eof:  # a member ended; another may follow (concatenated gzip)
                pending = d.unused_data + pending
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                in_member = False
        if eof_raw and in_member:
            problem = "the gzip data ends early (the file looks truncated)"
    except zlib.error as e:
        problem = f"the gzip data is damaged ({e})"
        eof_raw = True
    whole = len(out) <= limit and eof_raw
    return _Head(bytes(out[:limit]), whole, "gzip", max(1, consumed - len(pending)), problem)




def _unzstd_head(first: bytes, raw: BinaryIO, limit: int) -> _Head:
    src = sources.Prepended(first, raw)
    reader = zstandard.ZstdDecompressor().stream_reader(
        # Small reads keep `consumed` close to what the decompressor really used: the compression
        # ratio seen in the head scales the event estimate.
        src, read_size=4096, read_across_frames=True, closefd=False
    )
    out = bytearray()
    problem = None
    ended = False
    try:
        while len(out) <= limit:
            chunk = reader.read(limit + 1 - len(out))
            if not chunk:
                ended = True
                break
            out += chunk
    except zstandard.ZstdError as e:
        problem = f"the zstd data is damaged ({e})"
        ended = True
    if ended and not problem:
        # The stream reader stops quietly at a cut frame; the frame header may tell the full size.
        try:
            expected = zstandard.get_frame_parameters(first).content_size
        except zstandard.ZstdError:
            expected = 0
        if (0 < expected and len(out) < expected) or (not out and src.consumed > 0):
            problem = "the zstd data ends early (the file looks truncated)"
    return _Head(bytes(out[:limit]), ended and len(out) <= limit, "zstd", max(1, src.consumed), problem)


# --------------------------------------------------------------------------- encoding

_MAGIC_NAMES = [
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (unpack it first)"),
    (b"BZh", "bzip2-compressed data (only gzip and zstd are read)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (only gzip and zstd are read)"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
]


class _NotText(Exception):
    pass


def _decode(data: bytes, encoding: str, final: bool) -> str:
    """Decode a head that may end mid-character: the incomplete tail is held back, not replaced."""
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=final)


def _detect_encoding(head: bytes, whole: bool, reasons: list[str]) -> tuple[str, str]:
    """(python codec name, decoded head text without BOM). Raises _NotText with the why."""
    boms = [
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
    ]
    for bom, name, label in boms:
        if head.startswith(bom):
            reasons.append(f"starts with a {label} byte-order mark")
            body = head[len(bom):]
            if name == "utf-8-sig":
                name_for_body = "utf-8"
            else:
                name_for_body = name
            return name, _decode(body, name_for_body, whole)

    probe = head[:4096]
    if len(probe) >= 8:
        even, odd = probe[0::2], probe[1::2]
        z_even, z_odd = even.count(0) / len(even), odd.count(0) / len(odd)
        for zeros, other, name in ((z_odd, z_even, "utf-16-le"), (z_even, z_odd, "utf-16-be")):
            if zeros > 0.9 and other < 0.05:
                reasons.append(f"no byte-order mark, but every other byte is NUL: {name.upper()} text")
                return name, _decode(head, name, whole)

    for magic, what in _MAGIC_NAMES:
        if head.startswith(magic):
            raise _NotText(f"it is {what}")
    nul = head.find(b"\0")
    if nul >= 0:
        raise _NotText(f"it holds binary data (NUL bytes at offset {nul})")

    try:
        text = codecs.getincrementaldecoder("utf-8")(errors="strict").decode(head, final=whole)
        if head.isascii():
            reasons.append("plain ASCII text (read as UTF-8)")
        else:
            reasons.append("valid UTF-8 text")
        return "utf-8", text
    except UnicodeDecodeError as e:
        bad_at = e.start

    mixed = _mostly_utf8(head, whole)
    if mixed is not None:
        line = head[:bad_at].count(b"\n") + 1
        reasons.append(f"UTF-8 text, but {mixed} invalid byte{'s' if mixed > 1 else ''} (the first on line {line}, "
                       f"byte {bad_at}) in another encoding: such lines will be reported as failed")
        return "utf-8", codecs.decode(head[: len(head) - (0 if whole else 3)], "utf-8", "replace")

    import charset_normalizer  # imported lazily: only legacy 8-bit files need it

    sample = head[: 64 * 1024]
    results = list(charset_normalizer.from_bytes(sample))
    if not results:
        raise _NotText("it is not text in any encoding I recognise")
    name = codecs.lookup(results[0].encoding).name
    # Detectors often rank cp1250, latin-1 or a Mac code page first for Western text that cp1252
    # reads identically; cp1252 is by far the most common of these, so prefer it when any
    # candidate reads the same as cp1252.
    try:
        as_cp1252 = sample.decode("cp1252")
    except UnicodeDecodeError:
        as_cp1252 = None
    if as_cp1252 is not None and name != "cp1252":
        for r in results:
            if sample.decode(r.encoding, errors="replace") == as_cp1252:
                name = "cp1252"
                break
    reasons.append(f"not valid UTF-8 (byte {bad_at}); reads as {name} (legacy 8-bit encoding)")
    return name, _decode(head, name, whole)


def _mostly_utf8(head: bytes, whole: bool) -> int | None:
    """The number of invalid bytes when a head holds real UTF-8 multi-byte text with a few bytes
    of another encoding mixed in (a file appended to by two programs); None when it does not look
    like UTF-8 at all (then it is a legacy 8-bit file)."""
    body = head if whole else head[:-3]
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.decode("utf-8", errors="ignore").count("\ufffd")
    valid_multibyte = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    if valid_multibyte and invalid <= valid_multibyte * 4:
        return invalid
    return None


_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # below 32, except \t \n \v \f \r and ESC


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


# --------------------------------------------------------------------------- formats


@dataclass
class _Candidate:
    format: str
    confidence: float
    reasons: list[str]
    events_in_head: int = 0
    covered: float = 1.0  # fraction of the head text the counted events span
    sample: list[dict] = field(default_factory=list)
    dialect: CsvDialect | None = None
    error: str | None = None  # set when the best guess is "not data"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _json_array(text: str, whole: bool) -> _Candidate:
    data = text.encode("utf-8")
    items: list[Any] = []
    count = 0
    objects = 0
    err: str | None = None
    import ijson  # only JSON heads need it (~3 ms of start-up)

    try:
        for item in ijson.items(io.BytesIO(data), "item", use_float=True):
            count += 1
            if isinstance(item, dict):
                objects += 1
            if len(items) < SAMPLE_EVENTS:
                items.append(item)  # non-objects too: the preview shows them as the failures they will be
    except ijson.IncompleteJSONError as e:
        err = str(e).splitlines()[0]
    except Exception as e:  # any other parse failure
        err = str(e).splitlines()[0] if str(e) else type(e).__name__
    reasons: list[str] = []
    truncated = err is not None and "premature EOF" in err
    if err is None:
        reasons.append(f"a JSON array of {_plural(count, 'element')}" if count else "an empty JSON array")
        conf = 0.99
    elif truncated and not whole:
        reasons.append(
            f"a JSON array; the sniffed head holds {_plural(count, 'complete element')} "
            "and ends inside the next one (only the head was read)"
        )
        conf = 0.95 if count else 0.8
    elif truncated:
        reasons.append(f"a JSON array that ends early: the file stops after {_plural(count, 'element')}")
        conf = 0.7
    else:
        reasons.append(f"starts like a JSON array but is not valid JSON after {_plural(count, 'element')} ({err})")
        conf = 0.4 if count else 0.15
    if count and objects < count:
        reasons.append(
            f"{count - objects} of {count} elements are not JSON objects (Axiom stores objects only)"
        )
        conf *= 0.5 + 0.5 * objects / count
    return _Candidate("json-array", conf, reasons, events_in_head=count, sample=items)


def _ndjson(text: str, whole: bool) -> _Candidate:
    lines = text.split("\n")
    cut = ""
    if not whole and len(lines) > 1:
        cut = lines.pop()  # the head ends inside this line
    covered_chars = len(text) - len(cut)
    total = good = parsed = 0
    first_bad: tuple[int, str] | None = None
    sample: list[dict] = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        total += 1
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            if first_bad is None:
                first_bad = (i, f"not valid JSON: {str(e).split(':')[0]}")
            continue
        parsed += 1
        if isinstance(value, dict):
            good += 1
        if len(sample) < SAMPLE_EVENTS:
            sample.append(value)  # non-objects too: the preview shows them as the failures they will be
        elif first_bad is None:
            first_bad = (i, f"a JSON {type(value).__name__}, not an object")
    reasons: list[str] = []
    if total == 0:
        return _Candidate("ndjson", 0.0, ["no complete line in the head"])
    scope = "sampled" if not whole else ""
    if good == total:
        reasons.append(
            f"every one of the {total} {scope + ' ' if scope else ''}lines is a JSON object"
            if total > 1
            else "one line holding one JSON object"
        )
    else:
        reasons.append(f"{good} of {total} non-blank lines are JSON objects")
        if first_bad:
            reasons.append(f"line {first_bad[0]} is {first_bad[1]}")
    if "\r\n" in text[:65536]:
        reasons.append("lines end in CRLF")
    if cut.strip():
        reasons.append("the last line of the head is cut (only the head was read)")
    frac = good / total
    conf = frac * (0.99 if total >= 3 else 0.9)
    if parsed == total and good and total > 1:
        # Every line is JSON on its own line: NDJSON whose non-object lines will be reported as failed.
        conf = max(conf, 0.7 + 0.29 * frac)
    covered = covered_chars / len(text) if text else 1.0
    return _Candidate("ndjson", conf, reasons, events_in_head=good, covered=covered, sample=sample)


def _json_object(text: str, whole: bool) -> _Candidate:
    if whole:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            multi = "\n" in text.strip()
            return _Candidate(
                "json-object",
                0.99 if multi else 0.85,
                ["the whole file is one JSON object" + (" (pretty-printed over several lines)" if multi else "")
                 + ", sent as one event"],
                events_in_head=1,
                sample=[value],
            )
    # Count top-level values: one unfinished value means one big object; several means concatenated JSON.
    complete = 0
    err = None
    first: dict | None = None
    import ijson

    try:
        for value in ijson.items(io.BytesIO(text.encode("utf-8")), "", multiple_values=True, use_float=True):
            complete += 1
            if first is None and isinstance(value, dict):
                first = value
            if complete > 1000:
                break
    except ijson.IncompleteJSONError as e:
        err = str(e).splitlines()[0]
    except Exception as e:
        err = str(e) or type(e).__name__
    truncated = err is not None and "premature EOF" in err
    if complete == 0 and truncated and not whole:
        return _Candidate(
            "json-object", 0.75,
            ["one JSON object larger than the sniffed head (only the head was read); sent as one event"],
            events_in_head=1,
        )
    if complete > 1 and (err is None or (truncated and not whole)):
        return _Candidate(
            "json-object", 0.5,
            [f"{complete}{'+' if complete > 1000 else ''} JSON objects one after another, spread over "
             "several lines (concatenated JSON): neither one object nor NDJSON"],
            error=(f"it holds {complete} JSON objects one after another, each over several lines; "
                   "put each object on one line (NDJSON) or wrap them in [ ] with commas"),
        )
    why = f" ({err})" if err else ""
    return _Candidate("json-object", 0.1 if complete else 0.05, [f"starts with {{ but is not one valid JSON object{why}"],
                      events_in_head=complete, sample=[first] if first else [])


# ---- CSV


def _delim_name(d: str) -> str:
    return "tab" if d == "\t" else f"'{d}'"


def _csv_rows(text: str, delimiter: str, quotechar: str) -> Iterator[tuple[list[str], int]]:
    """Records with the number of characters consumed so far (to know how much of the head they span)."""
    pos = [0]

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            pos[0] += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, quotechar=quotechar or '"', doublequote=True, strict=False)
    try:
        for row in reader:
            if row == [] or row == [""]:
                continue  # blank line: not a record
            yield row, pos[0]
    except csv.Error:
        return


def _parse_records(text: str, whole: bool, delimiter: str, quotechar: str,
                   max_rows: int | None = None) -> tuple[list[list[str]], int]:
    """Records of the head and the characters they span; the last record is dropped when the head is cut."""
    rows: list[list[str]] = []
    ends: list[int] = []
    for row, end in _csv_rows(text, delimiter, quotechar):
        rows.append(row)
        ends.append(end)
        if max_rows is not None and len(rows) > max_rows:
            break
    if not whole and rows and (max_rows is None or len(rows) <= max_rows):
        rows.pop()
        ends.pop()
    return rows, (ends[-1] if ends else 0)


def _consistency(rows: list[list[str]]) -> tuple[int, float]:
    """(modal field count, share of rows having it)."""
    if not rows:
        return 0, 0.0
    n, hits = Counter(len(r) for r in rows).most_common(1)[0]
    return n, hits / len(rows)


def _sample_text(text: str) -> str:
    if len(text) <= CSV_SAMPLE_CHARS:
        return text
    cut = text.rfind("\n", 0, CSV_SAMPLE_CHARS)
    return text[: cut + 1] if cut > 0 else text[:CSV_SAMPLE_CHARS]


def _detect_dialect(text: str, whole: bool) -> tuple[str, str, str]:
    """(delimiter, quotechar, how it was found)."""
    sample = _sample_text(text)
    try:
        import clevercsv

        d = clevercsv.Detector().detect(sample, delimiters=DELIMITERS)
    except Exception:
        d = None
    if d is not None and d.delimiter in DELIMITERS:
        return d.delimiter, d.quotechar or '"', "clevercsv"
    # Fallback: the delimiter that gives the most rows with the same (>1) field count.
    best = (",", -1.0)
    sample_whole = whole and len(sample) == len(text)
    for delim in DELIMITERS:
        rows, _ = _parse_records(sample, sample_whole, delim, '"', max_rows=500)
        n, share = _consistency(rows)
        score = share if n > 1 else 0.0
        if score > best[1]:
            best = (delim, score)
    return best[0], '"', "consistency"


_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _cell_type(value: str) -> str:
    v = value.strip()
    if not v:
        return "empty"
    if _NUM.match(v):
        return "number"
    if _time_kind(v) is not None:
        return "time"
    if v.lower() in ("true", "false"):
        return "bool"
    return "text"


def _has_header(rows: list[list[str]]) -> tuple[bool, str]:
    first, data = rows[0], rows[1:201]
    cells = [c.strip() for c in first]
    if any(not c for c in cells):
        return False, "the first row has empty cells, so it is data, not a header"
    if len(set(cells)) != len(cells):
        return False, "the first row repeats a value, so it is data, not a header"
    if not data:
        typed = [_cell_type(c) for c in cells]
        if all(t == "text" for t in typed):
            return True, "a single row of names: read as a header with no data rows"
        return False, "a single row holding numbers or times: read as data"
    votes_for = votes_against = 0
    for i, head in enumerate(cells):
        col = [r[i] for r in data if i < len(r) and r[i].strip()]
        if not col:
            continue
        types = Counter(_cell_type(v) for v in col)
        col_type, n = types.most_common(1)[0]
        htype = _cell_type(head)
        if col_type in ("number", "time", "bool") and n / len(col) >= 0.8:
            if htype == col_type:
                votes_against += 1
            else:
                votes_for += 1
        elif head in col:
            votes_against += 1
    if votes_for > votes_against:
        return True, f"the first row differs in type from the rows below in {_plural(votes_for, 'column')}: a header"
    if votes_against > votes_for:
        return False, "the first row has the same kinds of values as the rows below: no header row (fields named col1..colN)"
    return True, "the first row holds distinct non-empty names: read as a header"


def _rows_to_events(rows: Iterable[list[str]], fields: list[str], limit: int) -> list[dict]:
    events: list[dict] = []
    for row in rows:
        if len(events) >= limit:
            break
        event: dict[str, Any] = {}
        for i, value in enumerate(row):
            key = fields[i] if i < len(fields) else f"col{i + 1}"
            event[key] = value
        if len(row) != len(fields):
            event[RAGGED_KEY] = True
        events.append(event)
    return events


def _csv(text: str, whole: bool) -> _Candidate:
    delimiter, quotechar, how = _detect_dialect(text, whole)
    rows, covered_chars = _parse_records(text, whole, delimiter, quotechar)
    if not rows:
        return _Candidate("csv", 0.0, ["no complete CSV record in the head"])
    ncols, share = _consistency(rows[:5000])
    reasons: list[str] = []
    if ncols < 2:
        conf = 0.2 * share
        reasons.append(f"only one field per row with {_delim_name(delimiter)}: not clearly CSV")
    else:
        ragged = sum(1 for r in rows if len(r) != ncols)
        if ragged == 0:
            reasons.append(f"consistent {ncols} fields per row with {_delim_name(delimiter)}")
        else:
            reasons.append(
                f"{len(rows) - ragged} of {len(rows)} rows have {ncols} fields with {_delim_name(delimiter)} "
                f"({_plural(ragged, 'ragged row')})"
            )
        conf = 0.95 * share if len(rows) >= 3 else 0.7 * share
    if how == "consistency":
        reasons.append("delimiter chosen by field-count consistency (clevercsv had no answer)")
    if quotechar != '"':
        reasons.append(f"values are quoted with {quotechar}; Axiom's CSV reader only understands \"")
    has_header, why = _has_header(rows)
    reasons.append(why)
    if has_header:
        fields = [c.strip() for c in rows[0]]
        data_rows = rows[1:]
    else:
        fields = [f"col{i + 1}" for i in range(ncols)]
        data_rows = rows
    dialect = CsvDialect(delimiter, quotechar, has_header, fields)
    covered = covered_chars / len(text) if text else 1.0
    return _Candidate("csv", conf, reasons, events_in_head=len(data_rows), covered=covered,
                      sample=_rows_to_events(data_rows, fields, SAMPLE_EVENTS), dialect=dialect)


# --------------------------------------------------------------------------- timestamps

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$")
_ISO_ZONE_OTHER = re.compile(r"^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.(\d+))?(Z|[+-]\d{2}:?\d{2})$")
_ISO_NO_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.(\d+))?$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_APACHE = re.compile(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$")
_RFC1123 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} ([A-Z]{3,4}|[+-]\d{4})$")
_SYSLOG = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}$")
_SLASHED = re.compile(r"^(\d{2})/(\d{2})/\d{4} \d{2}:\d{2}:\d{2}$")
_EPOCH_SCALE = {"epoch-s": 1, "epoch-ms": 1e3, "epoch-us": 1e6, "epoch-ns": 1e9}


def _valid(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def _time_kind(v: str) -> tuple[str, str | None] | None:
    """(kind, Go layout) for a string that looks like a time, else None."""
    if len(v) < 8 or len(v) > 40:
        return None
    if v[0].isdigit():
        if _RFC3339.match(v):
            return ("rfc3339", None) if _valid(v[:19], "%Y-%m-%dT%H:%M:%S") else None
        m = _ISO_NO_ZONE.match(v)
        if m:
            if not _valid(v[:10] + "T" + v[11:19], "%Y-%m-%dT%H:%M:%S"):
                return None
            frac = m.group(3)
            return "iso8601-no-zone", f"2006-01-02{m.group(1)}15:04:05" + ("." + "0" * len(frac) if frac else "")
        m = _ISO_ZONE_OTHER.match(v)
        if m:
            zone = m.group(4)
            frac = m.group(3)
            zlayout = "Z07:00" if ":" in zone or zone == "Z" else "Z0700"
            return "layout", f"2006-01-02{m.group(1)}15:04:05" + ("." + "0" * len(frac) if frac else "") + zlayout
        if _DATE_ONLY.match(v):
            return ("layout", "2006-01-02") if _valid(v, "%Y-%m-%d") else None
        if _APACHE.match(v):
            return ("layout", "02/Jan/2006:15:04:05 -0700") if _valid(v[:20], "%d/%b/%Y:%H:%M:%S") else None
        m = _SLASHED.match(v)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a <= 12 and 1 <= b <= 31:
                return "layout", "01/02/2006 15:04:05"
            if b <= 12 and 1 <= a <= 31:
                return "layout", "02/01/2006 15:04:05"
        return None
    if _RFC1123.match(v):
        if not _valid(v[5:25], "%d %b %Y %H:%M:%S"):
            return None
        return "layout", "Mon, 02 Jan 2006 15:04:05 -0700" if v[-5] in "+-" else "Mon, 02 Jan 2006 15:04:05 MST"
    if _SYSLOG.match(v):
        return ("layout", "Jan _2 15:04:05") if _valid("2000 " + v.replace("  ", " "), "%Y %b %d %H:%M:%S") else None
    return None


def _epoch_kind(value: Any, named: bool) -> str | None:
    """The epoch unit of a number, told apart by magnitude the way the server does
    (timeparse.epoch_unit: s < 1e11 <= ms < 1e14 <= µs < 1e17 <= ns)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        num = float(value)
    elif isinstance(value, str) and _NUM.match(value.strip()) and "e" not in value.lower():
        num = float(value)
    else:
        return None
    if num < 1e8:  # before 1973 in seconds: a count or a duration, not a time
        return None
    kind = "epoch-" + epoch_unit(num)
    if not named:  # an unnamed number only counts when it lands in 2000..2100
        secs = num / _EPOCH_SCALE[kind]
        if not (946_684_800 <= secs <= 4_102_444_800):
            return None
    return kind


def _value_kind(value: Any, named: bool) -> tuple[str, str | None] | None:
    epoch = _epoch_kind(value, named)
    if epoch:
        return epoch, None
    if isinstance(value, str):
        return _time_kind(value.strip())
    return None


def _guess_timestamp(sample: list, reasons: list[str]) -> TimestampGuess | None:
    sample = [e for e in sample if isinstance(e, dict)]
    if not sample:
        return None
    names: list[str] = []
    for event in sample:
        for key in event:
            if key not in names and key != RAGGED_KEY:
                names.append(key)
    lower = {n.lower(): n for n in reversed(names)}
    preferred = [lower[p] for p in TIME_FIELD_NAMES if p in lower]
    others = [n for n in names if n not in preferred]
    for name in preferred + others:
        is_named = name in preferred
        values = [e[name] for e in sample if e.get(name) not in (None, "")]
        if not values:
            continue
        kinds = Counter(_value_kind(v, is_named) for v in values)
        (kind_layout, hits), = kinds.most_common(1)
        if kind_layout is None:
            continue
        share = hits / len(values)
        if share < (0.8 if is_named else 1.0):
            continue
        kind, layout = kind_layout
        example = next(str(v) for v in values if _value_kind(v, is_named) == kind_layout)
        conf = share * (0.95 if is_named else 0.7)
        how = {"rfc3339": "RFC 3339 times (the server reads them unaided)",
               "iso8601-no-zone": f"ISO 8601 times without a zone (layout {layout}; read as UTC)",
               "layout": f"times in the layout {layout}"}.get(kind, f"{kind} numbers (the server reads them unaided)")
        if kinds[kind_layout] < len(values):
            how += f"; {len(values) - hits} of {len(values)} values differ"
        reasons.append(f"field {name!r} holds {how}")
        return TimestampGuess(name, kind, layout, example, round(conf, 2))
    return None


# --------------------------------------------------------------------------- sniffing


def _not_data(s: Sniff, why: str) -> Sniff:
    s.format = None
    s.csv = None
    s.confidence = 0.0
    s.error = NOT_DATA + why
    s.reasons.append(why)
    return s


def _sniff_head(head: _Head, s: Sniff, total_size: int | None) -> Sniff:
    s.compression = head.compression
    s.head_is_whole = head.whole
    if head.compression:
        s.reasons.append(f"{head.compression}-compressed (by its magic bytes)")
    if head.problem:
        s.reasons.append(head.problem)
        if not head.data:
            s.error = f"cannot decompress: {head.problem}"
            return s
    if not head.data:
        return _not_data(s, "the file is empty")
    try:
        s.encoding, text = _detect_encoding(head.data, head.whole, s.reasons)
    except _NotText as e:
        return _not_data(s, str(e))
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        return _not_data(s, "it holds only whitespace")
    ratio = _control_ratio(text)
    if ratio > 0.05:
        return _not_data(s, f"it holds binary data ({ratio:.0%} control characters)")

    first = stripped[0]
    cands: list[_Candidate] = []
    if first == "[":
        cands.append(_json_array(stripped, head.whole))
        if cands[0].confidence < 0.9:
            cands.append(_ndjson(text, head.whole))
    elif first == "{":
        nd = _ndjson(text, head.whole)
        cands.append(nd)
        if nd.confidence < 0.9 or nd.events_in_head <= 1:
            cands.append(_json_object(stripped, head.whole))
    if not cands or max(c.confidence for c in cands) < 0.9:
        csv_cand = _csv(text, head.whole)
        if cands:  # text opening with [ or { is rarely CSV: let valid-looking JSON win
            csv_cand.confidence *= 0.5
        cands.append(csv_cand)
    cands.sort(key=lambda c: c.confidence, reverse=True)
    best = cands[0]
    if best.error:
        s.reasons.extend(best.reasons)
        return _not_data(s, best.error)
    if best.confidence < 0.2:
        s.reasons.extend(best.reasons)
        why = "; ".join(best.reasons[:2])
        return _not_data(s, f"it does not look like any of them ({why})")

    s.format = best.format
    s.confidence = round(best.confidence, 3)
    s.reasons.extend(best.reasons)
    s.csv = best.dialect
    s.sample = best.sample
    if len(cands) > 1 and cands[1].confidence > 0.05 and best.confidence - cands[1].confidence <= RUNNER_UP_WITHIN:
        s.runner_up = (cands[1].format, round(cands[1].confidence, 3))
    s.timestamp = _guess_timestamp(s.sample, s.reasons)

    # Events: exact when the head is the whole input, else scaled from the part of the head they span.
    if head.whole or best.format == "json-object":
        s.estimated_events = best.events_in_head
    else:
        if head.compression and total_size:
            total = total_size * len(head.data) / head.raw_read
        else:
            total = total_size or len(head.data)
        spanned = max(1.0, len(head.data) * best.covered)
        s.estimated_events = int(round(best.events_in_head * total / spanned))
        s.reasons.append(
            f"about {s.estimated_events:,} events, estimated from {best.events_in_head:,} in the first "
            f"{len(head.data):,} bytes" + (" (scaled by the compression ratio seen there)" if head.compression else "")
        )
    return s


def sniff_path(path: str | os.PathLike, head_bytes: int = HEAD_BYTES) -> Sniff:
    """Sniff a file from its head only. Never raises for bad input: problems go to `error`."""
    s = Sniff(path=str(path))
    try:
        raw = sources.open_raw(path)
    except sources.SourceError as e:
        s.error = str(e)
        return s
    try:
        with raw:
            s.size = os.fstat(raw.fileno()).st_size
            head = _read_head(raw, head_bytes)
    except OSError as e:
        s.error = f"{path}: cannot read it ({e.strerror or e})"
        return s
    s.bytes_read = head.raw_read
    return _guarded(head, s)


def sniff_bytes(data: bytes, name: str | None = None, head_bytes: int = HEAD_BYTES) -> Sniff:
    """Sniff pasted text or stdin held in memory (only its head is examined)."""
    s = Sniff(path=name, size=len(data))
    head = _read_head(io.BytesIO(data), head_bytes)
    s.bytes_read = head.raw_read
    return _guarded(head, s)


def _guarded(head: _Head, s: Sniff) -> Sniff:
    """A surprise in the analysis becomes an error on the Sniff, never an exception for the caller."""
    try:
        return _sniff_head(head, s, s.size)
    except Exception as e:  # noqa: BLE001 - the contract: sniffing never raises for bad input
        s.format, s.csv, s.confidence = None, None, 0.0
        s.error = f"could not make sense of the input ({type(e).__name__}: {e})"
        return s


def preview_rows(path_or_bytes: str | os.PathLike | bytes, sniff: Sniff, limit: int = SAMPLE_EVENTS) -> list[dict]:
    """The first events as they would be sent, re-read with `sniff`'s (possibly overridden) settings.

    CSV rows whose field count differs from the header carry RAGGED_KEY. Raises sources.SourceError
    when the file cannot be read any more.
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        head = _read_head(io.BytesIO(bytes(path_or_bytes)), HEAD_BYTES)
    else:
        with sources.open_raw(path_or_bytes) as raw:
            head = _read_head(raw, HEAD_BYTES)
    enc = sniff.encoding or "utf-8"
    data = head.data
    if enc == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        data, enc = data[3:], "utf-8"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if enc == name and data.startswith(bom):
            data = data[2:]
    try:
        text = _decode(data, enc, head.whole).lstrip("\ufeff")
    except LookupError:
        text = _decode(data, "utf-8", head.whole)
    fmt = sniff.format
    if fmt == "csv":
        dialect = sniff.csv or CsvDialect()
        rows, _ = _parse_records(text, head.whole, dialect.delimiter, dialect.quotechar, max_rows=limit + 1)
        rows = rows[: limit + 1]
        if not rows:
            return []
        if dialect.has_header:
            fields, rows = [c.strip() for c in rows[0]], rows[1:]
        else:
            auto = not dialect.fields or all(f == f"col{i + 1}" for i, f in enumerate(dialect.fields))
            fields = [f"col{i + 1}" for i in range(_consistency(rows)[0])] if auto else list(dialect.fields)
        return _rows_to_events(rows, fields, limit)
    stripped = text.lstrip()
    if fmt == "json-array":
        return _json_array(stripped, head.whole).sample[:limit]
    if fmt == "json-object":
        return _json_object(stripped, head.whole).sample[:limit]
    if fmt == "ndjson":
        return _ndjson(text, head.whole).sample[:limit]
    return []
