"""`amanah audit` replays the access programme and the construction materials too: the demo
with consignments and materials replays clean and the server agrees with it; an illegal
step of a consignment or stock taken below zero, written into the log, is named; a figure
changed in the database behind the services' back is caught by --against."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from pytest_django.live_server_helper import LiveServer
from typer.testing import CliRunner, Result

from amanah.access.models import ConsignmentEvent
from amanah.access.replay import served_figures as access_served
from amanah.access.selectors import access_metrics_as_of
from amanah.cli.main import app
from amanah.ledger.models import LogEntry
from amanah.ledger.services import integrate_pending, record
from amanah.materials.models import StockMovement
from conftest import DemoLog


@pytest.fixture
def demo_with_access(db: None, var_dir: Path, settings: Any) -> DemoLog:
    """`load_demo` with two days of consignments, and so with construction materials."""
    from django.core.management import call_command

    from amanah.ledger.models import SignedCheckpoint

    settings.AMANAH_MATERIALS_ON_SITE_DAYS = 0
    call_command("load_demo", "--access-days", "2", stdout=StringIO())
    integrate_pending()
    latest = SignedCheckpoint.objects.order_by("-size").first()
    assert latest is not None
    return DemoLog(var_dir, (var_dir / "log-key.pub").read_text().strip(), latest.size)


def amanah(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _audit_json(log: DemoLog, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    mirror = tmp_path / "mirror"
    exported = amanah("log", "export", mirror)
    assert exported.exit_code == 0, exported.output
    result = amanah(
        "audit", mirror, "--key", log.key_text, "--state", tmp_path / "trust", "--json", *extra
    )
    return result.exit_code, json.loads(result.output)


def test_the_demo_replays_clean_with_access_and_materials(
    demo_with_access: DemoLog, tmp_path: Path
) -> None:
    code, report = _audit_json(demo_with_access, tmp_path)

    assert code == 0, report
    size = report["size"]
    access, materials = report["access"], report["materials"]
    assert (access["ok"], access["violations"]) == (True, [])
    assert (materials["ok"], materials["violations"]) == (True, [])
    # The counts the server computes from its database, as of the same log size.
    assert access["figures"] == access_served(
        json.loads(json.dumps(access_metrics_as_of(log_size=size), default=str)), size
    )
    assert sum(day["trucks_requested"] for day in access["figures"]["days"].values()) > 0
    # The demo's school: 12 t of cement released, 9 t used, a flag open.
    school = next(
        line
        for key, line in materials["figures"]["reconciliation"].items()
        if key.startswith("GZ-EDU-0001 ") and key.endswith(" cement")
    )
    assert (school["received"], school["used"], school["unaccounted"]) == ("15", "9", True)

    table = amanah(
        "audit", tmp_path / "mirror", "--key", demo_with_access.key_text,
        "--state", tmp_path / "trust",
    )  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "Humanitarian access, recomputed from the log" in table.output
    assert "Construction materials, recomputed from the log" in table.output


def _forge(kind: str, data: dict[str, Any], actor: str = "test:forger") -> int:
    with transaction.atomic():
        index = record(kind, data, actor=actor).index
    integrate_pending()
    return index


def test_an_illegal_step_and_stock_below_zero_in_the_log_are_named(
    demo_with_access: DemoLog, tmp_path: Path
) -> None:
    # A consignment not yet received, said to be distributed: only a receipt leads there.
    published = ConsignmentEvent.objects.filter(published_index__isnull=False)
    received = published.filter(kind="received").values("consignment_id")
    last = published.exclude(consignment_id__in=received).order_by("-published_index").first()
    assert last is not None
    commitment = _forge("access.event_recorded", {"event": "forged-event"})
    illegal = _forge(
        "access.event_published",
        {
            "event": "forged-event", "recorded_index": commitment,
            "consignment": str(last.consignment_id), "kind": "distributed",
            "on": last.occurred_at.date().isoformat(), "reasons": [], "rejected": [],
            "trucks": None, "out_of_order": False,
        },
        actor="amanah:access-delay",
    )  # fmt: skip
    # 1,000 t of cement returned from a warehouse's stock that never held them.
    receipt = StockMovement.objects.filter(kind="received").first()
    assert receipt is not None
    below_zero = _forge(
        "materials.movement_recorded",
        {
            "movement": "forged-movement", "kind": "returned", "material": "cement",
            "unit": "t", "quantity": "1000", "warehouse": str(receipt.warehouse_id),
            "governorate": receipt.warehouse.governorate, "vendor": str(receipt.vendor_id),
            "project": None, "on": "2026-01-20", "evidence": [],
        },
    )  # fmt: skip

    code, report = _audit_json(demo_with_access, tmp_path)

    assert code == 1
    assert report["ok"] is True  # the board's decisions are fine
    assert report["fund"]["ok"] is True
    assert [(v["index"], v["code"]) for v in report["access"]["violations"]] == [
        (illegal, "illegal_transition")
    ]
    assert f"cannot follow {last.kind}" in report["access"]["violations"][0]["message"]
    assert [(v["index"], v["code"]) for v in report["materials"]["violations"]] == [
        (below_zero, "negative_stock")
    ]
    assert "1000 cement out of stock" in report["materials"]["violations"][0]["message"]


def test_the_server_agrees_with_the_log(
    live_server: LiveServer, demo_with_access: DemoLog, tmp_path: Path
) -> None:
    result = amanah(
        "audit", f"{live_server.url}/log", "--key", demo_with_access.key_text,
        "--state", tmp_path / "trust", "--against", live_server.url, "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for book in ("fund", "access", "materials", "assets"):
        assert report[book]["against"] == {"matches": True, "differences": []}, book
    assert report["access"]["figures"]["days"]
    assert report["materials"]["figures"]["reconciliation"]


def test_figures_changed_in_the_database_are_caught(
    live_server: LiveServer, demo_with_access: DemoLog, tmp_path: Path
) -> None:
    # One more truck crossed, and a tonne more cement used, behind the services' back.
    crossed = ConsignmentEvent.objects.filter(kind="crossed", published_index__isnull=False).first()
    assert crossed is not None
    ConsignmentEvent.objects.filter(pk=crossed.pk).update(trucks=(crossed.trucks or 0) + 1)
    used = StockMovement.objects.filter(kind="used").select_related("project", "material").first()
    assert used is not None
    StockMovement.objects.filter(pk=used.pk).update(quantity=used.quantity + 1)
    assert LogEntry.objects.count() > 0

    result = amanah(
        "audit", f"{live_server.url}/log", "--key", demo_with_access.key_text,
        "--state", tmp_path / "trust", "--against", live_server.url, "--json",
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["ok"] is True
    assert report["access"]["violations"] == []
    assert report["materials"]["violations"] == []
    day = f"{crossed.occurred_at.date().isoformat()} {crossed.consignment.crossing.code}"
    assert any(
        line.startswith(f"days.{day}.trucks_crossed: served ")
        for line in report["access"]["against"]["differences"]
    ), report["access"]["against"]
    line = f"{used.project.code} {used.vendor_id} {used.material.code}"
    assert any(
        d.startswith(f"reconciliation.{line}.used: served ")
        for d in report["materials"]["against"]["differences"]
    ), report["materials"]["against"]
    assert report["fund"]["against"]["matches"] is True
