"""The entry point: sniff a file or bytes from their head, rank the format candidates, guess the
time field and estimate the events. Never raises for bad input: problems go to `Sniff.error`."""

from __future__ import annotations

import io
import os

from app.core.io import SourceError, open_raw
from app.core.sniff.candidate import Candidate
import app.core.sniff.csv_types as csv_types
from app.core.sniff.encoding import NotText, binary_text_share, detect_encoding
from app.core.sniff.formats import JSON_NAMES, json_array, json_object, json_problem, ndjson
from app.core.sniff.head import HEAD_BYTES, Head, read_head
from app.core.sniff.models import LogSettings, Sniff
from app.core.sniff.records import wrapped_records
from app.core.time import guess_timestamp

RUNNER_UP_WITHIN = 0.25
NOT_DATA = "this is not JSON, NDJSON or CSV: "


def _not_data(s: Sniff, why: str) -> Sniff:
    s.format = None
    s.csv = None
    s.confidence = 0.0
    s.error = NOT_DATA + why
    s.reasons.append(why)
    return s


def _sniff_head(head: Head, s: Sniff, total_size: int | None) -> Sniff:
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
        s.encoding, text = detect_encoding(head.data, head.whole, s.reasons)
    except NotText as e:
        return _not_data(s, str(e))
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        return _not_data(s, "it holds only whitespace")
    ratio = binary_text_share(text)
    if ratio is not None:
        return _not_data(s, f"it holds binary data ({ratio:.0%} control characters)")

    first = stripped[0]
    cands: list[Candidate] = []
    if first == "[":
        cands.append(json_array(stripped, head.whole))
        if cands[0].confidence < 0.9:
            cands.append(ndjson(text, head.whole))
    elif first == "{":
        nd = ndjson(text, head.whole)
        cands.append(nd)
        if nd.confidence < 0.9 or nd.events_in_head <= 1:
            cands.append(json_object(stripped, head.whole))
    log_cand = None
    if not cands or max(c.confidence for c in cands) < 0.9:
        # Loaded only here: a clear JSON or NDJSON head never asks (issue #15: an NDJSON send
        # spares the text-log patterns and the CSV dialect finder their import).
        from app.core.sniff.csv_dialect import csv_candidate
        from app.core.sniff.textlog import log_beats_csv, textlog_candidate

        log_cand = textlog_candidate(text, head.whole)
        csv_cand = csv_candidate(text, head.whole)
        if cands:  # text opening with [ or { is rarely CSV: let valid-looking JSON win
            csv_cand.confidence *= 0.5
        if log_cand is not None and log_beats_csv(log_cand, csv_cand):
            csv_cand.confidence = min(csv_cand.confidence, log_cand.confidence * 0.5)
        cands.append(csv_cand)
    if log_cand is not None:
        cands.append(log_cand)
    cands.sort(key=lambda c: c.confidence, reverse=True)
    best = cands[0]
    named_json = (s.path or "").lower().endswith(JSON_NAMES)
    meant_json = first in "[{" or named_json
    # A text log may open with "[" ("[INFO] …", "[2026-12-02 …]"): it stays a log unless named .json.
    unsure = (best.format == "csv" or (best.format == "text" and named_json)
              or (best.format == "json-array" and best.confidence < 0.5))
    if unsure and meant_json and (problem := json_problem(text, head.whole)):
        s.reasons.append(problem)  # a JSON file with a typo or a cut end: never junk CSV rows
        s.format, s.csv, s.confidence, s.error = None, None, 0.0, problem
        return s
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
    records = wrapped_records(stripped, head.whole) if first == "{" and best.events_in_head <= 1 else None
    if records is not None:  # one object wrapping the events: each element of its array is one
        s.format, s.records, s.sample = "json-object", records, records.elements
        s.reasons = [r for r in s.reasons if not r.endswith("sent as one event")]
        s.confidence = max(s.confidence, 0.95)
        s.reasons.append(records.reason + " (--records-path '' sends the whole object as one event)")
    if best.log is not None:
        s.log, s.log_settings = best.log, LogSettings(best.log.format)
    if len(cands) > 1 and cands[1].confidence > 0.05 and best.confidence - cands[1].confidence <= RUNNER_UP_WITHIN:
        s.runner_up = (cands[1].format, round(cands[1].confidence, 3))
    likely: list = []
    s.timestamp = guess_timestamp(s.sample, s.reasons, likely)
    s.likely_time = likely[0] if likely and s.timestamp is None else None
    if s.csv is not None:
        s.column_types, s.typed_by_default = csv_types.from_events(s.csv.fields, s.sample)
        if s.typed_by_default:
            s.reasons.append(f"typed columns ({csv_types.describe(s.column_types)}): sent as NDJSON with "
                             "numbers and booleans as typed values")

    # Events: exact when the head is the whole input, else scaled from the part of the head they span.
    if records is not None:
        s.estimated_events = records.complete
        if records.runs_past_head:
            total = total_size * len(head.data) / head.raw_read if head.compression and total_size else \
                (total_size or len(head.data))
            s.estimated_events = int(round(records.complete * total / max(1, records.spanned)))
            s.reasons.append(f"about {s.estimated_events:,} events, estimated from {records.complete:,} in the "
                             f"first {len(head.data):,} bytes")
    elif head.whole or best.format == "json-object":
        s.estimated_events = best.events_in_head
        s.failing_events, s.first_failing_line = best.failing, best.first_failing_line
    else:
        if head.compression and total_size:
            total = total_size * len(head.data) / head.raw_read
        else:
            total = total_size or len(head.data)
        spanned = max(1.0, len(head.data) * best.covered)
        s.estimated_events = int(round(best.events_in_head * total / spanned))
        s.failing_events = int(round(best.failing * total / spanned))
        s.first_failing_line = best.first_failing_line
        s.reasons.append(
            f"about {s.estimated_events:,} events, estimated from {best.events_in_head:,} in the first "
            f"{len(head.data):,} bytes" + (" (scaled by the compression ratio seen there)" if head.compression else "")
        )
    return s


def sniff_path(path: str | os.PathLike, head_bytes: int = HEAD_BYTES) -> Sniff:
    """Sniff a file from its head only. Never raises for bad input: problems go to `error`."""
    s = Sniff(path=str(path))
    try:
        raw = open_raw(path)
    except SourceError as e:
        s.error = str(e)
        return s
    try:
        with raw:
            s.size = os.fstat(raw.fileno()).st_size
            head = read_head(raw, head_bytes)
    except OSError as e:
        s.error = f"{path}: cannot read it ({e.strerror or e})"
        return s
    s.bytes_read = head.raw_read
    return _guarded(head, s)


def sniff_bytes(data: bytes, name: str | None = None, head_bytes: int = HEAD_BYTES) -> Sniff:
    """Sniff pasted text or stdin held in memory (only its head is examined)."""
    s = Sniff(path=name, size=len(data))
    head = read_head(io.BytesIO(data), head_bytes)
    s.bytes_read = head.raw_read
    return _guarded(head, s)


def _guarded(head: Head, s: Sniff) -> Sniff:
    """A surprise in the analysis becomes an error on the Sniff, never an exception for the caller."""
    try:
        return _sniff_head(head, s, s.size)
    except Exception as e:  # noqa: BLE001 - the contract: sniffing never raises for bad input
        s.format, s.csv, s.confidence = None, None, 0.0
        s.error = f"could not make sense of the input ({type(e).__name__}: {e})"
        return s
