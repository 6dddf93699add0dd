"""The Paste JSON tab: what the validation line says, sending, the history, the status bar."""

import json

from app.core import paste
from app.core.paste import HistoryEntry
from app.ui.paste import paste_tab
from app.ui.paste.editor import LARGE_PASTE
from app.ui.paste.history_model import HistoryModel


def test_validation_in_the_tab_and_click_moves_the_cursor(window, qtbot, run_until):
    tab = window.paste_tab
    window.tabs.setCurrentWidget(tab)
    tab.editor.setPlainText('{"a": 1}\n{"a": 2}\n{"a": 3}\n{"a": 4, "b": x}\n')
    run_until(qtbot, lambda: tab.validation is not None)
    assert tab.validation_text() == "Line 4, column 15: unexpected character, expected a JSON value"
    assert "<a " in tab.validation_label.text()  # the position is a link
    tab.validation_label.linkActivated.emit("#problem")
    cursor = tab.editor.textCursor()
    assert (cursor.blockNumber() + 1, cursor.positionInBlock() + 1) == (4, 15)
    assert not tab.send_button.isEnabled()

    tab.editor.setPlainText('{"a": 1}\n{"a": 2}\n{"a": 3}\n')
    assert tab.validation is None  # the old answer is gone at once
    run_until(qtbot, lambda: tab.validation is not None)
    assert tab.validation_text() == "✓ 3 events (NDJSON)"


def test_typing_is_debounced_and_stale_answers_dropped(window, qtbot, run_until, monkeypatch):
    calls = []
    real = paste.validate_text
    monkeypatch.setattr(paste, "validate_text", lambda t: calls.append(t) or real(t))
    tab = window.paste_tab
    for i in range(1, 6):
        tab.editor.setPlainText('{"a": %d}' % i)  # quicker than the 300 ms debounce
    run_until(qtbot, lambda: tab.validation is not None)
    qtbot.wait(400)
    assert calls == ['{"a": 5}']
    assert tab.validation_text() == "✓ 1 event (JSON object)"


def test_send_shows_counts_stores_events_keeps_history_and_rate_limit(window, ctx, sandbox, qtbot, run_until, run_coro):
    run_coro(qtbot, ctx.client().create_dataset("pasted"))
    ctx.set_dataset("pasted")
    tab = window.paste_tab
    window.tabs.setCurrentWidget(tab)
    text = '{"level": "info", "n": 1}\n{"level": "warn", "n": 2}\n{"level": "error", "n": 3}\n'
    tab.editor.setPlainText(text)
    run_until(qtbot, lambda: tab.send_button.isEnabled())
    window.send_action.trigger()  # Ctrl+Return
    run_until(qtbot, lambda: "ingested" in tab.result_label.text(), 15000)
    assert tab.result_label.text().startswith("✓ Sent to pasted: 3 ingested, 0 failed")
    assert [e["n"] for e in sandbox.events("pasted")] == [1, 2, 3]

    # The history: on screen, on disk (without the token), and re-sendable.
    run_until(qtbot, lambda: tab.history_model.rowCount() == 1)
    lines = paste.history_path().read_text().splitlines()
    assert len(lines) == 1
    stored = json.loads(lines[0])
    assert (stored["dataset"], stored["ingested"], stored["failed"], stored["text"]) == ("pasted", 3, 0, text)
    assert ctx.client() is not None and sandbox.token not in paste.history_path().read_text()

    # The status bar shows the rate-limit figures of the last answer.
    sb = window.status_bar
    run_until(qtbot, lambda: sb.rate_label.isVisible())
    assert sb.rate_label.text().startswith("Rate limit: ")
    assert "this minute" in sb.rate_label.text()

    tab.editor.clear()
    tab.search_edit.setText("warn")
    assert tab.history_proxy.rowCount() == 1
    tab.search_edit.setText("no such thing")
    assert tab.history_proxy.rowCount() == 0
    tab.search_edit.clear()
    tab.history_view.setCurrentIndex(tab.history_proxy.index(0, 0))
    assert tab.again_button.isEnabled()
    tab.again_button.click()
    run_until(qtbot, lambda: tab.history_model.rowCount() == 2, 15000)
    assert [e["n"] for e in sandbox.events("pasted")] == [1, 2, 3, 1, 2, 3]

    # Double-click loads the text back.
    tab.history_view.doubleClicked.emit(tab.history_proxy.index(0, 0))
    assert tab.editor.toPlainText() == text


def test_history_survives_a_restart(window, ctx, qtbot, run_until):
    entry = HistoryEntry(time=1.0e9, dataset="old", profile="Local sandbox", text='{"x": 1}',
                         events=1, ingested=1, summary='{"x": 1}')
    paste.append_history(entry)
    from app.ui.paste.paste_tab import PasteTab

    tab = PasteTab(ctx)
    qtbot.addWidget(tab)
    run_until(qtbot, lambda: tab.history_model.rowCount() == 1)
    assert "old" in tab.history_model.data(tab.history_model.index(0, 0))
    assert "1 ingested, 0 failed" in tab.history_model.data(tab.history_model.index(0, 0))


def _paste_into_missing(window, ctx, sandbox, qtbot, run_until):
    sandbox.auto_create = False  # as Axiom: ingest into an unknown dataset is a 404
    ctx.set_dataset("nope")
    tab = window.paste_tab
    tab.editor.setPlainText('{"a": 1}\n{"a": 2}')
    run_until(qtbot, lambda: tab.send_button.isEnabled())
    tab.send()
    run_until(qtbot, lambda: tab.missing_box is not None and tab.missing_box.isVisible(), 15000)
    assert tab.missing_box.text() == "Dataset “nope” does not exist. Create it?"
    assert tab.result_label.text().startswith("Not sent to nope: dataset 'nope' does not exist (404")
    assert "create it, then “Send again”" in tab.result_label.text()
    return tab


