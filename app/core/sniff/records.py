"""Wrapped records: is this JSON object a wrapper around an array of events?

A CloudTrail file (`{"Records": [...]}`), an API export (`{"data": [...], "has_more": false}`), a
search answer (`{"took": 3, "hits": {"total": 9, "hits": [...]}}`): one object whose array of
objects holds nearly all of its bytes. Sent as one event, it is useless in a log tool; each
element of the array is the event. The rule: the array's elements are (mostly) objects, and it
holds at least SHARE of the object's bytes, or runs past the sniffed head; no other array comes
close. Looked for down to DEPTH objects deep (`hits.hits`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

SHARE = 0.8        # of the object's bytes (of the head's, when it runs past it)
DEPTH = 3
_decoder = json.JSONDecoder()


@dataclass
class Records:
    """The sniff's answer: which array holds the events, and why."""

    path: str                                   # dotted keys from the top ("Records", "hits.hits")
    share: float                                # of the bytes seen, what the array holds
    elements: list = field(default_factory=list)  # the first elements (the sample)
    complete: int = 0                           # whole elements in the head
    spanned: int = 0                            # characters from the array's start to its last whole element
    runs_past_head: bool = False
    fields: dict = field(default_factory=dict)  # the other keys before the array (scalars and small values)
    reason: str = ""


def _ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


def _array(s: str, i: int, limit: int) -> tuple[list, int, int, bool]:
    """The elements of the array at s[i] ("["): (first `limit` elements, whole elements, index
    past the last whole one, ends inside the text)."""
    out: list = []
    n, j = 0, _ws(s, i + 1)
    last = j
    if j < len(s) and s[j] == "]":
        return out, 0, j + 1, True
    while j < len(s):
        try:
            value, j = _decoder.raw_decode(s, j)
        except (ValueError, RecursionError):
            return out, n, last, False
        n += 1
        last = j
        if len(out) < limit:
            out.append(value)
        j = _ws(s, j)
        if j < len(s) and s[j] == "]":
            return out, n, j + 1, True
        if j >= len(s) or s[j] != ",":
            return out, n, last, False
        j = _ws(s, j + 1)
    return out, n, last, False


def _scan(s: str, i: int, depth: int, prefix: str, limit: int, out: list) -> int | None:
    """Walk the object at s[i] ("{"), noting each array of objects (path, start, end, elements);
    returns the index past the object, or None when the text ends inside it."""
    j = _ws(s, i + 1)
    if j < len(s) and s[j] == "}":
        return j + 1
    while j < len(s):
        try:
            key, j = _decoder.raw_decode(s, j)
        except (ValueError, RecursionError):
            return None
        j = _ws(s, j)
        if j >= len(s) or s[j] != ":" or not isinstance(key, str):
            return None
        j = _ws(s, j + 1)
        path = f"{prefix}.{key}" if prefix else key
        if j < len(s) and s[j] == "[":
            elements, n, last, closed = _array(s, j, limit)
            out.append((path, j, last if not closed else last, elements, n, closed, depth))
            if not closed:
                return None
            j = last
        elif j < len(s) and s[j] == "{" and depth + 1 < DEPTH:
            end = _scan(s, j, depth + 1, path, limit, out)
            if end is None:
                return None
            out.append((path, j, end, _decoder.raw_decode(s, j)[0], -2, True, depth))
            j = end
        else:
            try:
                value, end = _decoder.raw_decode(s, j)
            except (ValueError, RecursionError):
                return None
            out.append((path, j, end, value, -1, True, depth))
            j = end
        j = _ws(s, j)
        if j < len(s) and s[j] == "}":
            return j + 1
        if j >= len(s) or s[j] != ",":
            return None
        j = _ws(s, j + 1)
    return None


def wrapped_records(text: str, whole: bool, limit: int = 50) -> Records | None:
    """The array of events inside the JSON object that `text` (the head, from its "{") starts."""
    if not text.startswith("{"):
        return None
    seen: list = []
    end = _scan(text, 0, 0, "", limit, seen)
    if end is None and whole:
        return None  # a broken object: the format's own reasons say so
    size = (end or len(text))
    best = None
    for path, start, stop, value, n, closed, depth in seen:
        if n < 1 or not isinstance(value, list):
            continue
        objects = sum(isinstance(v, dict) for v in value)
        if objects < max(1, len(value) * 0.8):
            continue
        span = (stop if closed else len(text)) - start
        if best is None or span > best[1]:
            best = (path, span, value, n, stop - start, not closed)
    if best is None:
        return None
    path, span, elements, n, spanned, open_ = best
    share = span / size
    rivals = [s for s in seen if s[4] >= 1 and s[0] != path and isinstance(s[3], list)
              and (s[2] - s[1]) > span * 0.25]
    if share < SHARE or rivals:
        return None
    start_at = next(x[1] for x in seen if x[0] == path)
    parents = {"", *(path.rsplit(".", k)[0] for k in range(1, path.count(".") + 1))}
    fields = {p: v for p, start, _stop, v, m, _c, _d in seen
              if m < 0 and start < start_at and p not in parents and (p.rpartition(".")[0] in parents)}
    where = "runs past the sniffed head" if open_ else f"holds {share:.0%} of the file's bytes"
    reason = (f"each element of {path!r} is an event: the object wraps an array of "
              f"{n:,}{'+' if open_ else ''} objects that {where}")
    return Records(path, round(share, 3), elements, n, spanned, open_, fields, reason)
