"""A dropped folder as one group (app.core.folder): its totals, the odd files, the settings
applied to all, and the fixed cost per file — on real files."""

from __future__ import annotations

import gzip
import json

import pytest

from app.core import folder
from app.core.folder import Oddity


def ndjson(path, n, field="time"):
    path.write_text("".join(json.dumps({field: f"2024-01-02T03:04:{i % 60:02d}Z", "n": i}) + "\n" for i in range(n)))
    return path


@pytest.fixture
def logs(tmp_path):
    root = tmp_path / "logs"
    (root / "nested").mkdir(parents=True)
    for i in range(5):
        ndjson(root / f"app-{i}.ndjson", 10)
    (root / "nested" / "hosts.csv").write_text("host,status\nweb-1,200\nweb-2,500\n")
    (root / "blob.json").write_bytes(bytes(range(256)) * 8)  # binary
    (root / "broken.ndjson.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")  # cannot be decompressed
    (root / "empty.ndjson").write_bytes(b"")
    (root / "notes.md").write_text("not a data file")  # not listed at all
    return root


def sniffed(root, chunk=3):
    group = folder.scan(root)
    steps = []
    while group.sniffed < len(group.files):
        steps.append(folder.sniff_next(group, chunk))
    return group, steps


def test_totals_formats_and_events(logs):
    group, steps = sniffed(logs)
    assert steps == [3, 6, 9]  # sniffed in chunks: the window says how far it got after each
    t = group.totals()
    assert (t.files, t.sniffed, t.sendable) == (9, 9, 6)
    assert t.formats == {"ndjson": 5, "csv": 1}
    assert t.events == 5 * 10 + 2 and t.events_exact
    assert t.bytes == sum(p.stat().st_size for p in logs.rglob("*") if p.is_file() and p.name != "notes.md")
    assert group.name == "logs"


def test_odd_files_are_flagged_with_a_reason(logs):
    group, _ = sniffed(logs)
    odd = {f.name: group.oddity(f) for f in group.files if group.oddity(f)}
    assert odd == {"hosts.csv": Oddity.OTHER_FORMAT, "blob.json": Oddity.NOT_DATA,
                   "broken.ndjson.gz": Oddity.UNREADABLE, "empty.ndjson": Oddity.NOT_DATA}
    assert group.totals().odd == {Oddity.OTHER_FORMAT: 1, Oddity.NOT_DATA: 2, Oddity.UNREADABLE: 1}
    csv = next(f for f in group.files if f.name == "hosts.csv")
    assert group.why_odd(csv) == "csv while most files here are ndjson; sent as csv"
    empty = next(f for f in group.files if f.name == "empty.ndjson")
    assert "the file is empty" in group.why_odd(empty) and group.why_odd(empty).endswith("not sent")


def test_jobs_apply_the_groups_settings_to_every_readable_file(logs):
    group, _ = sniffed(logs)
    jobs = group.jobs()
    assert sorted(source.path.name for source, _ in jobs) == [
        "app-0.ndjson", "app-1.ndjson", "app-2.ndjson", "app-3.ndjson", "app-4.ndjson", "hosts.csv"]
    by_name = {source.path.name: plan for source, plan in jobs}
    assert by_name["app-0.ndjson"].timestamp_field == "time" and by_name["hosts.csv"].format == "csv"
    group.settings.timestamp_field = ""  # "(none)" for all
    group.settings.format = "ndjson"
    plans = [plan for _, plan in group.jobs()]
    assert all(p.timestamp_field is None and p.format == "ndjson" for p in plans)
    assert "time" in group.time_fields() and "host" in group.time_fields()


def test_a_file_keeps_a_small_fixed_record(tmp_path):
    root = tmp_path / "wide"
    root.mkdir()
    wide = {f"field_{k}": "x" * 200 for k in range(200)}
    (root / "wide.ndjson").write_text((json.dumps(wide) + "\n") * 50)
    group, _ = sniffed(root)
    [f] = group.files
    assert len(f.sniff.sample) <= folder.TIME_SAMPLE and f.sniff.path is None  # only a small cut of the sample is kept
    assert f.sniff.format == "ndjson"


def test_a_gzipped_file_is_sent_as_what_it_holds(tmp_path):
    root = tmp_path / "gz"
    root.mkdir()
    with gzip.open(root / "a.ndjson.gz", "wt") as g:
        g.write('{"a": 1}\n{"a": 2}\n')
    group, _ = sniffed(root)
    [(source, plan)] = group.jobs()
    assert plan.compression == "gzip" and plan.format == "ndjson"


def test_sends_time_question_is_worked_out_while_sniffing_not_at_send(logs, monkeypatch):
    """Send with 2,000 files asked its question on the GUI thread by reading every file's sample
    (0.58 s): the sniffing thread reads them for the settings of then, and Send reads only what
    "apply to all" changed since."""
    group, _ = sniffed(logs)
    reads = []
    real = folder.check_plan_times
    monkeypatch.setattr(folder, "check_plan_times", lambda s, p: reads.append(p.timestamp_field) or real(s, p))
    assert group.time_problem() is None and reads == []  # the files' own "time" reads, known already
    group.settings.timestamp_field = "host"  # only the CSV has it, and it holds no times
    problem = group.time_problem()
    assert problem is not None and "'host' does not read for 2 of 2 sampled rows in 1 of 6 files" in problem
    assert len(reads) == 6  # each readable file read once for the new field ...
    assert group.time_problem() == problem and len(reads) == 6  # ... and not again
