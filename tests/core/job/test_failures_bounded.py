"""Many failures keep memory, the journal and the summary bounded: the first MAX_FAILURES_KEPT
in full, the rest counted by reason with their line spans, and said so."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app import cli
from app.core import config, journal
from app.core.job.ledger import MAX_FAILURES_KEPT

pytestmark = pytest.mark.usefixtures("cli_datasets")  # "ds" exists in the sandbox --sandbox starts


def write(path, bad, good=10):
    with open(path, "w") as f:
        f.writelines('{"n": %d, "ok": true}\n' % i for i in range(good))
        f.writelines('{"n": %d, broken\n' % i for i in range(bad))
    return path


def test_fifty_thousand_bad_lines_keep_a_bounded_report_and_journal(tmp_path, capsys):
    bad = 50_000
    path = write(tmp_path / "bad.ndjson", bad)
    code = cli.main(["send", str(path), "-d", "ds", "--sandbox", "--format", "ndjson", "--json"])
    out = capsys.readouterr().out
    f = json.loads(out)["files"][0]
    assert code == 1 and (f["ingested"], f["failed"], f["not_sent"]) == (10, bad, 0)
    assert len(f["failures"]) == MAX_FAILURES_KEPT == 1000
    assert [x["line"] for x in f["failures"][:2]] == [11, 12]
    [more] = f["more_failures"]
    assert more["count"] == bad - MAX_FAILURES_KEPT and more["lines"] == [[1011, 50_010]]
    assert more["reason"].startswith("invalid JSON")
    assert len(out) < 200_000  # was ~4.5 MB: every failure listed
    conn = sqlite3.connect(config.data_dir() / "journal.sqlite3")
    assert conn.execute("SELECT count(*) FROM failures").fetchone()[0] == MAX_FAILURES_KEPT
    [record] = journal.history()
    assert record.failed == bad
    conn.close()
    code = cli.main(["send", str(path), "-d", "ds", "--sandbox", "--format", "ndjson"])
    text = capsys.readouterr().out
    assert "… and 49,000 more failures: 'invalid JSON" in text and "on lines 1011–50010" in text, text


def test_the_tally_stays_bounded_whatever_the_order_and_the_reasons():
    from app.core.job.results import MAX_REASONS, MAX_SPANS, FailureTally, more_failures_text

    t = FailureTally()
    for line in list(range(500, 1000)) + list(range(1, 500)):  # out of order, one span in the end
        t.add(line, f"invalid JSON: unexpected character at column {line % 7}")
    assert t.to_json() == [{"reason": "invalid JSON: unexpected character at column #", "count": 999,
                            "lines": [[1, 999]]}]
    for line in range(2000, 100_000, 2):  # every other line: spans joined past MAX_SPANS
        t.add(line, "not a JSON object (a number)")
    for k in range(100):
        t.add(5, f"reason {chr(65 + k % 26)}{k}")
    items = t.to_json()
    assert len(items) <= MAX_REASONS and all(len(i["lines"]) <= MAX_SPANS for i in items)
    assert t.count == 999 + 49_000 + 100
    assert more_failures_text(items).startswith("… and 50,099 more failures: 'not a JSON object (a number)' on lines 2000–")
    assert FailureTally.from_json(items).to_json() == items


def test_the_history_says_the_failures_counted_but_not_listed(tmp_path, capsys):
    """What the History tab shows for a finished job: the kept failures, and the line for the rest."""
    from app.core import history

    path = write(tmp_path / "bad.ndjson", 3_000)
    assert cli.main(["send", str(path), "-d", "ds", "--sandbox", "--format", "ndjson"]) == 1
    capsys.readouterr()
    [record] = journal.history()
    assert len(history.failures(record.id)) == MAX_FAILURES_KEPT
    more = history.more_failures(record.id)
    assert more is not None and "2,000 more failures: 'invalid JSON" in more and "1011–3010" in more, more
