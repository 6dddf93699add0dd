"""The file card's typed-columns control (#13): a clearly typed CSV's card offers typed values
(on, as suggested), the preview names each typed column and shows the values as they will be
sent, and the user can turn it off, change a column's type, and choose what empty cells become."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.ui.files.drop_panel import DropPanel

TYPED_CSV = "time;host;duration_ms;ok;price\n" + "".join(
    f"2024-01-02T03:04:{i:02d}Z;web-{i % 3};{i * 10};{'true' if i % 2 else 'false'};{i},5{'' if i else ''}\n"
    for i in range(20)).replace(";0,5\n", ";\n", 1)


@pytest.fixture
def panel(connected_widget):
    return connected_widget(DropPanel, "web-logs", (1100, 600))


def header(model, field):
    return model.headerData(model.fields().index(field), Qt.Orientation.Horizontal)


def test_typed_columns_are_offered_shown_and_overridable(panel, tmp_path, qtbot, run_until):
    path = tmp_path / "typed.csv"
    path.write_text(TYPED_CSV)
    panel.add_paths([path])
    run_until(qtbot, lambda: not panel.busy() and len(panel.cards()) == 1, 10000)
    card = panel.cards()[0]
    model = panel.preview.model
    run_until(qtbot, lambda: model.rowCount() == 20, 10000)
    assert card.typed.isVisible() and card.typed.check.isChecked()
    assert header(model, "duration_ms") == "duration_ms (number)" and header(model, "host") == "host"
    assert header(model, "price") == "price (number (decimal comma))"
    assert model.cell_text(1, "ok") == "true" and model.cell_text(3, "price") == "3.5"
    assert model.cell_text(0, "price") == ""  # the empty cell, left out
    assert "typed columns as numbers and booleans" in panel.preview.note.text()
    plan = card.plan()
    assert plan.csv_types == {"duration_ms": "number", "ok": "boolean", "price": "number (decimal comma)"}

    # the user says "ok" is text, and empty cells are null
    [ok_menu] = [a.menu() for a in card.typed.menu.actions() if a.text() == "ok"]
    [as_text] = [a for a in ok_menu.actions() if a.text().startswith("text")]
    as_text.trigger()
    card.typed.empty.setCurrentIndex(card.typed.empty.findData("null"))
    run_until(qtbot, lambda: header(model, "ok") == "ok", 10000)
    assert model.cell_text(1, "ok") == "true" and model.cell_text(0, "price") == "null"
    plan = card.plan()
    assert plan.csv_types == {"duration_ms": "number", "price": "number (decimal comma)"}
    assert plan.empty_cells == "null"

    # off: sent as CSV as today, every value a string
    card.typed.check.setChecked(False)
    run_until(qtbot, lambda: header(model, "duration_ms") == "duration_ms", 10000)
    assert model.cell_text(3, "price") == "3,5" and card.plan().csv_types == {}
    assert not card.typed.columns.isEnabled()
