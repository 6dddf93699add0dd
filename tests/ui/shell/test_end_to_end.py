"""The whole trip through the window: drop three files at once, check the cards, send them, and
compare what the queue and the details say with what the sandbox stored."""

from __future__ import annotations

import json
import re

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.core.failures import ERROR_FIELD, LINE_FIELD, RECORD_FIELD
from app.ui.queue.queue_model import QueueModel

DATASET = "e2e"

NDJSON_EVENTS = [{"_time": f"2024-03-01T10:00:{i:02d}Z", "service": "api", "status": 200 + i % 3, "req": i}
                 for i in range(25)]
CSV_TEXT = ("\ufefftime;host;status;bytes\n"
            + "".join(f"2024-03-01T11:00:{i:02d}Z;web-{i % 2};{200 if i % 4 else 503};{100 * i}\n" for i in range(12)))
JSON_ARRAY_TEXT = """[
  {"order": "A-1", "total": 12.5, "created": 1709290800},
  42,
  {"order": "A-2", "total": 7.25, "created": 1709290801, "items": [{"sku": "x", "qty": 2}]},
  "oops",
  {"order": "A-3", "total": 99.0, "created": 1709290802}
]
"""


def strip_system(event: dict) -> dict:
    return {k: v for k, v in event.items() if k not in ("_time", "_sysTime")}


def test_drop_three_files_send_and_check_every_count(window, ctx, sandbox, tmp_path, qtbot, run_until, qtmodeltester):
    nd = tmp_path / "api.ndjson"
    nd.write_text("".join(json.dumps(e) + "\n" for e in NDJSON_EVENTS))
    csv = tmp_path / "hosts.csv"
    csv.write_text(CSV_TEXT, encoding="utf-8")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    arr = tmp_path / "orders.json"
    arr.write_text(JSON_ARRAY_TEXT)

    ctx.set_dataset(DATASET)
    drop = window.drop_panel
    queue = window.queue_panel

    # Three files dropped at once.
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (nd, csv, arr)])
    event = QDropEvent(QPointF(40, 40), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    drop.dropEvent(event)
    assert event.isAccepted()
    run_until(qtbot, lambda: len(drop.cards()) == 3 and not drop.busy(), 10000)
    cards = {c.name: c for c in drop.cards()}
    assert cards["api.ndjson"].summary.text().startswith("NDJSON · UTF-8 · 25 events")
    assert cards["hosts.csv"].summary.text().startswith("CSV · semicolon-separated · with a header · UTF-8 with BOM · 12 events")
    assert cards["orders.json"].summary.text().startswith("JSON array · UTF-8")
    assert drop.send_button.text() == f"Send 3 files to {DATASET}"

    # The CSV preview shows the columns as they will be sent (no BOM in the first name).
    cards["hosts.csv"].clicked.emit(cards["hosts.csv"])
    run_until(qtbot, lambda: drop.preview.model.rowCount() == 12, 5000)
    assert drop.preview.model.fields() == ["time", "host", "status", "bytes"]
    assert drop.preview.model.cell_text(4, "status") == "503"
    qtmodeltester.check(drop.preview.model)

    # Send with the keyboard shortcut's action.
    window.send_action.trigger()
    run_until(qtbot, lambda: len(queue.entries()) == 3, 5000)  # after the check for files sent before
    entries = {e.name: e for e in queue.entries()}
    assert sorted(entries) == ["api.ndjson", "hosts.csv", "orders.json"]
    assert drop.cards() == []
    run_until(qtbot, lambda: all(e.is_finished for e in entries.values()), 20000)
    qtbot.wait(150)

    model = queue.model

    def row(name):
        r = model.row_of(entries[name])
        return {h: model.data(model.index(r, c)) for c, h in enumerate(QueueModel.HEADERS)}

    assert row("api.ndjson") == {"File": "api.ndjson", "Dataset": DATASET, "Format": "NDJSON", "Size": row("api.ndjson")["Size"],
                                 "Progress": "100 %", "Ingested": "25", "Failed": "0", "Status": "done",
                                 "Speed": row("api.ndjson")["Speed"], "Time": row("api.ndjson")["Time"]}
    assert re.fullmatch(r"\d+:\d\d", row("api.ndjson")["Time"])  # elapsed; no ETA once finished
    assert re.fullmatch(r"[\d.]+ (B|KB|MB|GB)/s", row("api.ndjson")["Speed"])
    assert (row("hosts.csv")["Ingested"], row("hosts.csv")["Failed"], row("hosts.csv")["Status"],
            row("hosts.csv")["Format"]) == ("12", "0", "done", "CSV (;)")
    assert (row("orders.json")["Ingested"], row("orders.json")["Failed"], row("orders.json")["Status"],
            row("orders.json")["Format"]) == ("3", "2", "done with failures", "JSON array")
    assert queue.summary.text() == "3 files · 40 ingested · 2 failed"
    qtmodeltester.check(model)

    # The details name the two bad elements by their line in the array file.
    queue.select(entries["orders.json"])
    details = queue.details
    fm = details.failures
    assert fm.rowCount() == 2
    assert [fm.data(fm.index(r, 0)) for r in range(2)] == ["3", "5"]
    assert [fm.data(fm.index(r, 2)) for r in range(2)] == ["42", '"oops"']
    reasons = [fm.data(fm.index(r, 1)) for r in range(2)]
    assert all(reason for reason in reasons)
    assert details.tabs.tabText(0) == "Failures (2)"
    assert "3 ingested · 2 failed" in details.summary.text()

    # Export the failed rows: what they were and why, ready to fix.
    out = tmp_path / "orders-failed.ndjson"
    assert details.export_to(str(out)) == 2
    exported = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x[LINE_FIELD], x[RECORD_FIELD]) for x in exported] == [(3, "42"), (5, '"oops"')]
    assert [x[ERROR_FIELD] for x in exported] == reasons

    # The sandbox holds exactly the good events. The chosen time field becomes the event's _time
    # (NDJSON: _time; CSV: "time"; the array: "created", epoch seconds), the rest is kept as sent.
    stored = sandbox.events(DATASET)
    assert len(stored) == 40
    expected_nd = [(e["_time"], strip_system(e)) for e in NDJSON_EVENTS]
    # the CSV is clearly typed (12 rows of numbers): status and bytes arrive as numbers (#13)
    expected_csv = [(f"2024-03-01T11:00:{i:02d}Z", {"host": f"web-{i % 2}", "status": 200 if i % 4 else 503,
                                                   "bytes": 100 * i}) for i in range(12)]
    good = [json.loads(line.strip().rstrip(",")) for line in JSON_ARRAY_TEXT.splitlines()[1:-1]
            if line.strip().startswith("{")]
    expected_arr = [(f"2024-03-01T11:00:{e['created'] - 1709290800:02d}Z",
                     {k: v for k, v in e.items() if k != "created"}) for e in good]

    def key(pair):
        when, event = pair
        return when[:19], json.dumps(event, sort_keys=True)

    got = sorted(key((e["_time"], strip_system(e))) for e in stored)
    want = sorted(key(p) for p in expected_nd + expected_csv + expected_arr)
    assert got == want
