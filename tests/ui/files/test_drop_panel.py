"""The drop zone as a user meets it: drops, folders, pasted paths, cards, overrides, the preview."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from app.ui.files.drop_panel import DropPanel, sample_files
from app.ui.files.preview import PreviewModel

NDJSON = b'{"_time":"2024-01-02T03:04:05Z","level":"info","msg":"started","ctx":{"pid":7,"tags":["a","b"]}}\n' \
         b'{"_time":"2024-01-02T03:04:06Z","level":"warn","msg":"slow","ctx":{"pid":7}}\n'
SEMICOLON_CSV = "\ufefftime;host;status;bytes\n" \
                "2024-01-02T03:04:05Z;web-1;200;512\n" \
                "2024-01-02T03:04:06Z;web-2;404;0\n" \
                "2024-01-02T03:04:07Z;web-1;500;12\n"
RAGGED_CSV = "a,b,c,d,e,f\n1,2,3,4,5,6\n1,2,3,4,5\n1,2,3,4,5,6\n1,2,3,4,5,6,7\n1,2,3,4,5,6\n"
JSON_ARRAY = b'[\n  {"id": 1, "user": {"name": "ann"}, "ts": 1704164645},\n  {"id": 2, "user": {"name": "bob"}, "ts": 1704164646}\n]\n'


@pytest.fixture
def files(tmp_path):
    nd = tmp_path / "app.ndjson"
    nd.write_bytes(NDJSON)
    csv = tmp_path / "hosts.csv"
    csv.write_text(SEMICOLON_CSV, encoding="utf-8")
    arr = tmp_path / "users.json"
    arr.write_bytes(JSON_ARRAY)
    return nd, csv, arr


@pytest.fixture
def panel(connected_widget):
    return connected_widget(DropPanel, "web-logs", (1100, 600))


def drop(panel, paths):
    """What the window system delivers when files are dropped on the panel."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    panel.dropEvent(event)
    return event


def settle(panel, qtbot, run_until, n=None):
    run_until(qtbot, lambda: not panel.busy() and (n is None or len(panel.cards()) == n), 10000)


def preview_settled(panel, qtbot, run_until, predicate):
    run_until(qtbot, lambda: predicate(panel.preview.model), 10000)


def test_empty_state_invites(panel):
    assert panel.stack.currentWidget() is panel.zone
    assert panel.zone.text.text() == "Drop JSON, NDJSON, CSV or log files here"
    assert panel.zone.browse_button.isVisible() and panel.zone.browse_button.text() == "Browse…"
    assert panel.zone.samples_button.text() == "Try sample data"


def test_dropping_three_files_makes_three_cards_with_their_formats(panel, files, qtbot, run_until):
    nd, csv, arr = files
    event = drop(panel, [nd, csv, arr])
    assert event.isAccepted()
    settle(panel, qtbot, run_until, 3)
    assert panel.stack.currentWidget() is panel.files_page
    by_name = {c.name: c for c in panel.cards()}
    assert by_name["app.ndjson"].summary.text().startswith("NDJSON · UTF-8 · 2 events")
    assert by_name["hosts.csv"].summary.text().startswith("CSV · semicolon-separated · with a header · UTF-8 with BOM")
    assert by_name["users.json"].summary.text().startswith("JSON array · UTF-8 · 2 events")
    assert "sure" in by_name["app.ndjson"].summary.text()
    assert by_name["hosts.csv"].time_label.text() == "Time field: time, read as RFC 3339, e.g. 2024-01-02T03:04:05Z"
    assert panel.send_button.isEnabled()
    assert panel.send_button.text() == "Send 3 files to web-logs"
    # The reasons are one click away.
    card = by_name["hosts.csv"]
    assert not card.reasons_label.isVisible()
    card.why_button.click()
    assert card.reasons_label.isVisible() and "consistent 4 fields per row" in card.reasons_label.text()


