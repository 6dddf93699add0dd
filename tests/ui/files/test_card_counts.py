"""The card's event count is what the upload will count: every line, and those that will fail
said with the first one's line (the words are core's: app.core.sniff.counts)."""

from __future__ import annotations

import json

import pytest

from app.ui.files.drop_panel import DropPanel


@pytest.fixture
def panel(connected_widget):
    return connected_widget(DropPanel, "web-logs", (1100, 700))


def card_for(panel, qtbot, run_until, path):
    panel.add_paths([path])
    run_until(qtbot, lambda: panel.cards() and not panel.cards()[-1].sniffing, 10000)
    return panel.cards()[-1]


def test_lines_that_will_fail_are_counted_and_said(panel, qtbot, run_until, tmp_path):
    lines = [json.dumps({"n": i, "msg": "ok"}) for i in range(30)]
    for at in (6, 11, 12):  # lines 7, 12, 13: not JSON
        lines[at] = '{"n": broken'
    lines[20], lines[25] = "[1, 2]", '"just a string"'  # JSON, but not objects: Axiom refuses them
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(lines) + "\n")
    card = card_for(panel, qtbot, run_until, path)
    assert "30 events · 5 will fail (first: line 7)" in card.summary.text()


def test_ragged_csv_rows_are_said_to_fail(panel, qtbot, run_until, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("n,a,b\n1,x,y\n2,x\n3,x,y\n4,x,y,extra\n5,x,y\n")
    card = card_for(panel, qtbot, run_until, path)
    assert "5 events · 2 will fail (first: line 3)" in card.summary.text()
    card.set_delimiter(";")  # another dialect: the sniff's failures no longer apply, the count alone is said
    assert "will fail" not in card.summary.text()


def test_a_clean_file_says_only_its_count(panel, qtbot, run_until, tmp_path):
    path = tmp_path / "clean.ndjson"
    path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(12)))
    card = card_for(panel, qtbot, run_until, path)
    assert "12 events" in card.summary.text() and "fail" not in card.summary.text()
