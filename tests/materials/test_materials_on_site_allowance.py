"""The allowance on site (AMANAH_MATERIALS_ON_SITE_DAYS): material released to a contractor
less than that many days ago is "on site, within the allowance", not unaccounted; once the
allowance passes unreported it counts towards the gap and may raise the flag, after the
next accounting movement or from `amanah materials check-flags`. Time is passed in as
`today`, never waited for."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.test import Client
from materials_factories import DAY, Setup, build, entries, move
from typer.testing import CliRunner

from amanah.cli.main import app
from amanah.materials import reconcile, services
from amanah.materials.demo import load_demo_materials
from amanah.materials.models import UnaccountedFlag

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def s(settings, var_dir: Path) -> Setup:  # type: ignore[no-untyped-def]
    settings.AMANAH_MATERIALS_ON_SITE_DAYS = 30
    return build()


def _released(s: Setup, quantity: str = "42") -> None:
    move(s, "received", "50")
    move(s, "allocated", "45")
    move(s, "released", quantity)


def _totals(s: Setup, today: datetime.date) -> reconcile.Totals:
    return services.reconciliation(s.housing, s.vendor, s.cement, today=today)


# --- the pure rule -------------------------------------------------------------------------


def test_the_latest_releases_are_the_ones_still_on_site() -> None:
    today = datetime.date(2026, 3, 1)
    releases = [(today - days(40), D(10)), (today - days(5), D(4)), (today, D(2))]
    # 16 released, 9 accounted for: the 7 left are the 6 released lately and 1 of the old.
    assert reconcile.within_allowance(releases, with_contractor=D(7), today=today, days=30) == 6
    # 3 left: all recent.
    assert reconcile.within_allowance(releases, with_contractor=D(3), today=today, days=30) == 3
    # Released exactly 30 days ago is past a 30-day allowance; 29 is not.
    edge = [(today - days(30), D(1)), (today - days(29), D(2))]
    assert reconcile.within_allowance(edge, with_contractor=D(3), today=today, days=30) == 2
    assert reconcile.within_allowance(edge, with_contractor=D(3), today=today, days=0) == 0
    assert reconcile.within_allowance([], with_contractor=D(-1), today=today, days=30) == 0
    with pytest.raises(ValueError, match="negative"):
        reconcile.within_allowance(edge, with_contractor=D(3), today=today, days=-1)


def test_on_site_within_the_allowance_is_not_part_of_the_gap() -> None:
    totals = reconcile.Totals(
        received=D(45), used=D(40), in_stock=D(3), on_site_within_allowance=D(2)
    )
    assert totals.with_contractor == 2
    assert totals.gap == 0
    assert not reconcile.beyond_tolerance(totals, D("0.02"))


# --- the services --------------------------------------------------------------------------


def test_a_release_within_the_allowance_raises_no_flag(s: Setup) -> None:
    _released(s)
    move(s, "used", "40")  # 2 of 45 left with the contractor, released today
    assert not UnaccountedFlag.objects.exists()
    totals = _totals(s, DAY)
    assert (totals.on_site_within_allowance, totals.gap) == (2, 0)
    # The daily check the day before the allowance runs out raises nothing either.
    assert services.flags_check(today=DAY + days(29)) == 0
    assert not UnaccountedFlag.objects.exists()


def test_after_the_allowance_the_check_raises_the_flag(s: Setup) -> None:
    _released(s)
    move(s, "used", "40")
    assert services.flags_check(today=DAY + days(30)) == 1
    flag = UnaccountedFlag.objects.get()
    assert (flag.gap, flag.received) == (2, 45)
    raised = entries()[-1]
    assert raised["type"] == "amanah.materials.flag_raised.v1"
    assert raised["data"]["after_movement"] is None
    assert raised["data"]["on"] == (DAY + days(30)).isoformat()
    assert raised["data"]["on_site_days"] == 30
    assert raised["data"]["on_site_within_allowance"] == "0"
    assert raised["data"]["gap"] == "2"
    # Run again: the flag is open, nothing more is raised.
    assert services.flags_check(today=DAY + days(31)) == 0


def test_a_use_report_after_the_allowance_raises_the_flag_itself(s: Setup) -> None:
    _released(s)
    services.movement_record(
        kind="used",
        material="cement",
        warehouse=s.access.warehouse.id,
        vendor=s.vendor.id,
        quantity="30",
        occurred_on=DAY + days(35),
        project="GZ-HOU-0001",
        actor=s.partner,
        today=DAY + days(35),
    )
    assert UnaccountedFlag.objects.get().gap == 12


def test_a_use_report_within_the_allowance_takes_it_off_the_site(s: Setup) -> None:
    _released(s)
    assert _totals(s, DAY).on_site_within_allowance == 42
    move(s, "used", "30")
    assert _totals(s, DAY).on_site_within_allowance == 12
    move(s, "returned", "2", project="GZ-HOU-0001")
    move(s, "used", "10")
    totals = _totals(s, DAY)
    assert (totals.on_site_within_allowance, totals.gap) == (0, 0)
    # Nothing is left on site: the allowance running out changes nothing.
    assert services.flags_check(today=DAY + days(90)) == 0


def test_the_command_checks_with_the_real_clock(s: Setup) -> None:
    _released(s, "10")  # released on DAY, long before the real today
    done = CliRunner().invoke(app, ["materials", "check-flags"])
    assert done.exit_code == 0, done.output
    assert "Flags raised: 1." in done.output
    assert UnaccountedFlag.objects.get().gap == 10


def test_pages_and_api_show_what_is_on_site_within_the_allowance(s: Setup, client: Client) -> None:
    _released(s)
    move(s, "used", "40")
    page = client.get("/materials/").content.decode()
    assert "On site, within allowance" in page
    assert "30 days" in page
    project = client.get("/materials/projects/GZ-HOU-0001/").content.decode()
    assert "On site, within allowance" in project
    # On the real today the allowance of a January release has long passed.
    body = client.get("/api/v1/materials/reconciliation?project=GZ-HOU-0001").json()
    assert body["on_site_days"] == 30
    (line,) = body["lines"]
    assert (D(line["on_site_within_allowance"]), D(line["gap"])) == (0, 2)


def test_the_api_shows_material_still_within_the_allowance(settings, client: Client) -> None:  # type: ignore[no-untyped-def]
    settings.AMANAH_MATERIALS_ON_SITE_DAYS = 100_000  # so that DAY's release is still recent
    s = build()
    _released(s)
    move(s, "used", "40")
    (line,) = client.get("/api/v1/materials/reconciliation").json()["lines"]
    assert (D(line["on_site_within_allowance"]), D(line["gap"])) == (2, 0)
    assert line["unaccounted"] is False


@pytest.mark.parametrize("allowance", [30, 7, 0])
def test_the_demo_still_has_exactly_one_gap(settings, var_dir: Path, allowance: int) -> None:  # type: ignore[no-untyped-def]
    settings.AMANAH_MATERIALS_ON_SITE_DAYS = allowance
    s = build()
    assert load_demo_materials(s.logistics, s.monitor, s.partner) == 15
    (flag,) = UnaccountedFlag.objects.all()
    assert (flag.project.code, flag.gap) == ("GZ-EDU-0001", 3)
    # The daily check adds nothing: the homes' 0.2 t left on site is within the tolerance.
    assert services.flags_check() == 0
    assert UnaccountedFlag.objects.count() == 1
