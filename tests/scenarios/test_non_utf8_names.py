"""A file whose name holds bytes that are not UTF-8 (Linux allows any byte but / and NUL): it is
sent, journaled losslessly, shown escaped (caf\\xe9.ndjson) and found again by resume."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from app import cli
from app.core import config, connect, journal
from app.core.plan import Plan

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="only Linux allows non-UTF-8 bytes in names")


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    for name, n in ((b"a.ndjson", 1), (b"caf\xe9.ndjson", 2), (b"z.ndjson", 3)):
        with open(os.path.join(os.fsencode(d), name), "w") as f:
            f.writelines('{"n": %d, "i": %d}\n' % (n, i) for i in range(n))
    return d


def stored(dataset):
    path = config.sandbox_dir() / f"{dataset}.ndjson"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_a_folder_with_a_non_utf8_name_is_sent_whole_and_shown_escaped(folder, capsys):
    code = cli.main(["send", str(folder), "-d", "logs", "--sandbox", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    paths = [f["path"] for f in out["files"]]
    assert paths == [str(folder / "a.ndjson"), str(folder) + "/caf\\xe9.ndjson", str(folder / "z.ndjson")]
    assert [f["ingested"] for f in out["files"]] == [1, 2, 3]
    assert sorted(e["n"] for e in stored("logs")) == [1, 2, 2, 3, 3, 3]
    code = cli.main(["send", str(folder), "-d", "text", "--sandbox"])
    text = capsys.readouterr().out
    assert code == 0 and "caf\\xe9.ndjson → text: 2 ingested" in text
    names = sorted(h.name for h in journal.history())
    assert str(folder) + "/caf\\xe9.ndjson" in names


def test_resume_finds_a_non_utf8_file_again(folder, capsys):
    path = os.path.join(str(folder), os.fsdecode(b"caf\xe9.ndjson"))  # the name as Python holds it
    with journal.opened() as j:
        job_id = j.create_job(kind="file", name="caf\\xe9.ndjson", identity=journal.identify(path),
                              dataset="logs", profile="Local sandbox", endpoint=connect.SANDBOX_ENDPOINT,
                              plan=Plan(format="ndjson"), max_events=10_000, max_bytes=4 << 20, compression="zstd")
    [record] = journal.unfinished_jobs()
    assert cli.main(["resume", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)["jobs"]
    assert listed["path"].endswith("/caf\\xe9.ndjson") and listed["name"] == "caf\\xe9.ndjson"
    assert record.id == job_id and os.fsencode(record.path).endswith(b"/caf\xe9.ndjson")
    code = cli.main(["resume", "--all", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["files"][0]["ingested"] == 2, out
    assert journal.unfinished_jobs() == []
    code = cli.main(["resume"])
    assert code == 0