def test_send_to_an_unknown_dataset_asks_and_declining_sends_nothing(window, ctx, sandbox, qtbot, run_until):
    tab = _paste_into_missing(window, ctx, sandbox, qtbot, run_until)
    [no] = [b for b in tab.missing_box.buttons() if b.text() == "Not now"]
    no.click()
    run_until(qtbot, lambda: tab.missing_box is None)
    assert "nope" not in sandbox.datasets() and sandbox.events("nope") == []
    run_until(qtbot, lambda: tab.history_model.rowCount() == 1)  # kept for "Send again"


def test_send_to_an_unknown_dataset_asks_and_accepting_creates_and_sends(window, ctx, sandbox, qtbot, run_until):
    tab = _paste_into_missing(window, ctx, sandbox, qtbot, run_until)
    tab.missing_box.create_button.click()
    run_until(qtbot, lambda: len(sandbox.events("nope")) == 2, 15000)
    assert "nope" in sandbox.datasets()
    run_until(qtbot, lambda: tab.result_label.text().startswith("✓ Sent to nope: 2 ingested, 0 failed"), 10000)


def test_history_model_passes_qtmodeltester(qtmodeltester):
    model = HistoryModel()
    model.set_entries([HistoryEntry(time=1.0e9 + i, dataset=f"d{i}", profile="p", text="{}") for i in range(3)])
    qtmodeltester.check(model)
    model.prepend(HistoryEntry(time=2.0e9, dataset="new", profile="p", text=None))
    qtmodeltester.check(model)


def test_history_search_proxy_passes_qtmodeltester(window, qtmodeltester):
    """The tab's filtered history (what the list view shows), with real-looking sends, filtered and not."""
    tab = window.paste_tab
    texts = ['{"level": "info", "msg": "deploy started"}\n{"level": "warn", "msg": "slow disk"}\n',
             '[{"user": "ana", "action": "login"}, {"user": "bo", "action": "logout"}]',
             '{"_time": "2026-07-01T12:00:00Z", "level": "error", "msg": "timeout"}']
    entries = [HistoryEntry(time=1.78e9 + 60 * i, dataset=ds, profile="Local sandbox", text=t, events=n,
                            ingested=n - f, failed=f, size=len(t), summary=t.replace("\n", " ")[:90])
               for i, (ds, t, n, f) in enumerate([("web-logs", texts[0], 2, 0), ("audit", texts[1], 2, 1),
                                                   ("web-logs", texts[2], 1, 0)])]
    entries.append(HistoryEntry(time=1.78e9 + 600, dataset="bulk", profile="Local sandbox", text=None,
                                events=250_000, ingested=0, failed=0, error="429 rate limited", size=30_000_000,
                                summary="(too large to keep)"))
    tab.history_model.set_entries(entries)
    assert tab.history_proxy.rowCount() == 4
    qtmodeltester.check(tab.history_proxy)
    tab.search_edit.setText("web-logs")
    assert tab.history_proxy.rowCount() == 2
    qtmodeltester.check(tab.history_proxy)
    tab.history_model.prepend(HistoryEntry(time=1.78e9 + 900, dataset="web-logs", profile="Local sandbox",
                                           text=texts[0], events=2, ingested=2, size=len(texts[0])))
    assert tab.history_proxy.rowCount() == 3
    qtmodeltester.check(tab.history_proxy)


def test_status_bar_texts():
    from types import SimpleNamespace as NS

    from app.ui.shell.statusbar import ingest_limit_text, rate_limit_text

    import time as _t
    from datetime import datetime

    reset = int(_t.time()) + 90
    assert rate_limit_text(NS(scope="user", limit=100, remaining=95, reset=reset)) == (
        f"Rate limit: 95/100 this minute, resets {datetime.fromtimestamp(reset):%H:%M}")
    assert ingest_limit_text(NS(limit=500_000_000_000, remaining=4_200_000_000, reset=None)) == (
        "Monthly ingest: 4.2 GB of 500.0 GB left")


def test_a_large_paste_is_held_aside_validated_and_sent_whole(window, ctx, sandbox, qtbot, run_until):
    """A multi-megabyte paste: the editor shows its head (no frozen window), the whole text is
    validated and sent, and "Edit all" loads it for editing."""
    from PySide6.QtCore import QMimeData

    tab = window.paste_tab
    window.tabs.setCurrentWidget(tab)
    ctx.set_dataset("bigpaste")
    lines = [json.dumps({"n": i, "pad": "x" * 60}) for i in range(1, 20_001)]
    text = "\n".join(lines) + "\n"
    assert len(text) > LARGE_PASTE
    mime = QMimeData()
    mime.setText(text)
    tab.editor.insertFromMimeData(mime)  # what Ctrl+V into the editor does
    assert tab.large_bar.isVisible() and "Large paste" in tab.large_label.text()
    assert tab.editor.document().blockCount() <= paste_tab.PREVIEW_LINES + 1
    assert tab.editor.isReadOnly()
    run_until(qtbot, lambda: tab.validation is not None, 15000)
    assert tab.validation_text() == "✓ 20000 events (NDJSON)"
    run_until(qtbot, lambda: tab.send_button.isEnabled())
    tab.send_button.click()
    run_until(qtbot, lambda: "ingested" in tab.result_label.text(), 30000)
    assert sorted(e["n"] for e in sandbox.events("bigpaste")) == list(range(1, 20_001))

    tab.edit_all()
    assert not tab.large_bar.isVisible() and not tab.editor.isReadOnly()
    assert tab.editor.document().blockCount() >= 20_000
