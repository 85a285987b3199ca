"""The demo's assets: in all five governorates, named as buildings and marked as demo data,
one restored and one damaged again, their points private and in their governorates; the
audit's replay of the demo log gives the damage table the server serves, with no violation."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from amanah.assets.demo import DAMAGED_AGAIN, DEMO_ASSETS, RESTORED, load_demo_assets
from amanah.assets.models import Asset
from amanah.assets.replay import AssetsBook, served_figures
from amanah.assets.selectors import damage_by_governorate, log_size_now
from amanah.ledger.models import LogEntry
from amanah.reference.geography import governorates, point_in_governorate
from conftest import DemoLog

pytestmark = pytest.mark.django_db


def test_the_demo_has_damage_in_every_governorate_one_restored_one_damaged_again(
    demo_log: DemoLog,
) -> None:
    table = damage_by_governorate()

    assert Asset.objects.count() == len(DEMO_ASSETS)
    for pcode in (g.pcode for g in governorates()):
        line = table.by_governorate[pcode]
        assert line.assets > 0, pcode
        assert line.not_assessed == 0, pcode
    assert table.total.damaged > table.total.assets // 2  # mostly damaged, by UNOSAT's scale
    assert table.total.by_condition["restored"] == 1
    assert table.total.damaged_again == 1
    restored, again = Asset.objects.get(code=RESTORED), Asset.objects.get(code=DAMAGED_AGAIN)
    assert restored.condition == "restored"
    assert restored.assessments.get(condition="restored").recorded_by.username == "demo-monitor"
    assert (again.condition, again.project and again.project.code) == ("severe", "GZ-WSH-0001")
    # Both Gaza City schools projects (the fund's, GZ-EDU-0001, and the round's) rebuild
    # Gaza City schools; every link is to a project in the asset's governorate.
    linked = Asset.objects.filter(project__isnull=False).select_related("project")
    assert all(a.project and a.project.governorate == a.governorate for a in linked)
    schools = linked.filter(project__sector="education", project__governorate="PS0260")
    assert schools.filter(kind="school").count() == 4
    assert len({a.project_id for a in schools}) == 2
    assert Asset.objects.get(code=RESTORED).project.code == "GZ-EDU-0001"  # type: ignore[union-attr]
    for asset in Asset.objects.all():
        assert asset.name_en.endswith(" (demo)"), asset.code
        assert asset.name_ar.endswith(" (تجريبي)"), asset.code
        assert asset.condition_on is not None
        assert (
            asset.condition_on
            <= LogEntry.objects.get(index=asset.registered_index).recorded_at.date()
        )
        if asset.latitude is not None and asset.longitude is not None:
            assert point_in_governorate(
                float(asset.latitude), float(asset.longitude), asset.governorate
            ), asset.code
    assert Asset.objects.filter(latitude__isnull=False).count() >= 10
    # The points stay out of the log.
    raw = b"".join(bytes(row.entry) for row in LogEntry.objects.filter(kind="asset.registered"))
    assert b"34.445" not in raw
    assert b"latitude" not in raw


def test_loading_the_demo_assets_twice_adds_nothing(demo_log: DemoLog) -> None:
    from amanah.accounts.models import User

    size = LogEntry.objects.count()
    secretariat = User.objects.get(username="demo-secretariat")
    monitor = User.objects.get(username="demo-monitor")

    assert load_demo_assets(secretariat, monitor) == 0
    assert LogEntry.objects.count() == size


def test_the_replay_of_the_demo_log_is_the_damage_table_the_server_serves(
    demo_log: DemoLog, client: Client
) -> None:
    book = AssetsBook()
    for row in LogEntry.objects.filter(index__lt=demo_log.size).order_by("index"):
        book.entry(row.index, json.loads(bytes(row.entry)))

    assert book.violations == []
    response = client.get("/api/v1/assets/damage", {"log_size": demo_log.size})
    assert response.status_code == 200
    assert book.figures() == served_figures(response.json(), demo_log.size)
    assert book.figures()["total"]["assets"] == len(DEMO_ASSETS)


def test_the_table_kept_on_the_rows_is_the_table_replayed_from_every_assessment(
    demo_log: DemoLog,
) -> None:
    # The pages read each row's condition and "damaged again"; the audit's --against reads
    # the history at a log size. At the log's current size the two must be one table.
    for kind in ("", "school", "water"):
        kept = damage_by_governorate(kind)
        replayed = damage_by_governorate(kind, log_size=log_size_now())
        assert kept == replayed
    assert damage_by_governorate().total.damaged_again == 1
