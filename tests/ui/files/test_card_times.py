"""The card's time controls and the Send confirmation, as a user meets them: the date order
asked for, the zone chosen, the first values shown in that zone and in UTC, and Send asking
before times that do not read are sent."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.ui.files.drop_panel import DropPanel

AMBIGUOUS = "n,time,msg\n1,02/12/2026 14:03,a\n2,03/12/2026 14:04,b\n"
NAIVE = "".join(json.dumps({"n": i, "time": f"2026-11-01 08:00:0{i}"}) + "\n" for i in range(3))
SOME_BAD = "".join(json.dumps({"n": i, "time": f"2026-11-01 08:00:0{i}"}) + "\n" for i in range(9)) + \
           json.dumps({"n": 9, "time": "soon"}) + "\n"


@pytest.fixture
def panel(connected_widget):
    return connected_widget(DropPanel, "web-logs", (1100, 700))


def card_for(panel, qtbot, run_until, path, text):
    path.write_text(text)
    panel.add_paths([path])
    run_until(qtbot, lambda: not panel.busy() and panel.cards() and not panel.cards()[0].sniffing, 10000)
    return panel.cards()[0]


def answer_next_box(button, seen: list):
    """Click `button` on the message box Send opens, remembering its text."""
    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button).click()
    QTimer.singleShot(20, click)


def test_dates_in_either_order_are_asked_for(panel, qtbot, run_until, tmp_path):
    card = card_for(panel, qtbot, run_until, tmp_path / "slashes.csv", AMBIGUOUS)
    box = card.time_box
    assert box.order_combo.isVisibleTo(card)
    assert "read both day first and month first" in box.reading.text()
    assert card.plan().date_orders == ("dmy", "mdy")
    box.order_combo.setCurrentIndex(box.order_combo.findData("dmy"))
    assert card.plan().timestamp_format == "02/01/2006 15:04"
    assert "'02/12/2026 14:03' → 2026-12-02 14:03:00 UTC" in box.reading.text()
    box.order_combo.setCurrentIndex(box.order_combo.findData("mdy"))
    assert "'02/12/2026 14:03' → 2026-02-12 14:03:00 UTC" in box.reading.text()


def test_the_zone_choice_shows_the_instants_in_that_zone_and_in_utc(panel, qtbot, run_until, tmp_path):
    card = card_for(panel, qtbot, run_until, tmp_path / "naive.ndjson", NAIVE)
    box = card.time_box
    assert not box.order_combo.isVisibleTo(card)
    assert box.format_edit.text() == "2006-01-02 15:04:05"
    assert "'2026-11-01 08:00:00' → 2026-11-01 08:00:00 UTC" in box.reading.text()
    assert not card.plan().client_time
    box.zone_combo.setCurrentIndex(box.zone_combo.findData("Europe/Berlin"))
    assert "2026-11-01 08:00:00 Europe/Berlin = 2026-11-01 07:00:00 UTC" in box.reading.text()
    assert "computed by this app" in box.reading.text()
    plan = card.plan()
    assert plan.client_time and plan.time_zone.name == "Europe/Berlin"
    box.zone_combo.setEditText("America/New_York")
    box.zone_combo.lineEdit().editingFinished.emit()
    assert card.plan().time_zone.name == "America/New_York"
    assert "= 2026-11-01 13:00:00 UTC" in box.reading.text()
    box.zone_combo.setEditText("Nowhere/Else")
    box.zone_combo.lineEdit().editingFinished.emit()
    assert box.zone_name() is None and "border" in box.zone_combo.styleSheet()


def test_a_typed_time_format_is_used(panel, qtbot, run_until, tmp_path):
    card = card_for(panel, qtbot, run_until, tmp_path / "slashes.csv", AMBIGUOUS)
    card.time_box.format_edit.setText("01/02/2006 15:04")
    card.time_box.format_edit.editingFinished.emit()
    plan = card.plan()
    assert plan.timestamp_format == "01/02/2006 15:04" and plan.date_orders == ()
    assert "→ 2026-02-12 14:03:00 UTC" in card.time_box.reading.text()


def test_send_is_blocked_until_the_date_order_is_chosen(panel, qtbot, run_until, tmp_path):
    card = card_for(panel, qtbot, run_until, tmp_path / "slashes.csv", AMBIGUOUS)
    sent: list = []
    panel.sendRequested.connect(sent.append)
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Ok, seen)
    panel.send()
    assert sent == [] and "choose the order" in seen[0] and panel.cards() == [card]
    card.time_box.order_combo.setCurrentIndex(card.time_box.order_combo.findData("dmy"))
    panel.send()
    assert len(sent) == 1 and sent[0][0][1].timestamp_format == "02/01/2006 15:04"


def test_send_asks_before_times_that_do_not_read(panel, qtbot, run_until, tmp_path):
    card = card_for(panel, qtbot, run_until, tmp_path / "bad.ndjson", SOME_BAD)
    card.set_timestamp_field("time")
    assert "does not read for 1 of 10 sampled rows" in card.time_box.reading.text()
    sent: list = []
    panel.sendRequested.connect(sent.append)
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    panel.send()
    assert sent == [] and "bad.ndjson: the time field 'time' does not read for 1 of 10 sampled rows" in seen[0]
    answer_next_box(QMessageBox.StandardButton.Yes, seen)
    panel.send()
    assert len(sent) == 1 and len(seen) == 2


def test_send_is_blocked_by_a_zone_no_one_knows(panel, qtbot, run_until, tmp_path):
    card = card_for(panel, qtbot, run_until, tmp_path / "naive.ndjson", NAIVE)
    card.time_box.zone_combo.setEditText("Mars/Olympus")
    card.time_box.zone_combo.lineEdit().editingFinished.emit()
    sent: list = []
    panel.sendRequested.connect(sent.append)
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Ok, seen)
    panel.send()
    assert sent == [] and "'Mars/Olympus' is not a time zone this app knows" in seen[0]


def test_send_asks_when_a_likely_time_field_is_left_unused(panel, qtbot, run_until, tmp_path):
    text = "".join(json.dumps({"n": i, "time": f"Jan  2 15:04:0{i}"}) + "\n" for i in range(9)) + \
        json.dumps({"n": 9, "time": "garbage"}) + "\n"
    card_for(panel, qtbot, run_until, tmp_path / "syslogish.ndjson", text)
    sent: list = []
    panel.sendRequested.connect(sent.append)
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    panel.send()
    assert sent == [] and seen, "Send went ahead without a word"
    assert "syslogish.ndjson: field 'time' looks like the time, but 1 of 10" in seen[0]
    answer_next_box(QMessageBox.StandardButton.Yes, seen)
    panel.send()
    assert len(sent) == 1
