"""Send checks a folder card's times as it checks a single file's: a time field applied to all
that does not read is asked about once for the folder, saying how many files and rows."""

from __future__ import annotations

import json

from app.core import folder as core_folder


def make_folder(root, n, rows=4):
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / f"app-{i}.ndjson").write_text("".join(
            json.dumps({"time": f"2024-01-02T03:04:{j:02d}Z", "host": f"web-{j}"}) + "\n" for j in range(rows)))
    return root


def test_the_folder_question_counts_the_files_and_rows_the_applied_time_field_does_not_read(tmp_path):
    group = core_folder.scan(make_folder(tmp_path / "exports", 3))
    core_folder.sniff_next(group)
    assert group.time_problem() is None  # the files' own guess ("time") reads
    group.settings.timestamp_field = "host"  # "apply to all": a field that holds no times
    assert group.time_problem() == (
        "exports/: the time field 'host' does not read for 12 of 12 sampled rows in 3 of 3 files "
        "(e.g. app-0.ndjson: 'web-0'): Axiom refuses such events, so they will fail")
    group.settings.timestamp_field = ""  # no field: nothing to read
    assert group.time_problem() is None


def test_the_kept_sample_is_small_whatever_the_head_held(tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    (root / "wide.ndjson").write_text("".join(
        json.dumps({f"k{c}": "x" * 500 for c in range(60)} | {"time": "2024-01-02T03:04:05Z"}) + "\n"
        for _ in range(50)))
    group = core_folder.scan(root)
    core_folder.sniff_next(group)
    sample = group.files[0].sniff.sample
    assert len(sample) <= core_folder.TIME_SAMPLE
    assert all(len(e) <= core_folder.TIME_SAMPLE_KEYS and all(len(str(v)) <= 64 for v in e.values()) for e in sample)
