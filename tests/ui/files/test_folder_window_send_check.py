"""Send with a folder card in the window: a time field applied to all that does not read asks
first, once for the folder; Cancel queues nothing, "Send anyway" queues every file. Dates that
read in either order wait for the order chosen on the folder's card.

The question is a modal QMessageBox: it is answered from a QTimer as a user would click it, so
the test never blocks in exec()."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

DATASET = "folder-times"


def answer_next_box(button, seen: list, tries: int = 250):
    """Click `button` on the next modal message box, remembering its text (gives up after ~5 s,
    so a box that never comes fails the test's assertions instead of hanging it)."""
    def click(left=tries):
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if left:
                QTimer.singleShot(20, lambda: click(left - 1))
            return
        seen.append(box.text())
        chosen = box.button(button)
        chosen.click() if chosen is not None else box.reject()  # another question: closed, and seen says so
    QTimer.singleShot(20, click)


def make_folder(root, n, time=lambda j: f"2024-01-02T03:04:{j:02d}Z"):
    """`n` files of 4 events; their content differs from folder to folder (the same bytes would be
    "already sent" by an earlier test: the window asks about those too)."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (root / f"app-{i}.ndjson").write_text("".join(
            json.dumps({"time": time(j), "host": f"web-{j}", "dir": root.name}) + "\n" for j in range(4)))
    return root


@pytest.fixture
def panel(window, ctx, qtbot, run_until):
    ctx.set_dataset(DATASET)
    run_until(qtbot, lambda: ctx.client() is not None, 10000)
    window.ask_about_uploads = lambda: "cancel"  # closing after the test: no "uploads running" question
    return window.drop_panel


def uploads_end(window, qtbot, run_until):
    """The queued files finish before the window closes (closing mid-upload would ask)."""
    run_until(qtbot, lambda: all(e.is_finished for e in window.queue_panel.entries()), 15000)


def folder_card(panel, qtbot, run_until, root):
    panel.add_paths([root])
    run_until(qtbot, lambda: panel.folder_cards() and not panel.busy() and panel.folder_cards()[0].sendable, 15000)
    return panel.folder_cards()[0]


def test_a_time_field_applied_to_all_that_does_not_read_is_asked_about(window, panel, qtbot, run_until, tmp_path):
    card = folder_card(panel, qtbot, run_until, make_folder(tmp_path / "exports", 3))
    card.set_timestamp_field("host")  # "apply to all": a field that holds no times
    queue = window.queue_panel
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    panel.send_button.click()
    assert seen == ["exports/: the time field 'host' does not read for 12 of 12 sampled rows in 3 of 3 files "
                    "(e.g. app-0.ndjson: 'web-0'): Axiom refuses such events, so they will fail"
                    "\n\nSend anyway? Those events will fail; the others are sent."]
    assert queue.entries() == [] and panel.folder_cards() == [card]  # nothing queued, the card stays

    answer_next_box(QMessageBox.StandardButton.Yes, seen)
    panel.send_button.click()
    assert len(seen) == 2 and panel.folder_cards() == []
    run_until(qtbot, lambda: len(queue.entries()) == 3, 5000)  # the queue takes them after the sent-before check
    assert sorted(e.name for e in queue.entries()) == ["app-0.ndjson", "app-1.ndjson", "app-2.ndjson"]
    assert all(e.plan.timestamp_field == "host" for e in queue.entries())
    uploads_end(window, qtbot, run_until)


def test_a_folder_whose_times_read_is_sent_without_a_question(window, panel, qtbot, run_until, tmp_path):
    panel_card = folder_card(panel, qtbot, run_until, make_folder(tmp_path / "fine", 2))
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen, tries=10)  # would cancel a box, if one came
    panel.send_button.click()
    run_until(qtbot, lambda: len(window.queue_panel.entries()) == 2, 5000)
    assert seen == [] and panel_card not in panel.folder_cards()
    uploads_end(window, qtbot, run_until)
