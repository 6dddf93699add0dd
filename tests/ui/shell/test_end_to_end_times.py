"""Through the window: a day-first file with its order chosen on the card and a zone chosen for
its zone-less times lands in the sandbox at the instants the file means."""

from __future__ import annotations

DATASET = "times"


def test_day_first_dates_in_a_chosen_zone_are_stored_at_their_instants(window, ctx, sandbox, tmp_path, qtbot,
                                                                      run_until):
    path = tmp_path / "berlin.csv"
    path.write_text("n,when,msg\n1,02/12/2026 14:03,a\n2,03/07/2026 09:30,b\n")  # either order fits
    ctx.set_dataset(DATASET)
    drop = window.drop_panel
    drop.add_paths([path])
    run_until(qtbot, lambda: len(drop.cards()) == 1 and not drop.busy(), 10000)
    [card] = drop.cards()
    box = card.time_box
    box.order_combo.setCurrentIndex(box.order_combo.findData("dmy"))
    box.zone_combo.setCurrentIndex(box.zone_combo.findData("Europe/Berlin"))
    assert "'02/12/2026 14:03' → 2026-12-02 14:03:00 Europe/Berlin = 2026-12-02 13:03:00 UTC" in box.reading.text()

    window.send_action.trigger()
    [entry] = window.queue_panel.entries()
    run_until(qtbot, lambda: entry.is_finished, 20000)
    stored = {e["n"]: e for e in sandbox.events(DATASET)}
    assert stored["1"]["_time"] == "2026-12-02T13:03:00Z"   # winter: +01:00
    assert stored["2"]["_time"] == "2026-07-03T07:30:00Z"   # summer: +02:00
    assert stored["1"]["when"] == "02/12/2026 14:03"
