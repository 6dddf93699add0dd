"""A dropped folder as the user meets it: one card with totals, sniffed in chunks with progress,
its files listed lazily, odd ones flagged, "apply to all", and sent to the queue from the window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWidget

from app.core import folder as core_folder
from app.ui.files.folder_card import FolderCard, FolderFilesModel

DATASET = "folder-test"


def make_folder(root, n, odd=True):
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / f"app-{i:04d}.ndjson").write_text(
            "".join(json.dumps({"time": f"2024-01-02T03:04:{j:02d}Z", "host": f"web-{j % 3}", "n": j}) + "\n"
                    for j in range(5)))
    if odd:
        (root / "hosts.csv").write_text("host,status\nweb-1,200\n")
        (root / "blob.json").write_bytes(bytes(range(256)) * 4)
    return root


def drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(40, 40), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)
    assert event.isAccepted()


@pytest.fixture
def ready(window, ctx, qtbot, run_until):
    ctx.set_dataset(DATASET)
    run_until(qtbot, lambda: ctx.client() is not None, 10000)
    return window


def settled(drop_panel):
    return lambda: drop_panel.folder_cards() and not drop_panel.busy()


def test_a_folder_is_one_card_with_totals_and_flags(ready, tmp_path, qtbot, run_until):
    root = make_folder(tmp_path / "exports", 20)
    panel = ready.drop_panel
    drop(panel, [root])
    run_until(qtbot, settled(panel), 15000)
    [card] = panel.folder_cards()
    assert panel.cards() == []  # no card per file
    assert card.title.full_text() == "exports/"
    assert card.summary.text().startswith("22 files · ")
    assert "NDJSON 20, CSV 1" in card.summary.text() and card.summary.text().endswith("101 events")
    assert card.odd_label.isVisible()
    assert card.odd_label.text() == "⚠ 2 flagged: 1 not data, 1 a different format; 1 not sent"
    rows = [card.model.data(card.model.index(r)) for r in range(card.model.rowCount())]
    # The flagged files first, each saying why; then the others in the folder's order.
    assert rows[0].startswith("blob.json") and rows[0].endswith("⚠ not data")
    assert rows[1].startswith("hosts.csv") and rows[1].endswith("⚠ a different format")
    assert rows[2].startswith("app-0000.ndjson · ") and rows[2].endswith("NDJSON · 5 events")
    assert "not sent" in card.model.data(card.model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert panel.send_button.text() == f"Send 21 files to {DATASET}" and panel.send_button.isEnabled()
    assert "1 can't be sent" in panel.summary_label.text()
    # Only the flagged files, on request.
    card.odd_only.setChecked(True)
    assert sorted(card.model.data(card.model.index(r)).split(" ·")[0] for r in range(card.model.rowCount())) == [
        "blob.json", "hosts.csv"]


def test_sniffing_is_chunked_and_says_how_far_it_got(ready, tmp_path, qtbot, run_until, monkeypatch):
    monkeypatch.setattr(core_folder, "SNIFF_CHUNK", 10)
    root = make_folder(tmp_path / "many", 60, odd=False)
    panel = ready.drop_panel
    seen: list[tuple[str, str]] = []
    panel.groups.progressed.connect(
        lambda card: seen.append((card.progress_label.text(), panel.send_button.text())) if card else None)
    drop(panel, [root])
    run_until(qtbot, settled(panel), 15000)
    labels = [label for label, _ in seen]
    assert "Sniffing 10 / 60…" in labels and "Sniffing 50 / 60…" in labels
    assert ("Sniffing 30 / 60…", "Sniffing 30 / 60…") in seen  # the send button waits, saying why
    [card] = panel.folder_cards()
    assert not card.progress_label.isVisible() and card.sendable


def test_the_file_list_is_lazy_and_the_card_costs_the_same_for_any_number_of_files(ready, tmp_path, qtbot, run_until):
    panel = ready.drop_panel
    drop(panel, [make_folder(tmp_path / "small", 3, odd=False)])
    run_until(qtbot, settled(panel), 15000)
    small = panel.folder_cards()[0]
    widgets_small = len(small.findChildren(QWidget))

    asked: set[int] = set()
    real_data = FolderFilesModel.data

    def counting(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            asked.add(index.row())
        return real_data(self, index, role)

    FolderFilesModel.data = counting
    try:
        drop(panel, [make_folder(tmp_path / "big", 600, odd=False)])
        run_until(qtbot, lambda: len(panel.folder_cards()) == 2 and not panel.busy(), 30000)
        big = panel.folder_cards()[1]
        panel.cards_scroll.ensureWidgetVisible(big)
        big.list.viewport().repaint()
        qtbot.wait(50)
    finally:
        FolderFilesModel.data = real_data
    assert big.model.rowCount() == 600
    assert len(big.findChildren(QWidget)) == widgets_small  # no widget per file
    assert 0 < len(asked) < 60  # only the rows on screen were asked for their text


def test_apply_to_all_goes_with_every_file_to_the_queue(ready, tmp_path, qtbot, run_until):
    root = make_folder(tmp_path / "exports", 8)
    panel, queue = ready.drop_panel, ready.queue_panel
    drop(panel, [root])
    run_until(qtbot, settled(panel), 15000)
    [card] = panel.folder_cards()
    assert card.controls.isEnabled()
    choices = [card.timestamp_combo.itemText(i) for i in range(card.timestamp_combo.count())]
    assert choices[:2] == ["each file's own guess", "(none)"] and "time" in choices and "host" in choices
    card.set_timestamp_field("")  # (none)
    card.dataset_edit.setText("elsewhere")
    panel.send()
    run_until(qtbot, lambda: len(queue.entries()) == 9, 5000)
    entries = queue.entries()
    assert {e.dataset for e in entries} == {"elsewhere"}
    assert all(e.plan.timestamp_field is None for e in entries)
    assert {e.plan.format for e in entries} == {"ndjson", "csv"}  # each file's own format
    assert panel.folder_cards() == []  # sent: the card is gone
    run_until(qtbot, lambda: all(e.is_finished for e in entries), 30000)
    assert sum(e.ingested for e in entries) == 8 * 5 + 1


def test_selecting_and_removing_a_folder_card(ready, tmp_path, qtbot, run_until):
    panel = ready.drop_panel
    single = tmp_path / "one.ndjson"
    single.write_text('{"a": 1}\n')
    drop(panel, [make_folder(tmp_path / "exports", 3, odd=False), single])
    run_until(qtbot, lambda: panel.folder_cards() and panel.cards() and not panel.busy(), 15000)
    [card], [file_card] = panel.folder_cards(), panel.cards()
    panel.select(card)
    assert card.property("selected") == "true" and "exports/ is listed on its card" in panel.preview.empty.text()
    panel.select(file_card)
    assert card.property("selected") == "false"  # one card looks selected at a time
    panel.select(card)
    card.remove_button.click()
    assert panel.folder_cards() == [] and panel.selected_card() is file_card
    assert panel.send_button.text() == "Send 1 file to folder-test"


def test_add_folder_asks_for_a_folder_and_makes_one_card(ready, tmp_path, qtbot, run_until, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    root = make_folder(tmp_path / "picked", 4, odd=False)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(root))
    panel = ready.drop_panel
    panel.stack.setCurrentWidget(panel.files_page)
    panel.folder_button.click()
    run_until(qtbot, settled(panel), 15000)
    [card] = panel.folder_cards()
    assert card.title.full_text() == "picked/" and card.summary.text().startswith("4 files · ")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")  # cancelled: nothing added
    panel.folder_button.click()
    qtbot.wait(50)
    assert len(panel.folder_cards()) == 1
