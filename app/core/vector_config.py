"""A Vector configuration that ships files like these continuously: the way onward for someone
who uploads the same kind of file every day. Vector (vector.dev) has an `axiom` sink; this writes
its `file` source (the paths' pattern), a `remap` transform that parses each line as the upload
did (NDJSON, CSV with the header's names, the time field as `_time`), and the sink with the
dataset and its region. The token is `${AXIOM_TOKEN}`, read from Vector's environment: never
in the file.

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

TOKEN_ENV = "AXIOM_TOKEN"
ORG_ENV = "AXIOM_ORG_ID"
# Formats whose events are lines, so that Vector's file source can cut them.
LINE_FORMATS = ("ndjson", "csv")


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

    @classmethod
    def for_client(cls, client, dataset: str) -> "Destination":
        """As the client sends to this dataset (its region from the listing, when it gave one)."""
        return cls(dataset, client.endpoint, personal_token=client.token_kind == "personal",
                   route=client.route(dataset))


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
             f'token = "${{{TOKEN_ENV}}}"']
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
        lines.append(f'org_id = "${{{ORG_ENV}}}"')
    return lines


def vector_config(paths: Sequence[str | os.PathLike], plan: Plan, dest: Destination) -> str:
    """The whole configuration as TOML. Raises VectorExportError for inputs Vector cannot read
    line by line."""
    if plan.format not in LINE_FORMATS:
        _remap_source(plan)  # raises with the reason
    include = ", ".join(_toml_str(p) for p in include_patterns(paths))
    out = [
        "# Written by Axiom Drop: ships files like these to Axiom as they grow. Run it with",
        f"#   {TOKEN_ENV}=xaat-… vector --config this-file.toml",
        "# The token is read from the environment; it is not in this file.",
        "",
        "[sources.files]",
        'type = "file"',
        f"include = [{include}]",
        'read_from = "beginning"',
    ]
    if plan.compression == "zstd":
        out.insert(3, "# Vector's file source reads plain and gzip files, not zstd: decompress them first.")
    out += ["", "[transforms.parse]", 'type = "remap"', 'inputs = ["files"]', "source = '''"]
    out += _remap_source(plan)
    out += ["'''", "", "[sinks.axiom]"] + _sink(dest)
    return "\n".join(out) + "\n"
