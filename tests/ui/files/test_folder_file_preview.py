"""Picking a file in a folder card's list previews it: its first events, read with the card's
"apply to all" settings, sniffed on demand (off the GUI thread) when the card has not got to it."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.core import folder as core_folder

DATASET = "folder-preview"


def make_folder(root, n):
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / f"app-{i:02d}.ndjson").write_text(
            "".join(json.dumps({"time": f"2024-01-02T03:04:{j:02d}Z", "host": f"web-{i}-{j}"}) + "\n"
                    for j in range(4)))
    (root / "blob.json").write_bytes(bytes(range(256)) * 4)
    return root


def drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(40, 40), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


@pytest.fixture
def panel(window, ctx, qtbot, run_until):
    ctx.set_dataset(DATASET)
    run_until(qtbot, lambda: ctx.client() is not None, 10000)
    return window.drop_panel


def click_file(qtbot, card, name):
    row = next(r for r in range(card.model.rowCount()) if card.model.file_at(r).name == name)
    card.list.scrollTo(card.model.index(row))
    rect = card.list.visualRect(card.model.index(row))
    qtbot.mouseClick(card.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def hosts(preview):
    m = preview.model
    col = next((c for c in range(m.columnCount()) if m.headerData(c, Qt.Orientation.Horizontal) == "host"), None)
    if col is None:  # nothing shown (yet)
        return []
    return [m.data(m.index(r, col)) for r in range(m.rowCount())]


def test_clicking_a_file_of_a_folder_card_previews_its_rows(panel, tmp_path, qtbot, run_until):
    drop(panel, [make_folder(tmp_path / "exports", 6)])
    run_until(qtbot, lambda: panel.folder_cards() and not panel.busy(), 15000)
    [card] = panel.folder_cards()
    preview = panel.preview
    click_file(qtbot, card, "app-03.ndjson")
    assert preview.title.text() == "Preview — app-03.ndjson"
    run_until(qtbot, lambda: preview.stack.currentWidget() is preview.view)
    assert hosts(preview) == ["web-3-0", "web-3-1", "web-3-2", "web-3-3"]
    assert preview.note.text().startswith("The first 4 events as they will be sent")

    # Another file: its own rows; a file that is not data: why there is nothing to show.
    click_file(qtbot, card, "app-05.ndjson")
    run_until(qtbot, lambda: hosts(preview)[:1] == ["web-5-0"])
    click_file(qtbot, card, "blob.json")
    run_until(qtbot, lambda: preview.empty.text().startswith("Nothing to preview: "))
    assert preview.stack.currentWidget() is preview.empty


def test_a_file_the_card_has_not_sniffed_yet_is_sniffed_for_its_preview(panel, tmp_path, qtbot, run_until,
                                                                          monkeypatch):
    release = threading.Event()
    real = core_folder.sniff_next

    def stalled(group, n=None):  # the card's chunked sniffing waits until the test is done
        release.wait(20)
        return real(group, n)

    monkeypatch.setattr(core_folder, "sniff_next", stalled)
    try:
        drop(panel, [make_folder(tmp_path / "slow", 4)])
        run_until(qtbot, lambda: panel.folder_cards(), 10000)
        [card] = panel.folder_cards()
        assert card.sniffing and card.model.file_at(0).sniff is None
        click_file(qtbot, card, "app-02.ndjson")
        preview = panel.preview
        run_until(qtbot, lambda: preview.stack.currentWidget() is preview.view, 10000)
        assert hosts(preview) == ["web-2-0", "web-2-1", "web-2-2", "web-2-3"]
        assert card.sniffing  # the preview did not wait for (or disturb) the card's own sniffing
    finally:
        release.set()
    run_until(qtbot, lambda: not panel.busy(), 15000)
