"""Is the head a JSON array, NDJSON or one JSON object? Each reader returns a Candidate with its
confidence, its reasons and the first events."""

from __future__ import annotations

import io
from typing import Any

import orjson

from app.core.sniff.candidate import Candidate, plural
from app.core.sniff.models import SAMPLE_EVENTS


def json_array(text: str, whole: bool) -> Candidate:
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
        reasons.append(f"a JSON array of {plural(count, 'element')}" if count else "an empty JSON array")
        conf = 0.99
    elif truncated and not whole:
        reasons.append(
            f"a JSON array; the sniffed head holds {plural(count, 'complete element')} "
            "and ends inside the next one (only the head was read)"
        )
        conf = 0.95 if count else 0.8
    elif truncated:
        reasons.append(f"a JSON array that ends early: the file stops after {plural(count, 'element')}")
        conf = 0.7
    else:
        reasons.append(f"starts like a JSON array but is not valid JSON after {plural(count, 'element')} ({err})")
        conf = 0.4 if count else 0.15
    if count and objects < count:
        reasons.append(
            f"{count - objects} of {count} elements are not JSON objects (Axiom stores objects only)"
        )
        conf *= 0.5 + 0.5 * objects / count
    return Candidate("json-array", conf, reasons, events_in_head=count, failing=count - objects, sample=items)


def ndjson(text: str, whole: bool) -> Candidate:
    lines = text.split("\n")
    cut = ""
    if not whole and len(lines) > 1:
        cut = lines.pop()  # the head ends inside this line
    covered_chars = len(text) - len(cut)
    total = good = parsed = 0
    first_bad: tuple[int, str] | None = None
    first_failing: int | None = None  # the first line that is not a JSON object (it will fail)
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
            first_failing = first_failing or i
            continue
        parsed += 1
        if isinstance(value, dict):
            good += 1
        else:
            first_failing = first_failing or i
        if len(sample) < SAMPLE_EVENTS:
            sample.append(value)  # non-objects too: the preview shows them as the failures they will be
        elif first_bad is None:
            first_bad = (i, f"a JSON {type(value).__name__}, not an object")
    reasons: list[str] = []
    if total == 0:
        return Candidate("ndjson", 0.0, ["no complete line in the head"])
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
    # Every non-blank line is an event the job counts: the objects are sent, the others fail by line.
    return Candidate("ndjson", conf, reasons, events_in_head=total, failing=total - good,
                     first_failing_line=first_failing, covered=covered, sample=sample)


def json_object(text: str, whole: bool) -> Candidate:
    if whole:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            multi = "\n" in text.strip()
            return Candidate(
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
        return Candidate(
            "json-object", 0.75,
            ["one JSON object larger than the sniffed head (only the head was read); sent as one event"],
            events_in_head=1,
        )
    if complete > 1 and (err is None or (truncated and not whole)):
        return Candidate(
            "json-object", 0.5,
            [f"{complete}{'+' if complete > 1000 else ''} JSON objects one after another, spread over "
             "several lines (concatenated JSON): neither one object nor NDJSON"],
            error=(f"it holds {complete} JSON objects one after another, each over several lines; "
                   "put each object on one line (NDJSON) or wrap them in [ ] with commas"),
        )
    why = f" ({err})" if err else ""
    return Candidate("json-object", 0.1 if complete else 0.05, [f"starts with {{ but is not one valid JSON object{why}"],
                      events_in_head=complete, sample=[first] if first else [])


JSON_NAMES = (".json", ".json.gz", ".json.zst")


def json_problem(text: str, whole: bool) -> str | None:
    """Why text meant as JSON (it opens with { or [, or is named .json) does not read as JSON, with
    the line: such a file is never sent as CSV or log lines. None when it parses, or when the only
    fault is that the sniffed head ends early (the rest of the file may finish it)."""
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as e:
        if not whole and e.msg == "unexpected end of data":
            return None
        if "number is" in e.msg:  # valid JSON grammar (1e400): the readers fail that event by line
            return None
        return f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
    return None
