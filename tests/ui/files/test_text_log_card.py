"""A text log's card and preview as a user meets them: what was detected, the parsed fields, a
traceback's whole event, and the log format / line-start / zone controls feeding the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ui.files.drop_panel import DropPanel

LOGS = Path(__file__).parents[2] / "data" / "logs"


@pytest.fixture
def panel(connected_widget):
    return connected_widget(DropPanel, "logs", (1100, 700))


def added(panel, qtbot, run_until, path):
    panel.add_paths([path])
    run_until(qtbot, lambda: not panel.busy() and len(panel.cards()) == 1, 10000)
    return panel.cards()[0]


def test_a_syslog_card_says_what_was_detected_and_previews_fields(panel, qtbot, run_until):
    card = added(panel, qtbot, run_until, LOGS / "syslog_auth.log")
    assert card.summary.text().startswith("syslog (RFC 3164) · events start with a timestamp · one line per event")
    assert "(97% sure)" in card.summary.text() and card.log_controls.isVisible()
    model = panel.preview.model
    run_until(qtbot, lambda: model.rowCount() == 12, 10000)
    assert model.fields()[:4] == ["_time", "hostname", "appname", "procid"]
    assert model.cell_text(7, "appname") == "sudo" and model.timestamp_field() == "_time"
    assert not panel.preview.event_text.isVisible()  # one-line events: the table shows them whole


def test_a_traceback_event_is_shown_whole(panel, qtbot, run_until):
    added(panel, qtbot, run_until, LOGS / "python_traceback.log")
    run_until(qtbot, lambda: panel.preview.model.rowCount() == 5, 10000)
    text = panel.preview.event_text
    assert text.isVisible()
    shown = text.toPlainText()
    assert shown.startswith("event 3: ") and "level=ERROR" in shown
    assert shown.endswith("raise JobError(job.id) from None\napp.errors.JobError: 17")


def test_the_log_controls_change_the_preview_and_the_plan(panel, qtbot, run_until):
    card = added(panel, qtbot, run_until, LOGS / "python_traceback.log")
    model = panel.preview.model
    run_until(qtbot, lambda: model.rowCount() == 5, 10000)
    controls = card.log_controls
    controls.format_combo.setCurrentIndex(controls.format_combo.findData("plain"))
    run_until(qtbot, lambda: model.rowCount() == 16, 10000)  # every non-blank line an event (18 lines, 2 blank)
    assert model.fields() == ["message"]
    assert card.summary.text().startswith("plain lines · one event per line") and "(your choice)" in card.summary.text()
    controls.format_combo.setCurrentIndex(controls.format_combo.findData("framework"))
    controls.start_edit.setText(r"\d{4}-\d\d-\d\d .* (ERROR|WARNING) ")
    controls.start_edit.editingFinished.emit()
    card.time_box.zone_combo.setEditText("Europe/Berlin")  # the card's one zone choice
    run_until(qtbot, lambda: model.rowCount() == 3, 10000)  # lines before the first ERROR are one event
    assert model.cell_text(1, "level") == "ERROR"
    run_until(qtbot, lambda: model.cell_text(1, "_time") == "2026-12-01T10:00:01.500+01:00", 10000)
    controls.start_edit.setText("(unclosed")  # not a pattern: marked, and not used
    controls.start_edit.editingFinished.emit()
    assert "not a valid regular expression" in controls.start_edit.toolTip() and controls.line_start() is None
    controls.start_edit.setText(r"\d{4}-\d\d-\d\d .* (ERROR|WARNING) ")
    plan = card.plan()
    assert (plan.format, plan.log_format, plan.time_zone.name) == ("text", "framework", "Europe/Berlin")
    assert plan.log_line_start == r"\d{4}-\d\d-\d\d .* (ERROR|WARNING) "
