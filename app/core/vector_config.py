"""A Vector configuration that ships files like these continuously: the way onward for someone
who uploads the same kind of file every day. Vector (vector.dev) has an `axiom` sink; this writes
its `file` source (the paths' pattern), a `remap` transform that parses each line as the upload
did (NDJSON, CSV with the header's names, the time field as `_time`), and the sink with the
dataset and its region. The token is `SECRET[axiom.token]`, read by Vector's `directory` secrets
backend from a file the user writes (Vector's recommended way; since 0.57 it does not interpolate
environment variables by default): never in this file.

Option names follow Vector's reference (sources/file, its `multiline` block, transforms/remap,
sinks/axiom; `region` needs Vector 0.52 or newer): docs/axiom-api.md, "Vector"."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from app.core.axiom.routing import EU_CENTRAL, Endpoint, Route, is_axiom_edge
from app.core.plan import Plan
from app.core.sniff.csv_types import BOOLEAN, DECIMAL_COMMA, NUMBER
from app.core.time.civil import local_zone_name
from app.core.time.strftime import go_layout_to_strftime

SECRETS_BACKEND = "axiom"  # letters, digits and _ only: SECRET[...] cannot address a name with "-"
TOKEN_SECRET = f"SECRET[{SECRETS_BACKEND}.token]"
ORG_SECRET = f"SECRET[{SECRETS_BACKEND}.org_id]"
# Formats whose events are lines, so that Vector's file source can cut them.
LINE_FORMATS = ("ndjson", "csv", "text")
# Text logs whose fields VRL has a parser for (vector.dev/docs/reference/vrl/functions); the
# others keep their lines as `message` (their first line starts each event, as detected).
_VRL_LOG_PARSERS = {
    "syslog-rfc3164": "parse_syslog!(string!(.message))",
    "syslog-rfc5424": "parse_syslog!(string!(.message))",
    "syslog-iso": "parse_syslog!(string!(.message))",
    "access-combined": 'parse_apache_log!(string!(.message), format: "combined")',
    "access-common": 'parse_apache_log!(string!(.message), format: "common")',
    "nginx-error": 'parse_nginx_log!(string!(.message), format: "error")',
    "logfmt": "parse_logfmt!(string!(.message))",
}


class VectorExportError(ValueError):
    """This input cannot be shipped by Vector line by line (a JSON array, say): the message says why."""


@dataclass(frozen=True)
class Destination:
    """Where the events go: the dataset, and how the upload reached it (an endpoint, or the route
    a client took for this dataset, which follows the dataset's own region)."""

    dataset: str
    endpoint: Endpoint
    personal_token: bool = False  # xapt- tokens need org_id (Vector's docs)
    route: Route | None = None
    org_id: str | None = None  # not a secret; unknown: read from the secrets folder too

    @classmethod
    def for_client(cls, client, dataset: str) -> "Destination":
        """As the client sends to this dataset (its region from the listing, when it gave one)."""
        return cls(dataset, client.endpoint, personal_token=client.token_kind == "personal",
                   route=client.route(dataset), org_id=client.org_id)


def include_patterns(paths: Sequence[str | os.PathLike]) -> list[str]:
    """The file source's `include`: one glob per folder and extension ("/var/log/app/*.log"), so
    tomorrow's file of the same kind is picked up; a lone file with no extension stays as it is."""
    groups: dict[tuple[str, str], int] = {}
    for p in paths:
        path = Path(p).resolve()
        suffix = "".join(path.suffixes[-2:]) if path.suffix in (".gz", ".zst") else path.suffix
        groups[(str(path.parent), suffix)] = groups.get((str(path.parent), suffix), 0) + 1
    out = []
    for (folder, suffix), _count in sorted(groups.items()):
        if suffix:
            out.append(str(Path(folder) / f"*{suffix}"))
        else:
            out.extend(str(Path(p).resolve()) for p in paths
                       if str(Path(p).resolve().parent) == folder and not Path(p).suffix)
    return sorted(set(out))


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string: the same escapes


def _vrl_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # VRL string literals take JSON's escapes


def _time_statement(plan: Plan) -> list[str]:
    """VRL that sets `_time` from the plan's time field, read as the upload read it."""
    field = plan.timestamp_field
    if not field or field == "_time":
        return []
    src = f".{_vrl_str(field)}"
    if plan.timestamp_format:
        fmt = go_layout_to_strftime(plan.timestamp_format)
        if fmt is None:
            return [f"# {field}: its layout {plan.timestamp_format!r} has no strftime equivalent; "
                    "Axiom reads _time from it unaided where it can",
                    f"._time = {src}"]
        # A layout without a zone: in the zone the upload read them in (the user's choice, else UTC,
        # as Axiom reads them); VRL would take Vector's own zone.
        tz = plan.time_zone.name if plan.time_zone.name != "local" else local_zone_name()
        zone = "" if any(z in plan.timestamp_format for z in ("-07", "Z07", "MST")) else f', timezone: "{tz}"'
        return [f"._time = parse_timestamp!(string!({src}), format: {_vrl_str(fmt)}{zone})"]
    return [f"._time = {src}"]


def _typed_cell(kind: str | None, i: int) -> str:
    """VRL for cell i as the upload typed it (sniff/csv_types); a cell that does not read stays text."""
    cell = f"row[{i}]"
    if kind == NUMBER:
        return f"(parse_json({cell}) ?? {cell})"  # 12 → 12, 1.5 → 1.5, as JSON numbers
    if kind == DECIMAL_COMMA:
        return f'(to_float(replace({cell}, ",", ".")) ?? {cell})'
    if kind == BOOLEAN:
        return f"(to_bool({cell}) ?? {cell})"
    return cell


def _start_pattern(plan: Plan) -> str | None:
    """Where an event starts, as a regex Vector's (Rust) engine reads: the user's pattern, else the
    format's timestamp (or level) at the start of a line; None for logs of one line per event."""
    from app.core.textlog import BY_ID
    from app.core.textlog.timestamps import FORMS, LEVEL

    if plan.log_line_start:
        return plan.log_line_start
    fmt = BY_ID.get(plan.log_format or "")
    if fmt is None or fmt.one_line or fmt.id in _VRL_LOG_PARSERS or fmt.id in ("cri", "journal-short-iso"):
        return None
    if fmt.id == "level-lines":
        return r"^\[?" + LEVEL + r"\b"
    forms = [rx for name, rx in FORMS if name != "iso-named-zone"]  # (its look-ahead is not Rust's)
    time = dict(FORMS).get(fmt.time_form or "", "(?:" + "|".join(forms) + ")")
    return r"^\[?" + (time if "(?!" not in time else dict(FORMS)["iso-naive"])


def _multiline(plan: Plan) -> list[str]:
    """A text log's events that span lines (tracebacks, `Caused by:`): each starts at a line
    matching the pattern, and takes the lines after it until the next (mode halt_before)."""
    start = _start_pattern(plan) if plan.format == "text" else None
    if not start:
        return []
    pattern = "'" + start + "'" if "'" not in start else _toml_str(start)  # a TOML literal string: no escapes
    return ["", "[sources.files.multiline]", f"start_pattern = {pattern}", f"condition_pattern = {pattern}",
            'mode = "halt_before"', "timeout_ms = 1000"]


def _remap_source(plan: Plan) -> list[str]:
    if plan.format == "ndjson":
        lines = ['. = object!(parse_json!(string!(.message)))']
    elif plan.format == "csv":
        dialect = plan.csv
        if dialect is None or not dialect.fields:
            raise VectorExportError("the CSV has no column names: give them (csv fields) first")
        lines = [f"row = parse_csv!(string!(.message), delimiter: {_vrl_str(dialect.delimiter)})"]
        if dialect.has_header:
            header = ", ".join(_vrl_str(f) for f in dialect.fields)
            lines.append(f"if row == [{header}] {{ abort }}  # the header line of each file")
        pairs = ", ".join(f"{_vrl_str(name)}: {_typed_cell(plan.csv_types.get(name), i)}"
                          for i, name in enumerate(dialect.fields))
        lines.append(f". = {{{pairs}}}")
        if plan.csv_types:  # typed values, as the upload sent them; empty cells as it chose
            lines.append('. = map_values(.) -> |v| { if v == "" { null } else { v } }' if plan.empty_cells == "null"
                         else ". = compact(., string: true, null: false, object: false, array: false)")
    elif plan.format == "text":
        parser = _VRL_LOG_PARSERS.get(plan.log_format or "")
        if parser is None:
            return ["# the lines of each event stay as `message`; Axiom stamps them with the time they arrive",
                    f"# (the upload read their own time; {plan.log_format or 'this format'} has no VRL parser)",
                    ".message = string!(.message)"]
        lines = [f". = merge({{\"message\": .message}}, {parser})"]
        if plan.log_format != "logfmt":
            lines.append("._time = del(.timestamp)")
        return lines + [f".{_vrl_str(k)} = {_vrl_str(v)}" for k, v in sorted(plan.labels.items())]
    else:
        raise VectorExportError(
            f"a {plan.format} file holds its events in one JSON document, which Vector's file source "
            "cannot cut into lines: ship NDJSON (one event per line) instead")
    lines += _time_statement(plan)
    lines += [f".{_vrl_str(k)} = {_vrl_str(v)}" for k, v in sorted(plan.labels.items())]
    return lines


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _sink(dest: Destination) -> list[str]:
    lines = ['type = "axiom"', 'inputs = ["parse"]', f"dataset = {_toml_str(dest.dataset)}",
             f'token = "{TOKEN_SECRET}"']
    ep = dest.endpoint
    region = dest.route.region if dest.route else ep.region
    if dest.personal_token and region == EU_CENTRAL:
        raise VectorExportError("a personal token (xapt-) can only ingest into the US region: "
                                "create an API token for an EU dataset")
    edge = (_origin(dest.route.url) if dest.route and dest.route.edge else
            ep.ingest_url if ep.edge and not dest.route else None)
    if edge and is_axiom_edge(edge) and not dest.personal_token:
        host = edge.split("://", 1)[-1].rstrip("/")
        lines.append(f"region = {_toml_str(host)}  # the dataset's edge (Vector 0.52+)")
    else:
        lines.append(f"url = {_toml_str(ep.api_url.rstrip('/'))}")
    if dest.personal_token:
        lines.append(f"org_id = {_toml_str(dest.org_id)}" if dest.org_id else f'org_id = "{ORG_SECRET}"')
    return lines


def default_secrets_dir() -> Path:
    """Where the configuration tells Vector to read the token from (the user writes it there)."""
    from app.core import config

    return config.config_dir() / "vector-secrets"


def secret_instructions(secrets_dir: Path, conf: str = "vector.toml") -> list[str]:
    """How to run it: the token goes in a file only the user can read, then Vector starts."""
    return [f"mkdir -p -m 700 '{secrets_dir}'",
            f"(umask 077; cat > '{secrets_dir / 'token'}')   # paste your API token, then Ctrl+D",
            f"vector --config '{conf}'"]


def vector_config(paths: Sequence[str | os.PathLike], plan: Plan, dest: Destination,
                  secrets_dir: Path | None = None) -> str:
    """The whole configuration as TOML. Raises VectorExportError for inputs Vector cannot read
    line by line."""
    if plan.format not in LINE_FORMATS:
        _remap_source(plan)  # raises with the reason
    secrets_dir = secrets_dir or default_secrets_dir()
    include = ", ".join(_toml_str(p) for p in include_patterns(paths))
    out = ["# Written by Axiom Drop: ships files like these to Axiom as they grow (Vector 0.52+). Run:"]
    out += [f"#   {line}" for line in secret_instructions(secrets_dir)]
    out += [
        "# The token is read from that folder (Vector's secrets backend); it is not in this file.",
        "",
        f"[secret.{SECRETS_BACKEND}]",
        'type = "directory"',
        f"path = {_toml_str(str(secrets_dir))}",
        "remove_trailing_whitespace = true",
        "",
        "[sources.files]",
        'type = "file"',
        f"include = [{include}]",
        'read_from = "beginning"',
    ]
    out += _multiline(plan)
    notes = []
    if plan.compression == "zstd":
        notes.append("# Vector's file source reads plain and gzip files, not zstd: decompress them first.")
    out += ["", "[transforms.parse]", 'type = "remap"', 'inputs = ["files"]', "source = '''"]
    out += _remap_source(plan)
    out += ["'''", "", "[sinks.axiom]"] + _sink(dest)
    if any("$" in line for line in out if not line.startswith("#")):
        # Vector 0.52-0.56 expanded $NAME anywhere in a file (an option since 0.57): a field name
        # holding "$" would be read as a variable, the token's perhaps.
        notes.append("# Names here hold '$': run it with Vector 0.57+, without --dangerously-allow-env-var-interpolation.")
    return "\n".join(out[:1] + notes + out[1:]) + "\n"
