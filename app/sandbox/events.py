"""What happens to an event before it is stored: labels merged, reserved fields renamed, the
timestamp read into `_time`, values over the limits replaced; and which events are refused.

Decisions where Axiom's behaviour is not documented (keep in sync with the tests):
- The timestamp field (default `_time`) is parsed (RFC 3339 / ISO 8601 / epoch s·ms·µs·ns by
  magnitude, or the Go layout of `timestamp-format`, read as Go's time.Parse reads it: a layout
  without a year gives year 0, outside Axiom's range; a zone abbreviation other than UTC is
  +00:00); when it parses, its value becomes `_time` and a field other than `_time` is removed.
  When it is there but does not parse, the event is refused (a 200 partial failure: Axiom's
  field rules, "_time must conform to a valid timestamp or not be specified at all"); null or ""
  counts as not there. An event without it gets the ingest time. With a `timestamp-field` the
  event lacks, a parseable `_time` in the event is still used.
- Labels (`X-Axiom-Event-Labels`) are merged into each event and win over its own fields.
- Field names counted against `max_fields` are the flattened leaf names ("a.b.c"; arrays are one
  field); `_time` and `_sysTime` are not counted.
- `reject_field` matches a top-level key or a flattened name ("user.password").
- String values over 1 MiB of UTF-8 become "<invalid string: too long>"; objects/arrays nested
  deeper than 100 levels (the event is level 1) become null. A key over 200 bytes fails
  the event (200 partial failure: "field name too long").
"""

from __future__ import annotations

from typing import Any

from app.core.time import format_time, parse_time
from app.sandbox.limits import MAX_DEPTH, MAX_FIELD_NAME_BYTES, MAX_VALUE_BYTES, RESERVED_FIELDS, TOO_LONG


def _clean(value: Any, depth: int) -> Any:
    """Apply the value limits to something inside an event (depth of the containing object)."""
    if isinstance(value, str):
        if len(value) > MAX_VALUE_BYTES // 4 and len(value.encode("utf-8", "surrogatepass")) > MAX_VALUE_BYTES:
            return TOO_LONG
        return value
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return None
        for k, v in value.items():
            if isinstance(v, (str, dict, list)):
                value[k] = _clean(v, depth + 1)
        return value
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return None
        for i, v in enumerate(value):
            if isinstance(v, (str, dict, list)):
                value[i] = _clean(v, depth + 1)
        return value
    return value


def flatten_names(event: dict, prefix: str, names: set[str]) -> None:
    for k, v in event.items():
        if isinstance(v, dict) and v:
            flatten_names(v, f"{prefix}{k}.", names)
        else:
            names.add(prefix + k)


def _sanitize(obj: dict, depth: int, prefix: str, names: set[str]) -> None:
    """`_clean` plus `_flatten_names` in one walk (the hot path of every stored event)."""
    for k, v in obj.items():
        kind = type(v)
        if kind is dict:
            if depth + 1 >= MAX_DEPTH:
                obj[k] = None
                names.add(prefix + k)
            elif v:
                _sanitize(v, depth + 1, f"{prefix}{k}.", names)
            else:
                names.add(prefix + k)
        else:
            names.add(prefix + k)
            if kind is str or kind is list:
                obj[k] = _clean(v, depth + 1)


def prepare_event(event: dict, *, labels: dict | None, timestamp_field: str, layout: str | None,
                  ingest_ns: int, names: set[str] | None = None) -> tuple[dict, int, str | None]:
    """The event as stored (with `_time` first, `_sysTime` second), its time in ns, and why its
    time is refused (None when it is not); `names` receives its flattened field names (without
    `_time`/`_sysTime`)."""
    if labels:
        event.update(labels)
    for name in RESERVED_FIELDS:
        if name in event:
            event["_user_" + name] = event.pop(name)
    ts: int | None = None
    bad: str | None = None
    given = event.get(timestamp_field)
    if given is not None and given != "":
        ts = parse_time(given, layout)
        if ts is None:
            how = f" with the layout {layout!r}" if layout else ""
            bad = f"invalid time: cannot parse {str(given)[:80]!r}{how} (field {timestamp_field})"
        elif timestamp_field != "_time":
            del event[timestamp_field]
    elif timestamp_field != "_time" and event.get("_time") not in (None, ""):
        ts = parse_time(event["_time"])
        if ts is None:
            bad = f"invalid time: cannot parse {str(event['_time'])[:80]!r} (field _time)"
    event.pop("_time", None)
    if ts is None:
        ts = ingest_ns
    _sanitize(event, 0, "", names if names is not None else set())
    stored = {"_time": format_time(ts), "_sysTime": format_time(ingest_ns)}
    stored.update(event)
    return stored, ts, bad


def refusal(event: dict, names: set[str], known: set[str], *, reject: str | None,
            max_fields: int) -> str | None:
    """Why a prepared event is refused (a 200 partial failure), or None; `known` are the
    dataset's field names so far, `names` the event's."""
    long_name = next((part for n in names for part in n.split(".")
                      if len(part.encode("utf-8")) > MAX_FIELD_NAME_BYTES), None)
    if reject and (reject in event or reject in names):
        return f"rejected by sandbox: field {reject} is not allowed"
    if long_name is not None:
        return (f"field name too long: {len(long_name.encode('utf-8'))} bytes "
                f"(limit {MAX_FIELD_NAME_BYTES}): {long_name[:40]}…")
    new = names - known
    if new and len(known) + len(new) > max_fields:
        return (f"too many fields: the event would bring the dataset to "
                f"{len(known) + len(new)} fields (limit {max_fields})")
    return None
