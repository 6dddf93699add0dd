"""A file whose reading stops midway (a .gz cut short): the summary and --json say that the rest,
from the line where reading stopped, was not sent, and that its count is unknown — never "0 not
sent"."""

from __future__ import annotations

import gzip
import json

from app import cli


def cut_gz(path, n=30_000):
    """n NDJSON events, gzipped, then cut to half its bytes (a download that stopped)."""
    data = gzip.compress("".join(json.dumps({"n": i, "msg": f"event {i}"}) + "\n"
                                 for i in range(1, n + 1)).encode(), mtime=0)
    path.write_bytes(data[: len(data) // 2])
    return path


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_says_where_the_unread_rest_starts_and_that_its_count_is_unknown(tmp_path, capsys):
    path = cut_gz(tmp_path / "cut.ndjson.gz")
    code, out, _ = run_cli(capsys, "send", str(path), "-d", "logs", "--sandbox", "--json")
    f = json.loads(out)["files"][0]
    assert code == 2  # the input stopped early (cli: a usage/input error)
    sent = f["ingested"]
    assert 0 < sent < 30_000 and f["failed"] == 0
    assert f["not_sent_count_known"] is False
    assert f["not_sent_from_line"] == sent + 1  # every whole event before the cut was sent
    assert f["not_sent"] == 0  # nothing else was left unsent; the rest is not counted, and says so
    assert f["stopped_at"] == f"line {sent + 1:,}, not read from there on"
    assert "cut off (truncated)" in f["error"] and f["error_kind"] == "input"


def test_the_summary_says_not_sent_the_rest_count_unknown(tmp_path, capsys):
    path = cut_gz(tmp_path / "cut.ndjson.gz")
    code, out, _ = run_cli(capsys, "send", str(path), "-d", "logs", "--sandbox")
    assert code == 2  # the input stopped early (cli: a usage/input error)
    head = out.splitlines()[0]
    sent = int(head.split(": ")[1].split(" ingested")[0].replace(",", ""))
    assert head.endswith(f"{sent:,} ingested, 0 failed, not sent: the rest, from line {sent + 1:,} (count unknown)"
                         ", 0 possible duplicates"), out
    assert "0 not sent" not in out
    assert f"(at line {sent + 1:,}, not read from there on)" in out
