"""The Vector configuration written for continuous shipping. Vector is not packaged where these
tests run, so the file is checked against Vector's documented options (its reference for the
`file` source with `multiline`, the `remap` transform and the `axiom` sink: the sets below, from
vectordotdev/vector src/sources/file.rs, src/sources/util/multiline_config.rs and
src/sinks/axiom/config.rs), and by `vector validate` when a vector binary is on PATH."""

from __future__ import annotations

import shutil
import subprocess
import tomllib

import pytest

from app.cli.entry import main
from app.core.axiom.routing import from_env, from_urls
from app.core.plan import plan_for
from app.core.sniff import sniff_path
from app.core.vector_config import Destination, VectorExportError, include_patterns, vector_config

FILE_SOURCE = {"type", "include", "exclude", "file_key", "start_at_beginning", "ignore_checkpoints", "read_from",
               "ignore_older_secs", "max_line_bytes", "host_key", "data_dir", "offset_key",
               "glob_minimum_cooldown_ms", "ignore_not_found", "multiline", "max_read_bytes", "oldest_first",
               "remove_after_secs", "line_delimiter", "encoding", "rotate_wait_secs", "fingerprint"}
MULTILINE = {"start_pattern", "condition_pattern", "mode", "timeout_ms"}
MULTILINE_MODES = {"continue_through", "continue_past", "halt_before", "halt_with"}
REMAP = {"type", "inputs", "source", "file", "drop_on_error", "drop_on_abort", "reroute_dropped", "timezone"}
AXIOM_SINK = {"type", "inputs", "dataset", "token", "org_id", "url", "region", "compression", "batch", "request",
              "tls", "acknowledgements", "retry_strategy"}
SECRET_DIRECTORY = {"type", "path", "remove_trailing_whitespace"}  # src/secrets/directory.rs
TOKEN = "xaat-vector-" + "5ec2" * 6


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def config_for(path, dataset="logs", endpoint=None, **dest):
    plan = plan_for(sniff_path(str(path)))
    text = vector_config([path], plan, Destination(dataset, endpoint or from_env({}), **dest))
    return text, tomllib.loads(text)


def check_documented(cfg):
    source, = cfg["sources"].values()
    assert source["type"] == "file" and set(source) <= FILE_SOURCE
    if "multiline" in source:
        assert set(source["multiline"]) == MULTILINE and source["multiline"]["mode"] in MULTILINE_MODES
    for transform in cfg.get("transforms", {}).values():
        assert transform["type"] == "remap" and set(transform) <= REMAP
    sink, = cfg["sinks"].values()
    assert sink["type"] == "axiom" and set(sink) <= AXIOM_SINK
    assert not ("url" in sink and "region" in sink)  # Vector refuses both
    assert sink["token"] == "SECRET[axiom.token]"  # Vector's secrets backend: not the environment
    backend = cfg["secret"]["axiom"]
    assert backend["type"] == "directory" and set(backend) <= SECRET_DIRECTORY
    if "region" in sink:
        assert "://" not in sink["region"] and "/" not in sink["region"]  # a domain only


def test_ndjson_with_a_layout_time_field(tmp_path):
    path = write(tmp_path, "app.ndjson", '{"ts":"2026-12-01 10:00:00","msg":"a"}\n{"ts":"2026-12-01 10:00:01","msg":"b"}\n')
    text, cfg = config_for(path)
    check_documented(cfg)
    assert cfg["sources"]["files"]["include"] == [str(tmp_path.resolve() / "*.ndjson")]
    vrl = cfg["transforms"]["parse"]["source"]
    assert "parse_json!" in vrl
    assert 'parse_timestamp!(string!(."ts"), format: "%Y-%m-%d %H:%M:%S", timezone: "UTC")' in vrl
    assert cfg["sinks"]["axiom"]["region"] == "us-east-1.aws.edge.axiom.co"
    assert cfg["sinks"]["axiom"]["dataset"] == "logs"


