"""Which files a drop, a paste or a command line means: one rule for the window and the CLI."""

from __future__ import annotations

import os

from app.core.io import LOOP_SKIPPED, expand_paths, is_supported_name, paths_from_text


def test_paths_from_text():
    assert paths_from_text("/a/b.csv\nfile:///tmp/x%20y.json\n{\"a\":1}\n  \n\"/q/r.ndjson\"") == [
        "/a/b.csv", "/tmp/x y.json", "/q/r.ndjson"]


def test_json_text_holds_no_paths():
    # The window sends such text to the Paste JSON tab: it must not be taken for paths.
    assert paths_from_text('{"a": 1}') == []
    assert paths_from_text('{\n  "/var/log/x": 1,\n  "path": "/tmp/y"\n}') == []
    assert paths_from_text("relative/name.csv\nsome prose") == []


def test_quotes_home_urls_and_windows_paths(tmp_path):
    assert paths_from_text("'/a b/c.csv'\n\"/d.json\"") == ["/a b/c.csv", "/d.json"]
    assert paths_from_text('"/unbalanced.csv') == []
    assert paths_from_text("~/x.ndjson") == [os.path.expanduser("~/x.ndjson")]
    assert paths_from_text("file://localhost/tmp/a.csv\nfile://server/share/b.csv") == [
        "/tmp/a.csv", "//server/share/b.csv"]
    assert paths_from_text("file:///C:/Users/me/c.csv\nC:\\logs\\d.csv\n\\\\nas\\e.csv") == [
        "C:/Users/me/c.csv", "C:\\logs\\d.csv", "\\\\nas\\e.csv"]
    missing = tmp_path / "missing.csv"
    assert paths_from_text(str(missing)) == [str(missing)]  # expand_paths names it as missing


def test_supported_names():
    assert is_supported_name("a.NDJSON") and is_supported_name("b.csv.gz") and is_supported_name("c.log.zst")
    assert not is_supported_name("d.png") and not is_supported_name("e.gz")


def test_expand_paths_reads_folders_once(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.ndjson").write_text("{}\n")
    (tmp_path / "sub" / "b.png").write_bytes(b"\x89PNG")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path / "sub")
    files, problems = expand_paths([tmp_path / "sub", tmp_path / "gone.csv"])
    assert files == [tmp_path / "sub" / "a.ndjson"]
    assert problems[0].endswith(LOOP_SKIPPED)
    assert problems[1] == f"{tmp_path / 'gone.csv'}: no such file"


def test_a_folder_is_listed_in_number_order_as_a_file_manager_shows_it(tmp_path):
    for name in ("part-10.ndjson", "part-2.ndjson", "part-1.ndjson", "Part-3.ndjson", "app.log.9"):  # app.log.9: not a data file name
        (tmp_path / name).write_text("{}\n")
    (tmp_path / "d10").mkdir()
    (tmp_path / "d9").mkdir()
    (tmp_path / "d10" / "a.ndjson").write_text("{}\n")
    (tmp_path / "d9" / "a.ndjson").write_text("{}\n")
    files, problems = expand_paths([tmp_path])
    assert [str(f.relative_to(tmp_path)) for f in files] == [
        "part-1.ndjson", "part-2.ndjson", "Part-3.ndjson", "part-10.ndjson", "d9/a.ndjson", "d10/a.ndjson"] and not problems
