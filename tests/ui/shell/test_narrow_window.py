"""The window at 820 px wide, as on a small laptop screen or half of a wide one: with long file
names on a card, in the preview and in the queue, nothing forces it wider, and what a user
needs (the card's ×, its Encoding and Zone, Send, the queue's columns and buttons) is on screen,
not cut off at the right edge."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect

from app.core.job import Source
from app.core.plan import Plan
from app.core.sniff import sniff_path

NARROW = 820
LONG = "web-frontend-access-export-2026-11-30-eu-central-1-partition-0007"


def shown_in(widget, area) -> bool:
    """True when the whole of `widget` lies inside `area`'s rectangle (both on screen)."""
    top_left = widget.mapTo(area.window(), QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    frame = QRect(area.mapTo(area.window(), QPoint(0, 0)), area.size())
    return widget.isVisible() and frame.contains(rect)


def narrowed(window, qtbot) -> int:
    """Resize to 820 px (asked again: the platform may still apply the first show); the width got."""
    for _ in range(20):
        window.resize(NARROW, 800)
        qtbot.wait(25)
        if window.width() == NARROW:
            break
    qtbot.wait(50)  # the layouts settle
    return window.width()


def test_the_window_is_usable_at_820_px_with_long_names(window, tmp_path, qtbot, run_until):
    csv = tmp_path / f"{LONG}.csv"
    csv.write_text("when,host,msg\n2024-01-02T03:04:05Z,web-1,a\n2024-01-02T03:04:06Z,web-2,b\n")
    queued = tmp_path / f"{LONG}-sent.ndjson"
    queued.write_text("".join(f'{{"n": {i}}}\n' for i in range(50)))
    queue = window.queue_panel
    (entry,) = queue.add_jobs([(Source.from_path(queued), Plan.from_sniff(sniff_path(queued)))])
    run_until(qtbot, lambda: entry.is_finished, 10000)
    queue.select(entry)
    panel = window.drop_panel
    panel.add_paths([csv])
    run_until(qtbot, lambda: panel.cards() and not panel.cards()[0].sniffing, 10000)
    card = panel.cards()[0]
    run_until(qtbot, lambda: panel.preview.card is card)

    assert window.minimumSizeHint().width() <= NARROW
    assert narrowed(window, qtbot) == NARROW

    viewport = panel.cards_scroll.viewport()
    for control in (card.remove_button, card.encoding_combo, card.time_box.zone_combo, card.format_combo,
                    card.timestamp_combo):
        assert shown_in(control, viewport), control.accessibleName()
    assert shown_in(panel.send_button, window.centralWidget())

    title = panel.preview.title  # the file's name shortened with "…", whole in the tooltip
    assert "…" in title.text() and title.full_text() == f"Preview — {csv.name}"
    assert title.fontMetrics().horizontalAdvance(title.text()) <= title.width()
    assert csv.name in title.toolTip()

    view = queue.view  # every column in view, the File column given what is left, its name elided
    header = view.horizontalHeader()
    assert view.horizontalScrollBar().maximum() == 0
    assert header.length() <= view.viewport().width()
    assert header.sectionSize(0) >= 120
    for button in (queue.pause_button, queue.retry_button, queue.remove_button, queue.clear_button):
        assert shown_in(button, queue), button.text()
    assert shown_in(queue.details.export_button, queue)
