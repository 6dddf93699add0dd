"""Is the head CSV, and in which dialect: delimiter, quote character, header row.

Dialects are found with clevercsv's detector on a sample of at most 32 KiB cut at a line boundary
(measured at 30-70 ms, well inside the time budget; a 64 KiB sample took up to 140 ms on
prose-like text). Its answer is then checked with the csv module over the whole head; when
clevercsv has no answer, a small consistency detector (the delimiter giving the most rows with the
same field count) takes over.

A row whose field count differs from the header's is marked with RAGGED_KEY ("__ragged__": True);
its extra cells are named colN by position.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any, Iterable, Iterator

from app.core.sniff.candidate import Candidate, plural
from app.core.sniff.head import HEAD_BYTES
from app.core.sniff.models import RAGGED_KEY, SAMPLE_EVENTS, CsvDialect
from app.core.time import NUMERIC_RE, time_kind

CSV_SAMPLE_CHARS = 32 * 1024
DELIMITERS = [",", ";", "\t", "|"]

# The csv module refuses fields over 128 KiB by default; a field may fill the whole head (the limit
# is process-wide: only ever raised, so each reader of CSV states what it needs).
csv.field_size_limit(max(csv.field_size_limit(), HEAD_BYTES))


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


def parse_records(text: str, whole: bool, delimiter: str, quotechar: str,
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


def consistency(rows: list[list[str]]) -> tuple[int, float]:
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
        rows, _ = parse_records(sample, sample_whole, delim, '"', max_rows=500)
        n, share = consistency(rows)
        score = share if n > 1 else 0.0
        if score > best[1]:
            best = (delim, score)
    return best[0], '"', "consistency"


def _cell_type(value: str) -> str:
    v = value.strip()
    if not v:
        return "empty"
    if NUMERIC_RE.fullmatch(v):
        return "number"
    if time_kind(v) is not None:
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
        return True, f"the first row differs in type from the rows below in {plural(votes_for, 'column')}: a header"
    if votes_against > votes_for:
        return False, "the first row has the same kinds of values as the rows below: no header row (fields named col1..colN)"
    return True, "the first row holds distinct non-empty names: read as a header"


def rows_to_events(rows: Iterable[list[str]], fields: list[str], limit: int) -> list[dict]:
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


def csv_candidate(text: str, whole: bool) -> Candidate:
    delimiter, quotechar, how = _detect_dialect(text, whole)
    rows, covered_chars = parse_records(text, whole, delimiter, quotechar)
    if not rows:
        return Candidate("csv", 0.0, ["no complete CSV record in the head"])
    ncols, share = consistency(rows[:5000])
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
                f"({plural(ragged, 'ragged row')})"
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
    # A row with more or fewer cells than the header is refused by Axiom's reader (csv_refusals).
    ragged_rows = [k for k, r in enumerate(data_rows) if len(r) != len(fields)] if ncols >= 2 else []
    first = _line_of(text, delimiter, quotechar, ragged_rows[0] + (1 if has_header else 0)) if ragged_rows else None
    return Candidate("csv", conf, reasons, events_in_head=len(data_rows), failing=len(ragged_rows),
                     first_failing_line=first, covered=covered,
                     sample=rows_to_events(data_rows, fields, SAMPLE_EVENTS), dialect=dialect)


def _line_of(text: str, delimiter: str, quotechar: str, index: int) -> int | None:
    """The input line (1-based) the record at `index` starts on (a quoted cell may span lines)."""
    start = 0
    for k, (_, end) in enumerate(_csv_rows(text, delimiter, quotechar)):
        if k == index:
            while start < len(text) and text[start] in "\r\n":  # blank lines before it are not records
                start += 1
            return text.count("\n", 0, start) + 1
        start = end
    return None