def test_dropping_a_folder_adds_one_card_for_its_supported_files(panel, tmp_path, qtbot, run_until):
    folder = tmp_path / "exports"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.ndjson").write_bytes(NDJSON)
    (folder / "nested" / "b.csv").write_text("x,y\n1,2\n3,4\n")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n")
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    drop(panel, [folder, empty])
    settle(panel, qtbot, run_until)
    assert panel.cards() == []  # no card per file: the folder is one card (tests/ui/files/test_folder_card.py)
    [card] = panel.folder_cards()
    assert [f.name for f in card.group.files] == ["a.ndjson", "b.csv"]
    assert panel.notice.isVisible()
    assert "empty-folder: no JSON, NDJSON or CSV files in this folder" in panel.notice.text()
    # Dropping the same folder again, or a file inside it, adds nothing.
    drop(panel, [folder, folder / "a.ndjson"])
    settle(panel, qtbot, run_until)
    assert len(panel.folder_cards()) == 1 and panel.cards() == []
    assert "2 files were already in the list" in panel.notice.text()


def test_pasted_paths_become_cards(panel, files, qtbot, run_until):
    nd, csv, _ = files
    QGuiApplication.clipboard().setText(f"{nd}\n'{csv}'\n")
    qtbot.keyClick(panel, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(panel, qtbot, run_until, 2)
    assert {c.name for c in panel.cards()} == {"app.ndjson", "hosts.csv"}
    # Text that holds no paths is left alone, with a hint.
    messages = []
    panel.ctx.statusMessage.connect(lambda text, ms: messages.append(text))
    QGuiApplication.clipboard().setText('{"not": "a path"}')
    assert panel.paste_from_clipboard() is False
    assert "Paste JSON tab" in messages[-1]


def test_unreadable_files_get_a_card_that_says_why(panel, tmp_path, files, qtbot, run_until):
    binary = tmp_path / "photo.json"
    binary.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    fifo = tmp_path / "pipe.ndjson"
    os.mkfifo(fifo)
    drop(panel, [binary, empty, fifo, files[0]])
    settle(panel, qtbot, run_until, 4)
    by_name = {c.name: c for c in panel.cards()}
    for name in ("photo.json", "empty.csv", "pipe.ndjson"):
        card = by_name[name]
        assert not card.sendable
        assert card.summary.text() == "Can't be sent"
        assert card.error_label.isVisible()
        assert not card.controls.isVisible()
    assert by_name["photo.json"].error_label.text().startswith("this is not JSON, NDJSON or CSV: it holds binary data")
    assert by_name["empty.csv"].error_label.text() == "this is not JSON, NDJSON or CSV: the file is empty"
    assert "not a regular file" in by_name["pipe.ndjson"].error_label.text()
    assert panel.send_button.text() == "Send 1 file to web-logs"
    assert panel.summary_label.text() == "1 ready · 3 can't be sent"
    by_name["photo.json"].remove_button.click()
    assert len(panel.cards()) == 3


def test_csv_preview_and_delimiter_override(panel, files, qtbot, run_until, qtmodeltester):
    _, csv, _ = files
    panel.add_paths([csv])
    settle(panel, qtbot, run_until, 1)
    card = panel.cards()[0]
    assert panel.selected_card() is card
    model: PreviewModel = panel.preview.model
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 3)
    assert model.fields() == ["time", "host", "status", "bytes"]
    assert [model.cell_text(r, "host") for r in range(3)] == ["web-1", "web-2", "web-1"]
    assert model.cell_text(1, "status") == "404"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "time"
    assert model.timestamp_field() == "time"
    assert not model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole).isNull()
    assert model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole) is None
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "the event time: time, read as RFC 3339"
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert tip == "read as RFC 3339 → 2024-01-02 03:04:05 UTC"
    qtmodeltester.check(model)

    # The user says the delimiter is a comma: the preview re-renders with one column …
    card.set_delimiter(",")
    preview_settled(panel, qtbot, run_until, lambda m: m.columnCount() == 1)
    assert model.fields() == ["time;host;status;bytes"]
    assert model.cell_text(0, "time;host;status;bytes") == "2024-01-02T03:04:05Z;web-1;200;512"
    assert card.summary.text().startswith("CSV · comma-separated")
    assert "(your choice)" in card.summary.text()
    # … and back.
    card.set_delimiter(";")
    preview_settled(panel, qtbot, run_until, lambda m: m.columnCount() == 4)
    assert model.cell_text(2, "bytes") == "12"
    qtmodeltester.check(model)

    # The plan sent follows the overrides.
    sent = []
    panel.sendRequested.connect(sent.append)
    card.set_timestamp_field("time")
    panel.send_button.click()
    assert len(sent) == 1
    (source, plan), = sent[0]
    assert source.name.endswith("hosts.csv")
    assert plan.format == "csv" and plan.csv.delimiter == ";" and plan.csv.has_header
    assert plan.encoding == "utf-8-sig"
    assert plan.timestamp_field == "time"
    assert panel.cards() == [] and panel.stack.currentWidget() is panel.zone


