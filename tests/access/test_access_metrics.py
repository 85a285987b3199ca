"""The public metrics on a hand-built dataset: exact medians, nearest-rank 90th
percentiles, denial rate, rejected items, closed days, and the delay."""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from amanah.access import services
from amanah.access.metrics import access_metrics, days_csv, median, percentile_nearest_rank

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_factories import NOW, T0, Access, build_access, consignment, event, hours

pytestmark = pytest.mark.django_db
DAY = T0.date()  # 2026-01-05


def test_median_and_nearest_rank_percentile() -> None:
    assert median([]) is None
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == Decimal("2.5")
    values = list(range(1, 11))  # 1..10
    assert percentile_nearest_rank(values, 90) == 9  # rank ceil(9.0) = 9
    assert percentile_nearest_rank([1, 2, 3], 90) == 3  # rank ceil(2.7) = 3
    assert percentile_nearest_rank([7], 90) == 7


@pytest.fixture
def access(var_dir: Path) -> Access:
    return build_access()


def _cleared(access: Access, ref: str, after: float, *, cross_after: float | None = None) -> None:
    shipment = consignment(access, ref, trucks=2)
    event(access, shipment, "submitted", T0 + hours(1))
    event(access, shipment, "cleared", T0 + hours(after))
    if cross_after is not None:
        event(access, shipment, "dispatched", T0 + hours(after + 1))
        event(
            access,
            shipment,
            "crossed",
            T0 + hours(after + cross_after),
            rejected=[{"category": "food", "quantity": "100", "unit": "kg", "reason": "packaging"}],
        )


def test_figures_by_day_and_crossing_are_exact(access: Access) -> None:
    # Four consignments requested at T0 (08:00 on the 5th), cleared the 6th after 20, 22,
    # 30 and 34 hours... all on the 6th (from 04:00 to 18:00).
    _cleared(access, "A", 20, cross_after=26)  # crossed the 7th, 26 h after clearance
    _cleared(access, "B", 22, cross_after=29)  # 29 h
    _cleared(access, "C", 30)
    _cleared(access, "D", 34)
    denied = consignment(access, "E", trucks=3)
    event(access, denied, "submitted", T0 + hours(1))
    event(access, denied, "denied", T0 + hours(25), reasons=["dual_use"])
    elsewhere = consignment(access, "F", trucks=7, crossing=access.other)
    services.crossing_day_set(crossing="zikim", date=DAY, open=False, actor=access.coordinator)
    assert elsewhere.trucks == 7
    services.access_publish_due(now=NOW)

    figures = access_metrics(now=NOW)

    rows = {(r.date.isoformat(), r.crossing): r for r in figures.days}
    first = rows[("2026-01-05", "kerem_shalom")]
    assert first.trucks_requested == 2 * 4 + 3
    second = rows[("2026-01-06", "kerem_shalom")].to_json()
    assert second["trucks_cleared"] == 8
    assert (second["consignments_decided"], second["consignments_denied"]) == (5, 1)
    assert second["denial_rate"] == Decimal("0.2000")
    # to clearance: 20, 22, 30, 34 hours -> median 26.0, p90 rank ceil(3.6)=4 -> 34.0
    assert second["request_to_clearance_median_hours"] == Decimal("26.0")
    assert second["request_to_clearance_p90_hours"] == Decimal("34.0")
    third = rows[("2026-01-07", "kerem_shalom")].to_json()
    assert third["trucks_crossed"] == 4
    # to crossing: 26 and 29 hours -> median 27.5, p90 rank ceil(1.8)=2 -> 29.0
    assert third["clearance_to_crossing_median_hours"] == Decimal("27.5")
    assert third["clearance_to_crossing_p90_hours"] == Decimal("29.0")
    zikim = rows[("2026-01-05", "zikim")]
    assert (zikim.trucks_requested, zikim.open) == (7, False)
    assert figures.closed_days == {"zikim": 1}
    [rejected] = figures.rejected
    assert (rejected.category, rejected.reason, rejected.rejections, rejected.quantity) == (
        "food",
        "packaging",
        2,
        Decimal("200.000"),
    )
    text = days_csv(figures)
    assert text.splitlines()[1].startswith("#date,#loc+crossing+code")
    assert "2026-01-06,kerem_shalom,,0,8,0,0,5,1,0.2000,26.0,34.0,,\n" in text


def test_only_days_older_than_the_delay_are_public(access: Access) -> None:
    now = datetime.datetime(2026, 1, 6, 12, 0, tzinfo=datetime.UTC)
    consignment(access, "A", now=now)  # requested 2026-01-05 08:00
    services.access_publish_due(now=now)  # 29 h later: published
    # With 24 h, the 5th ended 12 h ago only: not yet public.
    assert access_metrics(now=now).days == []
    assert [r.date for r in access_metrics(now=now + hours(12)).days] == [DAY]
    with override_settings(AMANAH_ACCESS_PUBLIC_DELAY=datetime.timedelta(hours=48)):
        assert access_metrics(now=now + hours(12)).days == []


def test_unpublished_events_do_not_count(access: Access) -> None:
    consignment(access, "A", now=T0 + hours(1))  # not yet due: unpublished
    assert access_metrics(now=NOW).days == []
    services.access_publish_due(now=NOW)
    assert access_metrics(now=NOW).days[0].trucks_requested == 4
