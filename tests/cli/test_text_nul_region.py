"""A text log with a region of NUL bytes (a crash, a cut copy): as in NDJSON and CSV, the region is
noted once with its line and not sent, and no NUL ends up in a stored message, in a multi-line
format (where it would otherwise join the event before it) and in `plain` (an extra event)."""

from __future__ import annotations

import json

import pytest

from app import cli


def nul_log(path):
    lines = [f"Jan  2 15:04:0{i} host app[1]: msg {i}\n".encode() for i in range(1, 6)]
    more = [f"Jan  2 15:05:0{i} host app[1]: msg {i + 5}\n".encode() for i in range(1, 6)]
    path.write_bytes(b"".join(lines) + b"\0" * 200 + b"\n" + b"".join(more))
    return path


@pytest.mark.parametrize("fmt", [None, "plain"])
def test_a_nul_region_is_noted_with_its_line_and_not_sent(tmp_path, capsys, fmt):
    path = nul_log(tmp_path / "nul.log")
    extra = ["--log-format", fmt] if fmt else []
    code = cli.main(["send", str(path), "-d", "text", "--sandbox", "--json", *extra])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    [f] = json.loads(out)["files"]
    assert (f["ingested"], f["failed"], f["not_sent"]) == (10, 0, 0)
    report = out + err
    assert "line 6: 201 bytes of NUL bytes" in report, report
    from app.core import config
    from app.sandbox import Sandbox
    events = Sandbox(config.sandbox_dir()).events("text")
    assert len(events) == 10
    assert not any("\0" in json.dumps(e, ensure_ascii=False) or "\\u0000" in json.dumps(e) for e in events)
