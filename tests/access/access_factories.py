"""A small access setup for the tests: two crossings, a warehouse, an organisation and a
logistics coordinator. (Named for its app: test directories are not packages.)"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from amanah.access import services
from amanah.access.models import Consignment, Crossing, Warehouse
from amanah.accounts.models import Role, User
from amanah.ledger.models import LogEntry
from amanah.orgs.services import organisation_register

ORG = "XM-DAC-41140"
WAREHOUSE_NAME = "Secret Depot Alpha"
WAREHOUSE_LOCATION = "31.5017N 34.4668E behind the mill"
ROUTE = "Route Salah-al-Din via checkpoint 7"
T0 = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 2, 1, 12, 0, tzinfo=datetime.UTC)


def make_user(username: str, role: Role | str = Role.LOGISTICS) -> User:
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        first_name=f"First{username}",
        last_name=f"Last{username}",
        role=role,
    )


@dataclass
class Access:
    coordinator: User
    crossing: Crossing
    other: Crossing
    warehouse: Warehouse


def build_access() -> Access:
    coordinator = make_user("logistician")
    organisation_register(
        iati_identifier=ORG,
        organisation_type="40",
        name_en="World Food Programme",
        name_ar="برنامج الأغذية العالمي",
        country="IT",
        is_palestinian=False,
        actor="test:secretariat",
    )
    crossing = services.crossing_add(
        code="kerem_shalom", name_en="Kerem Shalom", name_ar="كرم أبو سالم", actor=coordinator
    )
    other = services.crossing_add(code="zikim", name_en="Zikim", name_ar="زيكيم", actor=coordinator)
    warehouse = services.warehouse_add(
        name=WAREHOUSE_NAME, location=WAREHOUSE_LOCATION, governorate="PS0265", actor=coordinator
    )
    return Access(coordinator, crossing, other, warehouse)


def consignment(
    access: Access,
    reference: str = "WFP-1",
    *,
    at: datetime.datetime = T0,
    trucks: int = 4,
    crossing: Crossing | None = None,
    now: datetime.datetime = NOW,
) -> Consignment:
    return services.consignment_create(
        external_reference=reference,
        organisation=ORG,
        crossing=crossing or access.crossing,
        warehouse=access.warehouse.id,
        trucks=trucks,
        items=[
            {
                "category": "food",
                "quantity": "18000",
                "unit": "kg",
                "weight_kg": "18000",
                "pallets": 20,
                "description": "wheat flour",
            },
            {"category": "medical", "quantity": "300", "unit": "box", "weight_kg": "3600"},
        ],
        requested_at=at,
        planned_date="2026-01-08",
        planned_route=ROUTE,
        actor=access.coordinator,
        now=now,
    )


def event(
    access: Access, shipment: Consignment, kind: str, at: datetime.datetime, **extra: Any
) -> Any:
    return services.consignment_event_record(
        consignment=shipment,
        kind=kind,
        occurred_at=at,
        actor=access.coordinator,
        now=extra.pop("now", NOW),
        **extra,
    )


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


def entries() -> list[dict[str, Any]]:
    return [json.loads(bytes(e.entry)) for e in LogEntry.objects.order_by("index")]
