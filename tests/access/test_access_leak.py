"""THE LEAK TEST: warehouse names and locations, planned dates and routes, exact times,
item descriptions, notes and staff never appear on public pages, in API answers to
anonymous users, in CSV exports or in the log."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

from amanah.access import services
from amanah.accounts.models import User
from amanah.ledger.models import LogEntry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_factories import (
    NOW,
    ROUTE,
    T0,
    WAREHOUSE_LOCATION,
    WAREHOUSE_NAME,
    build_access,
    consignment,
    event,
    hours,
)

pytestmark = pytest.mark.django_db


def _secrets() -> list[str]:
    words = [
        WAREHOUSE_NAME,
        WAREHOUSE_LOCATION,
        ROUTE,
        "wheat flour",
        "convoy note 42",
        "2026-01-08",  # the planned date
        # Exact times of events, as any format would write them. (Not a bare "T08":
        # a random CSRF token or an asset's hash can hold those three characters.)
        "08:00",
        "09:00",
        "WFP-1",
    ]  # the cluster's own reference
    for user in User.objects.all():
        words += [w for w in (user.username, user.email, user.first_name, user.last_name) if w]
    return words


def _assert_clean(text: str, where: str) -> None:
    leaked = [word for word in _secrets() if word in text]
    assert not leaked, (where, leaked)


def test_nothing_private_leaks(var_dir: Path, client: Client) -> None:
    access = build_access()
    shipment = consignment(access)
    event(access, shipment, "submitted", T0 + hours(1), note="convoy note 42")
    event(access, shipment, "cleared", T0 + hours(25))
    event(access, shipment, "dispatched", T0 + hours(26))
    event(
        access,
        shipment,
        "crossed",
        T0 + hours(28),
        rejected=[{"category": "food", "quantity": "10", "unit": "kg", "reason": "dual_use"}],
    )
    services.access_publish_due(now=NOW)
    services.access_publish_due()  # and by the real clock, for the pages below
    # The consignment's details are private, yet recorded and (their public part) published.
    assert LogEntry.objects.filter(kind="access.event_published").count() == 4

    for logged in LogEntry.objects.all():
        _assert_clean(bytes(logged.entry).decode(), f"log entry {logged.index}")
        _assert_clean(logged.actor, f"actor of {logged.index}")

    pages = [
        "/access/",
        "/ar/access/",
        "/access/crossings/",
        "/ar/access/crossings/",
        "/api/v1/access/crossings",
        "/api/v1/access/crossings/kerem_shalom/days",
        "/api/v1/access/metrics",
        "/api/v1/access/metrics.csv",
        "/api/v1/access/metrics/rejected.csv",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        _assert_clean(response.content.decode(), page)
    for index in range(LogEntry.objects.count()):
        response = client.get(f"/api/v1/log/entries/{index}")
        _assert_clean(response.content.decode(), f"/api/v1/log/entries/{index}")

    # Per consignment, anonymous users get nothing.
    for page in [
        "/api/v1/access/consignments",
        f"/api/v1/access/consignments/{shipment.id}",
        "/api/v1/access/warehouses",
    ]:
        assert client.get(page).status_code == 401
    for page in ["/access/consignments/", f"/access/consignments/{shipment.id}/"]:
        assert client.get(page).status_code == 302  # to the login page
