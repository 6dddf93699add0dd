"""The time choices of a plan: the zone of zone-less times and the order of ambiguous dates."""

import pytest

from app.core.plan import Overrides, check_plan_times, plan_for
from app.core.sniff import sniff_bytes


def sniffed(text: str):
    return sniff_bytes(text.encode(), "x.csv")


def test_ambiguous_dates_stay_open_until_an_order_is_chosen():
    s = sniffed("n,time\n1,02/12/2026 14:03\n2,03/12/2026 14:04\n")
    plan = plan_for(s)
    assert plan.timestamp_field == "time" and plan.timestamp_format is None
    assert set(plan.date_orders) == {"dmy", "mdy"}
    assert "choose the order" in check_plan_times(s, plan).problem
    chosen = plan_for(s, Overrides(date_order="mdy"))
    assert chosen.timestamp_format == "01/02/2006 15:04" and chosen.date_orders == ()
    assert check_plan_times(s, chosen).problem is None
    assert plan_for(s, Overrides(timestamp_format="02/01/2006 15:04")).date_orders == ()


def test_a_zone_choice_makes_the_app_compute_the_time():
    s = sniffed("n,time\n1,2026-11-01 08:00:00\n")
    assert not plan_for(s).client_time
    plan = plan_for(s, Overrides(time_zone="Europe/Berlin"))
    assert plan.client_time and plan.time_zone.name == "Europe/Berlin"
    with pytest.raises(ValueError):
        plan_for(s, Overrides(time_zone="Nowhere/Else"))


def test_the_journal_keeps_the_time_choices():
    from app.core.journal.store import plan_from_json, plan_to_json

    s = sniffed("n,time\n1,2026-11-01 08:00:00\n")
    plan = plan_for(s, Overrides(time_zone="America/New_York"))
    back = plan_from_json(plan_to_json(plan))
    assert back.time_zone == plan.time_zone and back.client_time