def test_header_override_names_columns(panel, files, qtbot, run_until):
    _, csv, _ = files
    panel.add_paths([csv])
    settle(panel, qtbot, run_until, 1)
    card = panel.cards()[0]
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 3)
    card.header_check.setChecked(False)
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 4)
    assert panel.preview.model.fields() == ["col1", "col2", "col3", "col4"]
    assert panel.preview.model.cell_text(0, "col2") == "host"
    plan = card.plan()
    assert plan.csv.has_header is False and plan.csv.fields == ["col1", "col2", "col3", "col4"]


def test_ragged_rows_are_marked(panel, tmp_path, qtbot, run_until, qtmodeltester):
    f = tmp_path / "ragged.csv"
    f.write_text(RAGGED_CSV)
    panel.add_paths([f])
    settle(panel, qtbot, run_until, 1)
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 5)
    model = panel.preview.model
    assert model.ragged_rows() == [1, 3]
    assert model.headerData(1, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole) == "row has 5 fields, header has 6"
    assert model.headerData(3, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole) == "row has 7 fields, header has 6"
    assert model.headerData(1, Qt.Orientation.Vertical, Qt.ItemDataRole.DecorationRole) is not None
    assert model.headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.DecorationRole) is None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert "2 rows do not match the header" in panel.preview.note.text()
    assert model.fields() == ["a", "b", "c", "d", "e", "f", "col7"]  # the extra cell is shown too
    qtmodeltester.check(model)


def test_array_elements_that_are_not_objects_are_previewed_as_failures(panel, tmp_path, qtbot, run_until,
                                                                       qtmodeltester):
    f = tmp_path / "mixed.json"
    f.write_text('[{"n": 1}, 42, {"n": 3}, "oops", {"n": 5}]')
    panel.add_paths([f])
    settle(panel, qtbot, run_until, 1)
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 5)
    model = panel.preview.model
    assert model.ragged_rows() == [1, 3]  # the rows marked as problems
    assert "reported as failed" in model.headerData(1, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    assert model.cell_text(1, "(value)") == "42" and model.cell_text(3, "(value)") == "oops"
    assert "2 are not JSON objects (marked): they will be reported as failed" in panel.preview.note.text()
    qtmodeltester.check(model)


def test_json_preview_shows_top_level_fields_with_compact_nesting(panel, files, qtbot, run_until, qtmodeltester):
    nd, _, arr = files
    panel.add_paths([nd, arr])
    settle(panel, qtbot, run_until, 2)
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 2)
    model = panel.preview.model
    assert model.fields() == ["_time", "level", "msg", "ctx"]
    assert model.cell_text(0, "ctx") == '{"pid":7,"tags":["a","b"]}'
    assert model.timestamp_field() == "_time"
    qtmodeltester.check(model)
    array_card = panel.card_for(arr)
    array_card.clicked.emit(array_card)
    preview_settled(panel, qtbot, run_until, lambda m: "user" in m.fields())
    assert model.cell_text(1, "user") == '{"name":"bob"}'
    assert model.timestamp_field() == "ts"
    tip = model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    assert tip == "read as seconds since 1970 → 2024-01-02 03:04:05 UTC"


