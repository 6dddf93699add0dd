"""Bad inputs (tests/data/bad/ plus big ones made here): each ends in a clear message naming the
file (and the line where it can be known), with no crash and no hang, and every event accounted
for: ingested + failed + not_sent == the events in the input, where that number is knowable."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from app import cli
from app.core import axiom, config
from app.core.batching import MAX_RECORD
from app.core.plan import Plan
from app.sandbox import Sandbox
from app.core.sniff import sniff_path
from app.core.job import Source, UploadJob

BAD = Path(__file__).parents[1] / "data" / "bad"


def send(capsys, *paths, extra=()):
    code = cli.main(["send", *map(str, paths), "-d", "ds", "--sandbox", "--json", *extra])
    out, _ = capsys.readouterr()
    return code, json.loads(out)["files"]


def stored():
    path = config.sandbox_dir() / "ds.ndjson"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def accounted(f, events):
    assert f["ingested"] + f["failed"] + f["not_sent"] == events, f


@pytest.mark.parametrize("name, words", [
    ("empty.ndjson", "the file is empty"),
    ("whitespace.ndjson", "only whitespace"),
    ("binary.dat", "binary data"),
])
def test_inputs_without_events_are_refused_by_name(capsys, name, words):
    code, [f] = send(capsys, BAD / name)
    assert code == 2 and words in f["error"] and name in f["path"]
    accounted(f, 0)
    assert stored() == []


def test_truncated_json_array_sends_the_whole_elements_and_names_the_line(capsys):
    code, [f] = send(capsys, BAD / "truncated_array.json")
    assert code == 2 and f["error_kind"] == "input"
    assert "cut off at line 4" in f["error"] and f["stopped_at"] == "line 4, not read from there on"
    assert f["not_sent_from_line"] == 4 and f["not_sent_count_known"] is False  # the cut element: the rest
    accounted(f, 2)  # two whole elements; the third is cut
    assert sorted(e["n"] for e in stored()) == [1, 2]


def test_ndjson_lines_that_are_not_objects_fail_by_line(capsys):
    code, [f] = send(capsys, BAD / "non_objects.ndjson")
    assert code == 1
    accounted(f, 8)
    assert [(x["line"], x["error"]) for x in f["failures"]] == [
        (2, "not a JSON object (a number)"), (3, "not a JSON object (an array)"),
        (4, "not a JSON object (a string)"), (6, "not a JSON object (null)"), (7, "not a JSON object (a boolean)")]
    assert sorted(e["n"] for e in stored()) == [1, 5, 8]


LIKELY = "Axiom likely refuses the row (then it is listed as failed); else "
REFUSED = "Axiom reads CSV as Go's encoding/csv does and refuses such a row, and with it the whole request (400)"


def test_ragged_csv_rows_fail_by_line_and_the_rest_is_stored(capsys):
    """The sandbox reads CSV as Go's encoding/csv does: a ragged row refuses the whole request, in
    words that name no event. The job finds the rows itself, fails them by line, sends the rest."""
    code, [f] = send(capsys, BAD / "ragged.csv")
    assert code == 1
    accounted(f, 5)
    assert sorted(e["n"] for e in stored()) == ["1", "5"]
    assert [(x["line"], x["error"]) for x in f["failures"]] == [
        (3, f"2 cells where the header names 3; {REFUSED}"), (4, f"4 cells where the header names 3; {REFUSED}"),
        (5, f"1 cell where the header names 3; {REFUSED}")]
    assert f["warnings"] == [
        f"line 3: 2 cells where the header names 3; {LIKELY}the missing fields are left out",
        f"line 4: 4 cells where the header names 3; {LIKELY}the extra cells, having no field name, may be dropped",
        f"line 5: 1 cell where the header names 3; {LIKELY}the missing fields are left out",
    ]


def test_ragged_rows_in_a_quoted_csv_are_found_too(tmp_path, capsys):
    path = tmp_path / "quoted.csv"
    path.write_text('n;note\n1;"a; b"\n2;"multi\nline";"extra"\n3;"ok"\n4;say "hi"\n')
    code, [f] = send(capsys, path)
    assert code == 1
    assert f["ingested"] == 2 and sorted(e["n"] for e in stored()) == ["1", "3"]
    assert [(x["line"], x["error"]) for x in f["failures"]] == [
        (3, f"3 cells where the header names 2; {REFUSED}"),
        (6, f'a " inside an unquoted cell (column 7); quote the whole cell and write the " inside it as ""; {REFUSED}')]
    assert f["warnings"] == [f"line 3: 3 cells where the header names 2; {LIKELY}the extra cells, having no field "
                             "name, may be dropped"]


def test_csv_with_an_unclosed_quote_stops_at_its_line(capsys):
    code, [f] = send(capsys, BAD / "unclosed_quote.csv")
    assert code == 2
    assert "line 4" in f["error"] and "never closed" in f["error"]
    assert sorted(e["n"] for e in stored()) == ["1", "2"]
    accounted(f, 2)


def test_mixed_encodings_fail_the_foreign_lines_by_number(capsys):
    code, [f] = send(capsys, BAD / "mixed_encoding.ndjson")
    assert code == 1
    accounted(f, 4)
    assert [x["line"] for x in f["failures"]] == [2, 3]
    assert all("not valid UTF-8" in x["error"] for x in f["failures"])
    assert sorted((e["n"], e["name"]) for e in stored()) == [(1, "café"), (4, "plain")]  # no mojibake
    cli.main(["inspect", str(BAD / "mixed_encoding.ndjson")])
    out, _ = capsys.readouterr()
    assert "invalid byte" in out and "line 2" in out


def test_a_legacy_8bit_file_is_transcoded_whole(tmp_path, capsys):
    path = tmp_path / "latin.ndjson"
    path.write_bytes('{"n": 1, "name": "café"}\n{"n": 2, "name": "Müller"}\n'.encode("cp1252"))
    code, [f] = send(capsys, path)
    assert code == 0
    assert sorted((e["n"], e["name"]) for e in stored()) == [(1, "café"), (2, "Müller")]


def test_long_field_names_and_deep_nesting(capsys):
    code, [f] = send(capsys, BAD / "long_field_name.ndjson")
    assert code == 1
    accounted(f, 2)
    [failure] = f["failures"]  # no timestamps to match on: the reason itself points at line 1
    assert failure["line"] == 1 and failure["error"].startswith("field name too long: 300 bytes (limit 200)")
    assert [e["n"] for e in stored()] == [2]
    code, [f] = send(capsys, BAD / "deep_nesting.ndjson")
    accounted(f, 4)
    [failure] = f["failures"]  # 2,000 levels: no JSON reader takes it; 150 levels is cut by the server
    assert failure["line"] == 3 and "depth" in failure["error"]
    deep = next(e for e in stored() if e["n"] == 1 and "deep" in e)["deep"]
    depth = 1
    while isinstance(deep, dict):
        deep, depth = deep.get("k"), depth + 1
    assert deep is None and depth < 150


def test_more_fields_than_the_dataset_allows(tmp_path, capsys):
    path = tmp_path / "wide.ndjson"
    with open(path, "w") as f:
        f.write(json.dumps({"n": 1, "_time": "2024-01-01T00:00:01Z"}) + "\n")
        wide = {f"field_{i}": i for i in range(1_100)}
        f.write(json.dumps({"n": 2, "_time": "2024-01-01T00:00:02Z", **wide}) + "\n")
        f.write(json.dumps({"n": 3, "_time": "2024-01-01T00:00:03Z"}) + "\n")
    code, [f] = send(capsys, path)
    assert code == 1
    accounted(f, 3)
    [failure] = f["failures"]
    assert failure["line"] == 2 and "too many fields" in failure["error"]


def test_lines_over_one_megabyte(tmp_path, capsys):
    path = tmp_path / "long.ndjson"
    with open(path, "w") as f:
        f.write(json.dumps({"n": 1, "big": "v" * 1_500_000}) + "\n")             # a value over 1 MB
        f.write(json.dumps({"n": 2, "parts": ["w" * 1000] * 5_000}) + "\n")      # a 5 MB event, over a batch's cap
        f.write(json.dumps({"n": 3}) + "\n")
    code, [f] = send(capsys, path)
    assert code == 0
    accounted(f, 3)
    events = {e["n"]: e for e in stored()}
    assert events[1]["big"] == "<invalid string: too long>" and len(events[2]["parts"]) == 5_000


def test_200_mb_without_a_newline_stops_early_with_bounded_memory(tmp_path):
    path = tmp_path / "oneline.ndjson"
    block = b'{"a":"' + b"x" * ((1 << 20) - 6)
    with open(path, "wb") as f:
        for _ in range(200):
            f.write(block)
    env = dict(os.environ)
    # The child reports its own high-water mark (VmHWM belongs to its address space; ru_maxrss
    # would start from the RSS of this big test process, which it was forked from).
    code = ("import sys; from app import cli; code = cli.main(['send', sys.argv[1], '-d', 'ds', "
            "'--sandbox', '--json', '--format', 'ndjson']); "
            "sys.stderr.write(open('/proc/self/status').read()); sys.exit(code)")
    import subprocess

    proc = subprocess.run([sys.executable, "-c", code, str(path)], env=env, capture_output=True,
                          cwd=Path(__file__).parents[2])
    [f] = json.loads(proc.stdout)["files"]
    assert proc.returncode == 2
    assert f"line 1 is longer than {MAX_RECORD >> 20} MB without a line break" in f["error"]
    assert f["path"] == str(path)
    accounted(f, 0)
    hwm = next(line for line in proc.stderr.decode().splitlines() if line.startswith("VmHWM:"))
    peak_mb = int(hwm.split()[1]) / 1024  # kB
    assert peak_mb < 150 + MAX_RECORD / 2**20, f"peak RSS {peak_mb:.0f} MB for a 200 MB input"


def _job(sb, path, **kw):
    client = axiom.AxiomClient(axiom.Endpoint(sb.url, sb.url), sb.token)
    return client, UploadJob(Source.from_path(path), Plan.from_sniff(sniff_path(path)), client, "ds", **kw)


def test_file_truncated_during_the_upload(tmp_path):
    path = tmp_path / "shrinks.ndjson"
    with open(path, "w") as f:
        f.writelines(json.dumps({"n": i, "pad": "p" * 100}) + "\n" for i in range(1, 200_001))
    size = path.stat().st_size
    with Sandbox(tmp_path / "sb", datasets=("ds",)) as sb:
        sb.faults.delay = 0.05

        async def go():
            client, job = _job(sb, path, max_events=2_000, in_flight=1)
            cut = []

            def on_progress(p):
                if p.events_read >= 4_000 and not cut:
                    cut.append(True)
                    os.truncate(path, size // 2 + 7)  # mid-line

            job.on_progress = on_progress
            r = await job.run()
            await client.aclose()
            return job, r

        job, result = asyncio.run(go())
    assert result.error_kind == "input"
    assert f"changed while it was being read (size {size:,} → {size // 2 + 7:,} bytes)" in result.error
    assert str(path) in result.error
    assert result.ingested + result.failed + result.not_sent == job.progress.events_read


def test_file_deleted_during_the_upload_is_read_to_its_end(tmp_path):
    path = tmp_path / "gone.ndjson"
    with open(path, "w") as f:
        f.writelines(json.dumps({"n": i}) + "\n" for i in range(1, 50_001))
    with Sandbox(tmp_path / "sb", datasets=("ds",)) as sb:
        async def go():
            client, job = _job(sb, path, max_events=5_000, in_flight=1)
            job.on_progress = lambda p: path.exists() and p.events_read >= 5_000 and path.unlink()
            r = await job.run()
            await client.aclose()
            return r

        result = asyncio.run(go())
        assert not path.exists()
        assert (result.ingested, result.failed, result.not_sent) == (50_000, 0, 0)  # the open file stays readable
        assert len(sb.events("ds")) == 50_000


@pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(os, "setuid"), reason="needs fork and setuid")
def test_file_without_read_permission(tmp_path):
    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o755)
        path = folder / "secret.ndjson"
        path.write_text('{"n": 1}\n')
        path.chmod(0o000)
        if os.geteuid() == 0:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # a child that gave up root, like tests/core/sniff/test_sniff.py
                try:
                    os.setuid(65534)
                    os.environ.update(AXIOM_URL="http://127.0.0.1:9", AXIOM_TOKEN="xaat-unused")
                    sys.stdout = os.fdopen(write_end, "w")
                    cli.main(["send", str(path), "-d", "ds", "--json"])
                    sys.stdout.flush()
                finally:
                    os._exit(0)
            os.close(write_end)
            with os.fdopen(read_end) as r:
                out = r.read()
            os.waitpid(pid, 0)
        else:
            import io
            import contextlib

            buf = io.StringIO()
            os.environ.update(AXIOM_URL="http://127.0.0.1:9", AXIOM_TOKEN="xaat-unused")
            with contextlib.redirect_stdout(buf):
                cli.main(["send", str(path), "-d", "ds", "--json"])
            out = buf.getvalue()
        [f] = json.loads(out)["files"]
        assert "permission denied" in f["error"].lower() and str(path) in f["error"]
        accounted(f, 0)
    finally:
        path.chmod(0o600)
        path.unlink()
        folder.rmdir()


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, capsys):
    fifo = tmp_path / "pipe.ndjson"
    os.mkfifo(fifo)
    done = threading.Event()
    result = {}

    def run():
        result["out"] = send(capsys, fifo)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(20), "sending a FIFO hangs"
    code, [f] = result["out"]
    assert code == 2 and "not a regular file" in f["error"] and str(fifo) in f["error"]


def test_a_folder_with_a_symlink_loop(tmp_path, capsys):
    top = tmp_path / "logs"
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "b" / "back").symlink_to(top)
    (top / "a" / "one.ndjson").write_text('{"n": 1}\n')
    (top / "two.ndjson").write_text('{"n": 2}\n')
    code = cli.main(["send", str(top), "-d", "ds", "--sandbox", "--json"])
    out = json.loads(capsys.readouterr()[0])
    assert [w for w in out["warnings"] if "loops back" in w and "back" in w]
    assert sorted(e["n"] for e in stored()) == [1, 2]  # each file once, despite the loop
    assert code == 0  # the skipped link is a warning: nothing was lost
