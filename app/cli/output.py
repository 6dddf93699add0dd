"""What the commands print: sniff descriptions, per-file summaries, the live progress line, errors."""

from __future__ import annotations

import json
import sys
import time

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


def first_readings(s) -> list[str]:
    """How the first sampled times will be stored (as UTC), and who computes them."""
    from app.core.time.check import check_times, describe_reading
    from app.core.time.civil import NaiveZone

    t = s.timestamp
    if t is None or t.orders:
        return []
    check = check_times(s.sample, t.field, t.layout)
    out = [describe_reading(r, NaiveZone()) for r in check.first]
    if check.why_client and out:
        out.append(f"_time computed by this app: {check.why_client}")
    return out


def describe_sniff(path: str, s) -> str:
    if s.error:
        return f"{path}: {s.error}"
    lines = [f"{path}: {s.format} ({s.confidence:.0%} sure)"]
    details = [f"encoding {s.encoding}"]
    if s.compression:
        details.append(f"{s.compression}-compressed")
    if s.csv:
        delim = {"\t": "tab"}.get(s.csv.delimiter, repr(s.csv.delimiter))
        details.append(f"delimiter {delim}, {'a header row' if s.csv.has_header else 'no header row'}")
    details.append(f"about {s.estimated_events:,} events")
    lines.append("  " + ", ".join(details))
    if getattr(s, "log", None) and s.format == "text":
        lines.append(f"  log: {s.log.summary()}")
        settings = s.log_settings
        start = settings.line_start if settings and settings.line_start else s.log.start
        if start:
            lines.append(f"  line start: {start}")
    if s.csv and s.column_types:
        from app.core.sniff.csv_types import describe
        how = "sent as typed values (NDJSON)" if s.typed_by_default else "sent as text unless --typed-columns on"
        lines.append(f"  column types: {describe(s.column_types)}; {how}")
    if s.timestamp:
        t = s.timestamp
        how = f"timestamp-format {t.layout!r}" if t.layout else f"{t.kind}, read by the server unaided"
        if t.orders:
            how = "dates that read " + " or ".join(f"{o} ({layout})" for o, layout in t.orders.items()) + \
                  ": send needs --date-order"
        lines.append(f"  timestamp: field {t.field!r} ({how}), e.g. {t.example}")
        lines.extend(f"    {line}" for line in first_readings(s))
    for reason in s.reasons:
        lines.append(f"  - {reason}")
    if s.runner_up:
        lines.append(f"  runner-up: {s.runner_up[0]} ({s.runner_up[1]:.0%})")
    return "\n".join(lines)


def describe_events(events: list) -> str:
    """A text log's first events as they will be sent, one JSON object each."""
    if not events:
        return ""
    return "\n  first events:\n" + "\n".join("    " + json.dumps(e, ensure_ascii=False) for e in events)


def describe_summary(s: dict, max_failures: int = 20) -> str:
    """A file's outcome: its counts (all of them when it stopped early), why it stopped, its
    failures and warnings, and how to resume it. Only an input with nothing counted (never read,
    refused before its job ran) is a single line."""
    counted = any(s.get(k) for k in ("ingested", "failed", "not_sent", "possible_duplicates"))
    if s.get("error") and not counted:
        return f"{s['path']}: {s['error']}"
    from app.core.job.results import not_sent_text  # the same words as the window's and History's

    not_sent = not_sent_text(s["not_sent"], s.get("not_sent_from_line")) or "0 not sent"
    head = f"{s['path']} → {s.get('dataset', '')}: {s['ingested']:,} ingested, {s['failed']:,} failed, {not_sent}"
    if s.get("possible_duplicates") or s.get("error"):
        head += f", {s['possible_duplicates']:,} possible duplicates"
    lines = [head]
    if s.get("error"):
        lines.append(f"  stopped: {s['error']}" + (f" (at {s['stopped_at']})" if s.get("stopped_at") else ""))
    elif s.get("stopped_at"):
        lines.append(f"  stopped at {s['stopped_at']}")
    for f in s.get("failures", [])[:max_failures]:
        where = f"line {f['line']}" if f.get("line") else "line unknown"
        lines.append(f"  {where}: {f['error']}")
    more = len(s.get("failures", [])) - max_failures
    if more > 0:
        lines.append(f"  … and {more:,} more failures (--json lists them)")
    if s.get("more_failures"):
        from app.core.job.results import more_failures_text

        lines.append("  " + more_failures_text(s["more_failures"]))
    for w in s.get("warnings", [])[:10]:
        lines.append(f"  warning: {w}")
    if s.get("job_id") and s.get("not_sent") and s.get("error_kind") != "input" and s.get("path") != "-":
        lines.append(f"  continue it later with: axiom-drop resume {s['job_id']}")
    return "\n".join(lines)


def error_summary(path: str, message: str, record=None) -> dict:
    """A summary for an input that was not sent at all (unreadable, refused before its job ran)."""
    return {"path": path, "error": message, "ingested": 0, "failed": 0, "not_sent": 0, "possible_duplicates": 0,
            "failures": [], "job_id": record.id if record is not None else None}


def usage_error(args, message: str) -> int:
    """Print a usage/authentication error the way the command was asked to (--json or text)."""
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "files": []}))
    else:
        print(f"axiom-drop: {message}", file=sys.stderr)
    return EXIT_USAGE


class ProgressLine:
    """A live line on a terminal (standard error), redrawn at most 10 times a second."""

    def __init__(self, name: str, enabled: bool):
        self.name, self.enabled, self._last = name, enabled, 0.0

    def __call__(self, p) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        frac = f"{p.fraction:4.0%} " if p.fraction is not None else ""
        text = (f"\r{self.name}: {frac}{p.ingested:,} ingested, {p.failed:,} failed, "
                f"{p.bytes_per_s / 1e6:.1f} MB/s {p.state.value}")
        if p.message:
            text += f" — {p.message}"
        sys.stderr.write(text[:160].ljust(100))
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()
