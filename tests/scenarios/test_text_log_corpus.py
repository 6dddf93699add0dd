"""The text-log corpus (tests/data/logs/): each file sent end to end through the sandbox (real
sockets, the CLI's `send`), then what is stored compared with the file's expected results: the
event count, the events' instants and some of their fields. The event lines are checked on the
batches the reader cuts (what failures and warnings name)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app import cli
from app.core import config
from app.core.batching import iter_batches
from app.core.io import decoded, open_raw
from app.core.plan import Overrides, plan_for
from app.core.sniff import sniff_path
from app.core.time import parse_time
from app.core.time.civil import syslog_year

LOGS = Path(__file__).parents[1] / "data" / "logs"
CORPUS = sorted(p for p in LOGS.iterdir() if not p.name.endswith(".expected.json"))


def _expected(path: Path) -> dict:
    exp = json.loads((path.parent / (path.name + ".expected.json")).read_text())
    today = date.today()

    def year(t: str | None) -> str | None:  # syslog (RFC 3164) writes no year: the rule is time's
        if t is None or "{year}" not in t:
            return t
        month, day = int(t[7:9]), int(t[10:12])
        return t.replace("{year}", str(syslog_year(month, day, today)))

    exp["times"] = [year(t) for t in exp["times"]]
    return exp


def _flags(overrides: dict) -> list[str]:
    names = {"time_zone": "--time-zone", "log_format": "--log-format", "log_line_start": "--line-start"}
    return [arg for key, value in overrides.items() for arg in (names[key], value)]


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 20
    assert {p.suffix for p in CORPUS} >= {".gz", ".zst", ".log", ".txt"}


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_file_arrives_as_its_events(capsys, path):
    exp = _expected(path)
    code = cli.main(["send", str(path), "-d", "logs", "--sandbox", "--json", *_flags(exp["overrides"])])
    out, _ = capsys.readouterr()
    [summary] = json.loads(out)["files"]
    assert code == 0, summary
    assert (summary["ingested"], summary["failed"], summary["not_sent"]) == (exp["events"], 0, 0)
    stored = [json.loads(x) for x in (config.sandbox_dir() / "logs.ndjson").read_text().splitlines()]
    assert len(stored) == exp["events"]
    for event, want in zip(stored, exp["times"]):
        if want is None:  # no time of its own: the ingest time
            assert event["_time"] == event["_sysTime"]
        else:
            assert parse_time(event["_time"]) == parse_time(want), (event, want)
    for index, fields in exp["fields"].items():
        event = stored[int(index)]
        for key, value in fields.items():
            if key == "_time":
                assert parse_time(event["_time"]) == parse_time(value)
            else:
                assert event.get(key) == value, (index, key, event)

    # The lines each event starts on, as the reader cuts them (failures and warnings name these).
    sniffed = sniff_path(path)
    if exp["label"] is not None:
        assert sniffed.format == "text" and sniffed.log.label == exp["label"]
    plan = plan_for(sniffed, Overrides(**exp["overrides"]))
    assert plan.log_format == exp["log_format"]
    with open_raw(path) as raw:
        lines = [n for b in iter_batches(decoded(raw, plan.compression, plan.encoding), plan) for n in b.lines]
    assert lines[:10] == exp["first_lines"]