def test_csv_names_the_columns_and_drops_each_header_line(tmp_path):
    path = write(tmp_path, "req.csv", "when,host,ms\n2026-12-01T10:00:00Z,a,12\n2026-12-01T10:00:01Z,b,7\n")
    _, cfg = config_for(path, endpoint=from_urls("https://api.axiom.co", "https://eu-central-1.aws.edge.axiom.co"))
    check_documented(cfg)
    vrl = cfg["transforms"]["parse"]["source"]
    assert 'parse_csv!(string!(.message), delimiter: ",")' in vrl
    assert 'if row == ["when", "host", "ms"] { abort }' in vrl
    assert '. = {"when": row[0], "host": row[1], "ms": row[2]}' in vrl
    assert cfg["sinks"]["axiom"]["region"] == "eu-central-1.aws.edge.axiom.co"


def test_a_base_url_alone_is_the_sinks_url(tmp_path):
    path = write(tmp_path, "a.ndjson", '{"a":1}\n')
    _, cfg = config_for(path, endpoint=from_urls("https://axiom.example.com"))
    check_documented(cfg)
    assert cfg["sinks"]["axiom"]["url"] == "https://axiom.example.com" and "region" not in cfg["sinks"]["axiom"]


def test_personal_tokens_get_the_org_id_and_are_refused_for_eu(tmp_path):
    path = write(tmp_path, "a.ndjson", '{"a":1}\n')
    _, cfg = config_for(path, personal_token=True)
    check_documented(cfg)
    assert cfg["sinks"]["axiom"]["org_id"] == "SECRET[axiom.org_id]" and "url" in cfg["sinks"]["axiom"]
    _, cfg = config_for(path, personal_token=True, org_id="acme")
    assert cfg["sinks"]["axiom"]["org_id"] == "acme"
    eu = from_urls("https://api.axiom.co", "https://eu-central-1.aws.edge.axiom.co")
    with pytest.raises(VectorExportError, match="API token for an EU dataset"):
        config_for(path, endpoint=eu, personal_token=True)


def test_a_json_array_is_refused_with_the_reason(tmp_path):
    path = write(tmp_path, "a.json", '[{"a":1},{"a":2}]')
    with pytest.raises(VectorExportError, match="one event per line"):
        config_for(path)


def test_include_patterns_group_by_folder_and_extension(tmp_path):
    (tmp_path / "x").mkdir()
    paths = [tmp_path / "a.log", tmp_path / "b.log", tmp_path / "x" / "c.csv.gz", tmp_path / "README"]
    assert include_patterns(paths) == sorted([str(tmp_path / "*.log"), str(tmp_path / "x" / "*.csv.gz"),
                                              str(tmp_path / "README")])


def test_the_cli_writes_the_file_and_never_the_token(tmp_path, monkeypatch, capsys):
    path = write(tmp_path, "a.ndjson", '{"a":1}\n')
    monkeypatch.setenv("AXIOM_TOKEN", TOKEN)
    out = tmp_path / "vector.toml"
    assert main(["export-vector", str(path), "-d", "logs", "--region", "eu", "-o", str(out)]) == 0
    text = out.read_text()
    assert TOKEN not in text and TOKEN not in capsys.readouterr().err
    check_documented(tomllib.loads(text))
    assert main(["export-vector", str(write(tmp_path, "b.json", "[1]")), "-d", "logs"]) == 2
    assert "one event per line" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("vector") is None, reason="no vector binary on PATH")