def test_large_file_previews_from_its_head_only(panel, tmp_path, qtbot, run_until):
    big = tmp_path / "big.ndjson"
    line = b'{"_time":"2024-01-02T03:04:05Z","n":1,"pad":"' + b"x" * 200 + b'"}\n'
    with open(big, "wb") as f:
        f.truncate(1 << 30)  # a sparse 1 GB file …
        f.seek(0)
        f.write(line * 5000)  # … whose head is NDJSON
    panel.add_paths([big])
    settle(panel, qtbot, run_until, 1)
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() > 0)
    card = panel.cards()[0]
    assert card.size_label.text() == "1.1 GB"
    assert "~" in card.summary.text()  # an estimate, from the head


def test_try_sample_data_loads_three_samples(panel, qtbot, run_until):
    assert len(sample_files()) == 3
    panel.zone.samples_button.click()
    settle(panel, qtbot, run_until, 3)
    labels = sorted(c.summary.text().split(" · ")[0] for c in panel.cards())
    assert labels == ["CSV", "JSON array", "NDJSON"]
    assert all(c.sendable for c in panel.cards())


def test_send_needs_a_dataset(panel, files, qtbot, run_until):
    panel.add_paths([files[0]])
    settle(panel, qtbot, run_until, 1)
    panel.ctx.set_dataset("")
    assert not panel.send_button.isEnabled()
    assert panel.send_button.text() == "Send 1 file to…"
    assert panel.summary_label.text() == "1 ready · choose a dataset above to send"
    panel.ctx.set_dataset("other")
    assert panel.send_button.text() == "Send 1 file to other"
    assert panel.send_button.isEnabled()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # QDragEnterEvent's only constructor
def test_drag_enter_accepts_files_only(panel, files):
    from PySide6.QtGui import QDragEnterEvent
    from PySide6.QtCore import QPoint

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(files[0]))])
    ev = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
    panel.dragEnterEvent(ev)
    assert ev.isAccepted() and panel.zone.highlight
    panel.dragLeaveEvent(None)
    text = QMimeData()
    text.setText("hello")
    ev = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, text, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
    panel.dragEnterEvent(ev)
    assert not ev.isAccepted()
    QApplication.processEvents()


def test_a_cloudtrail_file_offers_its_records_and_one_click_sends_the_object_whole(panel, tmp_path, qtbot, run_until):
    import json

    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps({"Records": [{"eventName": "GetObject", "n": i} for i in range(30)]}, indent=2))
    panel.add_paths([trail])
    settle(panel, qtbot, run_until, 1)
    card = panel.cards()[0]
    assert card.records_check.isVisibleTo(card) and card.records_check.isChecked()
    assert card.records_check.text() == "Each element of 'Records' is an event"
    assert "30 events" in card.summary.text()
    assert card.plan().records_path == "Records"
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 30)
    assert panel.preview.model.fields() == ["eventName", "n"]
    card.records_check.click()  # the user wants the object as one event
    assert "1 event " in card.summary.text() and "(your choice)" in card.summary.text()
    assert card.plan().records_path is None
    preview_settled(panel, qtbot, run_until, lambda m: m.rowCount() == 1)
    assert panel.preview.model.fields() == ["Records"]


def test_a_low_confidence_guess_waits_for_the_user_to_pick_a_format(panel, tmp_path, qtbot, run_until):
    words = tmp_path / "words.txt"
    words.write_text("a b c\nd e f\n")  # read as CSV, only 20% sure
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": 1,\n "b": tru}\n')
    drop(panel, [words, broken])
    settle(panel, qtbot, run_until, 2)
    by_name = {c.name: c for c in panel.cards()}
    assert by_name["broken.json"].error_label.text().startswith("invalid JSON at line 2, column")
    card = by_name["words.txt"]
    assert not card.sendable and card.error_label.isVisible()
    assert "csv only 20% sure" in card.error_label.text() and "pick a format" in card.error_label.text()
    assert not panel.send_button.isEnabled()
    card.format_combo.activated.emit(card.format_combo.currentIndex())  # the user picks CSV in the list
    assert card.sendable and not card.error_label.isVisible()
    assert panel.send_button.text() == "Send 1 file to web-logs"
