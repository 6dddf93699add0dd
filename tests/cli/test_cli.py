"""The CLI as a user runs it: summaries, --json, exit codes, stdin, folders, the sandbox command."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time


from app import cli
from app.core import config
from app.sandbox import Sandbox


def write_ndjson(path, n, bad=()):
    lines = ['{"n": %d, oops' % i if i in bad else json.dumps({"n": i, "msg": "hello"}) for i in range(1, n + 1)]
    path.write_text("\n".join(lines) + "\n")
    return path


def stored(dataset):
    path = config.sandbox_dir() / f"{dataset}.ndjson"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_send_reports_malformed_lines_by_number(tmp_path, capsys):
    path = write_ndjson(tmp_path / "events.ndjson", 10_000, bad={3, 4_321, 10_000})
    code, out, _ = run_cli(capsys, "send", str(path), "--dataset", "logs", "--sandbox", "--json")
    summary = json.loads(out)
    f = summary["files"][0]
    assert code == 1
    assert (f["ingested"], f["failed"], f["not_sent"], f["possible_duplicates"]) == (9_997, 3, 0, 0)
    assert [x["line"] for x in f["failures"]] == [3, 4_321, 10_000]
    assert len(stored("logs")) == 9_997


def test_one_line_array_names_bad_elements_by_number(tmp_path, capsys):
    path = tmp_path / "export.json"
    path.write_text('[{"n":1},42,{"n":3},"x",{"n":5}]')
    code, out, _ = run_cli(capsys, "send", str(path), "-d", "logs", "--sandbox", "--json")
    f = json.loads(out)["files"][0]
    assert code == 1
    assert (f["ingested"], f["failed"], f["not_sent"]) == (3, 2, 0)
    assert [x["line"] for x in f["failures"]] == [1, 1]  # the line alone cannot tell them apart
    assert [x["error"] for x in f["failures"]] == ["element 2 of the array: not a JSON object (a number)",
                                                   "element 4 of the array: not a JSON object (a string)"]
    assert sorted(e["n"] for e in stored("logs")) == [1, 3, 5]


def test_send_text_summary_and_exit_zero(tmp_path, capsys):
    path = write_ndjson(tmp_path / "ok.ndjson", 42)
    code, out, _ = run_cli(capsys, "send", str(path), "-d", "logs", "--sandbox")
    assert code == 0
    assert "42 ingested, 0 failed, 0 not sent" in out
    assert sorted(e["n"] for e in stored("logs")) == list(range(1, 43))


def test_text_summary_lists_failures_with_lines(tmp_path, capsys):
    path = write_ndjson(tmp_path / "bad.ndjson", 10, bad={7})
    code, out, _ = run_cli(capsys, "send", str(path), "-d", "logs", "--sandbox")
    assert code == 1
    assert "9 ingested, 1 failed" in out
    assert "line 7:" in out


def test_folder_sends_its_supported_files(tmp_path, capsys):
    folder = tmp_path / "dir"
    folder.mkdir()
    write_ndjson(folder / "a.ndjson", 3)
    (folder / "b.csv").write_text("n,msg\n10,x\n11,y\n")
    (folder / "notes.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    code, out, _ = run_cli(capsys, "send", str(folder), "-d", "logs", "--sandbox", "--json")
    files = json.loads(out)["files"]
    assert code == 0
    assert [os.path.basename(f["path"]) for f in files] == ["a.ndjson", "b.csv"]
    assert sorted(str(e["n"]) for e in stored("logs")) == ["1", "10", "11", "2", "3"]


def test_stdin(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"n": 1}\n{"n": 2}\n')))
    code, out, _ = run_cli(capsys, "send", "-", "-d", "logs", "--sandbox", "--json")
    assert code == 0
    assert json.loads(out)["files"][0]["ingested"] == 2


def test_missing_file_is_exit_2(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "send", str(tmp_path / "nope.ndjson"), "-d", "logs", "--sandbox", "--json")
    assert code == 2
    assert "no such file" in json.loads(out)["files"][0]["error"]


def test_no_token_is_exit_2(tmp_path, capsys):
    path = write_ndjson(tmp_path / "a.ndjson", 1)
    code, _, err = run_cli(capsys, "send", str(path), "-d", "logs")
    assert code == 2
    assert "AXIOM_TOKEN" in err


def test_wrong_token_is_exit_2_and_never_printed(tmp_path, capsys, monkeypatch):
    sb = Sandbox(tmp_path / "sb").start()
    try:
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", "xaat-not-the-right-one")
        path = write_ndjson(tmp_path / "a.ndjson", 5)
        code, out, err = run_cli(capsys, "send", str(path), "-d", "logs")
        assert code == 2
        assert "401" in out or "token" in out.lower()
        assert "xaat-not-the-right-one" not in out + err
        assert sb.events("logs") == []
    finally:
        sb.stop()


def test_env_variables_work_like_axioms_tools(tmp_path, capsys, monkeypatch):
    sb = Sandbox(tmp_path / "sb", datasets=("logs",)).start()
    try:
        monkeypatch.setenv("AXIOM_URL", sb.url)
        monkeypatch.setenv("AXIOM_TOKEN", sb.token)
        path = tmp_path / "noheader.csv"
        path.write_text("2024-01-01T00:00:00Z|a|1\n2024-01-01T00:00:01Z|b|2\n")
        code, out, _ = run_cli(capsys, "send", str(path), "-d", "logs", "--csv-fields", "time,name,n",
                               "--csv-delimiter", "|", "--timestamp-field", "time", "--label", "env=ci", "--json")
        assert code == 0, out
        events = sorted(sb.events("logs"), key=lambda e: e["n"])
        assert [(e["name"], e["n"], e["env"]) for e in events] == [("a", "1", "ci"), ("b", "2", "ci")]
        assert events[0]["_time"].startswith("2024-01-01T00:00:00")
    finally:
        sb.stop()


def test_plain_http_to_a_remote_host_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AXIOM_URL", "http://axiom.example.com")
    monkeypatch.setenv("AXIOM_TOKEN", "xaat-whatever")
    path = write_ndjson(tmp_path / "a.ndjson", 1)
    code, _, err = run_cli(capsys, "send", str(path), "-d", "logs")
    assert code == 2
    assert "--allow-http" in err


def test_inspect_json(tmp_path, capsys):
    good = tmp_path / "x.csv"
    good.write_text("a;b\n1;2\n3;4\n")
    code, out, _ = run_cli(capsys, "inspect", str(good), "--json")
    obj = json.loads(out)
    assert code == 0
    assert (obj["format"], obj["delimiter"], obj["has_header"]) == ("csv", ";", True)
    code, out, _ = run_cli(capsys, "inspect", str(tmp_path / "missing"), "--json")
    assert code != 0
    assert json.loads(out)["error"]


def test_inspect_text(tmp_path, capsys):
    path = write_ndjson(tmp_path / "a.ndjson", 5)
    code, out, _ = run_cli(capsys, "inspect", str(path))
    assert code == 0
    assert "ndjson" in out


def test_sandbox_command_prints_url_and_token(tmp_path):
    env = dict(os.environ, AXIOM_DROP_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen([sys.executable, "-m", "app", "sandbox", "--token", "xaat-given"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(lines) < 2:
            line = proc.stdout.readline()
            if line:
                lines.append(line)
        text = "".join(lines)
        assert "http://127.0.0.1:" in text
        assert "xaat-given" in text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_sandbox_command_plays_the_personal_plan(tmp_path):
    env = dict(os.environ, AXIOM_DROP_HOME=str(tmp_path / "home"))
    proc = subprocess.Popen([sys.executable, "-m", "app", "sandbox", "--plan", "personal"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(line.startswith("plan:") for line in lines):
            if line := proc.stdout.readline():
                lines.append(line)
        assert "plan: personal (256 fields per dataset)\n" in lines
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_no_arguments_and_paths_open_the_window():
    assert not cli.is_cli_invocation([])
    assert not cli.is_cli_invocation(["/home/me/data.csv"])
    assert cli.is_cli_invocation(["send", "x", "-d", "y"])