def test_vector_validate_accepts_it(tmp_path, monkeypatch):
    path = write(tmp_path, "a.ndjson", '{"a":1}\n')
    text, _ = config_for(path)
    conf = write(tmp_path, "vector.toml", text)
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "token").write_text(TOKEN)
    plan = plan_for(sniff_path(str(path)))
    conf.write_text(vector_config([path], plan, Destination("logs", from_env({})), secrets_dir=secrets))
    proc = subprocess.run(["vector", "validate", "--no-environment", str(conf)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_clients_route_for_the_dataset_decides_the_region(tmp_path):
    """An EU dataset reached from the default (US) setup: the route the client took goes to the
    EU edge, and so does the configuration."""
    from app.core.axiom.routing import EU_CENTRAL, Route

    path = write(tmp_path, "a.ndjson", '{"a":1}\n')
    plan = plan_for(sniff_path(str(path)))
    route = Route("https://eu-central-1.aws.edge.axiom.co/v1/ingest/logs", True, EU_CENTRAL)
    cfg = tomllib.loads(vector_config([path], plan, Destination("logs", from_env({}), route=route)))
    check_documented(cfg)
    assert cfg["sinks"]["axiom"]["region"] == "eu-central-1.aws.edge.axiom.co"


def test_zone_less_times_keep_the_zone_the_user_chose(tmp_path):
    from app.core.plan import Overrides

    path = write(tmp_path, "app.ndjson", '{"ts":"2026-12-01 10:00:00","msg":"a"}\n')
    plan = plan_for(sniff_path(str(path)), Overrides(time_zone="Europe/Berlin"))
    vrl = tomllib.loads(vector_config([path], plan, Destination("logs", from_env({}))))["transforms"]["parse"]["source"]
    assert 'format: "%Y-%m-%d %H:%M:%S", timezone: "Europe/Berlin")' in vrl


def test_typed_csv_columns_are_typed_in_vrl_too(tmp_path):
    rows = "".join(f"2026-12-01T10:00:{i:02d}Z,host{i},{i * 3},{i % 2 == 0}\n" for i in range(20))
    path = write(tmp_path, "typed.csv", "when,host,ms,ok\n" + rows)
    plan = plan_for(sniff_path(str(path)))
    assert plan.csv_types  # clearly typed: the upload sent numbers and booleans
    cfg = tomllib.loads(vector_config([path], plan, Destination("t", from_env({}))))
    check_documented(cfg)
    vrl = cfg["transforms"]["parse"]["source"]
    assert '"ms": (parse_json(row[2]) ?? row[2])' in vrl and '"ok": (to_bool(row[3]) ?? row[3])' in vrl
    assert '"host": row[1]' in vrl and "compact(" in vrl


LOGS = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "logs"


@pytest.mark.parametrize("name, parser, multiline", [
    ("syslog_auth.log", "parse_syslog!", False),
    ("nginx_access.log", "parse_apache_log!", False),
    ("logfmt.log", "parse_logfmt!", False),
    ("java_log4j.log", None, True),
    ("python_traceback.log", None, True),
])
def test_text_logs_keep_their_multi_line_events_and_parse_where_vrl_can(name, parser, multiline):
    import re

    text, cfg = config_for(LOGS / name)
    check_documented(cfg)
    vrl = cfg["transforms"]["parse"]["source"]
    assert (parser in vrl) if parser else ("message" in vrl)
    source = cfg["sources"]["files"]
    assert ("multiline" in source) == multiline
    if multiline:
        m = source["multiline"]
        assert m["mode"] == "halt_before" and m["start_pattern"] == m["condition_pattern"]
        assert not re.search(r"\(\?[=!<]", m["start_pattern"])  # no look-around: Rust's regex has none
        first = (LOGS / name).read_text().splitlines()
        assert any(re.match(m["start_pattern"], line) for line in first)
        assert not all(re.match(m["start_pattern"], line) for line in first if line.strip())  # continuations


def test_a_dollar_in_a_name_is_flagged_and_never_expands_to_the_token(tmp_path, monkeypatch):
    """Vector before 0.57 expanded $NAME anywhere in a file: a CSV column named ${AXIOM_TOKEN}
    would have put the token into every event. The token is not in the environment's reach here
    (a secrets backend), and the file says which Vector to run it with."""
    path = write(tmp_path, "v.csv", "id,${AXIOM_TOKEN}\n1,2\n")
    text, cfg = config_for(path)
    check_documented(cfg)
    assert "without --dangerously-allow-env-var-interpolation" in text
    assert "AXIOM_TOKEN" not in cfg["sinks"]["axiom"]["token"]
