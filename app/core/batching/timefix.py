"""The app's own `_time` for plans whose times Axiom would misread (Plan.client_time): each
event gets `_time` as RFC 3339, computed by time.instant; its own time field stays as it was.
An event whose time does not read is failed here, naming its line (Axiom would refuse it too,
but without saying which line)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import replace
from typing import Any, Iterator

import orjson

from app.core.batching.batch import Batch, as_range
from app.core.plan import Plan
from app.core.time import format_time
from app.core.time.instant import InstantReader


class TimeFix:
    """Rewrites batches of one plan; `for_plan` is None when the plan needs no rewriting."""

    def __init__(self, plan: Plan, today: dt.date | None = None):
        self.field = plan.timestamp_field or "_time"
        self.layout = plan.timestamp_format
        self.reader = InstantReader(plan.timestamp_format, plan.time_zone, today or dt.date.today())
        self.csv = plan.csv

    @classmethod
    def for_plan(cls, plan: Plan, today: dt.date | None = None) -> TimeFix | None:
        return cls(plan, today) if plan.client_time else None

    def apply_all(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        for batch in batches:
            yield self.apply(batch)

    def _time_of(self, value: Any) -> tuple[str | None, str | None]:
        """(RFC 3339 `_time`, None) or (None, why it was failed); (None, None): no time to set."""
        if value is None or value == "":
            return None, None
        ns = self.reader.read(value)
        if ns is None:
            how = f"the layout {self.layout}" if self.layout else "a time"
            return None, f"its time {str(value)[:60]!r} (field {self.field}) does not read as {how}"
        return format_time(ns), None

    def apply(self, batch: Batch) -> Batch:
        if not batch.count:
            return batch
        records = batch.records()
        if batch.kind == "csv":
            header, out = self._csv(batch, records)
        else:
            header, out = batch.header, [self._ndjson(r) for r in records]
        keep = [i for i, (_, why) in enumerate(out) if why is None]
        failed = [(batch.lines[i], out[i][1]) for i in range(len(out)) if out[i][1] is not None]
        body = b"".join(out[i][0] for i in keep)
        if len(keep) == batch.count:
            return replace(batch, header=header, body=body)
        ordinals = list(batch.ordinals)
        has_ordinals = len(ordinals) == batch.count
        skipped = sorted(batch.skipped + failed)  # type: ignore[operator]
        lost_ordinals = [ordinals[i] for i in range(len(out)) if out[i][1] is not None] if has_ordinals else []
        return replace(batch, header=header, body=body, count=len(keep),
                       lines=as_range([batch.lines[i] for i in keep]),
                       ordinals=as_range([ordinals[i] for i in keep]) if has_ordinals else (),
                       skipped=skipped, skipped_ordinals=sorted(batch.skipped_ordinals + lost_ordinals))

    def _ndjson(self, rec: bytes) -> tuple[bytes, str | None]:
        try:
            event = orjson.loads(rec)
        except orjson.JSONDecodeError:
            return rec, None  # the server answers for it (a 400 naming the line)
        if type(event) is not dict:
            return rec, None
        stamp, why = self._time_of(event.get(self.field))
        if stamp is None:
            return rec, why
        if "_time" in event:
            event["_time"] = stamp
            return orjson.dumps(event) + b"\n", None
        head = rec.lstrip()
        inner = head[1:].lstrip()
        sep = b"" if inner.startswith(b"}") else b","
        return b'{"_time":"' + stamp.encode() + b'"' + sep + inner, None

    def _csv(self, batch: Batch, records: list[bytes]) -> tuple[bytes | None, list[tuple[bytes, str | None]]]:
        d = self.csv.delimiter if self.csv else ","
        q = (self.csv.quotechar if self.csv else '"') or None
        fields = list(self.csv.fields) if self.csv else []
        if batch.header is not None:
            fields = next(csv.reader(io.StringIO(batch.header.decode("utf-8")), delimiter=d, quotechar=q or '"'), fields)
        fields = [f.strip() for f in fields]
        idx = fields.index(self.field) if self.field in fields else None
        in_place = "_time" in fields
        header = batch.header
        if header is not None and not in_place:
            header = header.rstrip(b"\r\n") + d.encode() + b"_time\n"
        out: list[tuple[bytes, str | None]] = []
        for rec in records:
            row = next(csv.reader(io.StringIO(rec.decode("utf-8")), delimiter=d, quotechar=q or '"'), [])
            value = row[idx] if idx is not None and idx < len(row) else None
            stamp, why = self._time_of(value)
            if stamp is None:
                if why is None and not in_place:  # no time: an empty _time cell keeps the columns
                    out.append((rec.rstrip(b"\r\n") + d.encode() + b"\n", None))
                else:
                    out.append((rec, why))
                continue
            if in_place:
                row[fields.index("_time")] = stamp
                buf = io.StringIO()
                csv.writer(buf, delimiter=d, quotechar=q or '"', lineterminator="\n").writerow(row)
                out.append((buf.getvalue().encode("utf-8"), None))
            else:
                cell = f'"{stamp}"' if d in stamp else stamp
                out.append((rec.rstrip(b"\r\n") + (d + cell).encode() + b"\n", None))
        return header, out


def csv_fields_sent(plan: Plan) -> list[str] | None:
    """The X-Axiom-CSV-Fields of a headerless CSV: with `_time` last when the app adds it."""
    csv_d = plan.csv
    if not plan.sends_csv or csv_d is None or csv_d.has_header:
        return None
    fields = list(csv_d.fields)
    if plan.client_time and "_time" not in fields:
        fields.append("_time")
    return fields
