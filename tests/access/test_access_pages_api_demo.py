"""The pages (dashboard in English and Arabic, board, event form on a phone), the API
for logistics and the public, and the demo's proportions."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest
from django.test import Client

from amanah.access.demo import load_demo_access
from amanah.access.models import Consignment, ConsignmentEvent
from amanah.accounts.models import Role

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from access_factories import ORG, T0, Access, build_access, consignment, make_user
from api_support import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(var_dir: Path) -> Access:
    return build_access()


def test_the_demo_has_realistic_proportions(var_dir: Path) -> None:
    coordinator = make_user("demo-logistics")
    made = load_demo_access(coordinator)
    assert made == 84
    decided = ConsignmentEvent.objects.filter(kind__in=["cleared", "partly_cleared", "denied"])
    denied = decided.filter(kind="denied")
    assert 0.05 < denied.count() / decided.count() < 0.25
    assert any("dual_use" in e.reasons for e in denied)
    assert ConsignmentEvent.objects.filter(kind="turned_back").exists()
    assert ConsignmentEvent.objects.exclude(rejected=[]).exists()
    assert ConsignmentEvent.objects.filter(flagged_out_of_order=True).exists()
    assert Consignment.objects.filter(status="distributed").exists()
    assert ConsignmentEvent.objects.filter(published_index__isnull=False).count() > 300
    # Loading twice adds nothing.
    assert load_demo_access(coordinator) == 0


def test_the_dashboard_shows_charts_in_both_languages(access: Access, client: Client) -> None:
    load_demo_access(access.coordinator)
    english = client.get("/access/")
    assert english.status_code == 200
    assert b"<polyline" in english.content
    assert b'id="by-day-crossing"' in english.content
    arabic = client.get("/ar/access/")
    assert b'dir="rtl"' in arabic.content


def test_the_board_and_the_event_form(access: Access, client: Client) -> None:
    now = datetime.datetime.now(datetime.UTC)
    shipment = consignment(access, at=now - datetime.timedelta(hours=2), now=now)
    client.force_login(access.coordinator)
    board = client.get("/access/consignments/")
    assert board.status_code == 200
    assert b"WFP-1" in board.content
    page = client.get(f"/access/consignments/{shipment.id}/")
    assert b'type="radio"' in page.content
    assert b'name="occurred_at"' in page.content
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(
        f"/access/consignments/{shipment.id}/", {"kind": "crossed", "occurred_at": when}
    )
    assert refused.status_code == 400
    assert "cannot be" in refused.content.decode()
    done = client.post(
        f"/access/consignments/{shipment.id}/", {"kind": "submitted", "occurred_at": when}
    )
    assert done.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == "submitted"
    auditor = make_user("auditor", Role.AUDITOR)
    client.force_login(auditor)
    assert (
        client.post(
            f"/access/consignments/{shipment.id}/", {"kind": "cleared", "occurred_at": when}
        ).status_code
        == 403
    )


def test_the_api_for_logistics(access: Access, client: Client) -> None:
    headers = bearer(access.coordinator)
    body = {
        "external_reference": "API-1",
        "organisation": ORG,
        "crossing": "zikim",
        "warehouse": str(access.warehouse.id),
        "trucks": 2,
        "items": [{"category": "wash", "quantity": "20000", "unit": "l", "weight_kg": "20000"}],
        "requested_at": T0.isoformat(),
    }
    created = client.post(
        "/api/v1/access/consignments", body, content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    identifier = created.json()["id"]
    bad = client.post(
        f"/api/v1/access/consignments/{identifier}/events",
        {"kind": "dispatched", "occurred_at": T0.isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert "kind" in bad.json()["fields"]
    good = client.post(
        f"/api/v1/access/consignments/{identifier}/events",
        {"kind": "submitted", "occurred_at": (T0 + datetime.timedelta(hours=1)).isoformat()},
        content_type="application/json",
        headers=headers,
    )
    assert good.status_code == 201
    listed = client.get("/api/v1/access/consignments", headers=headers).json()
    assert listed["total"] == 1
    assert listed["consignments"][0]["status"] == "submitted"
    partner = make_user("partner", Role.MONITOR)
    assert client.get("/api/v1/access/consignments", headers=bearer(partner)).status_code == 403
    metrics = client.get("/api/v1/access/metrics").json()
    assert metrics["delay_hours"] == 24
