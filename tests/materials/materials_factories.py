"""A small materials setup for the tests: the access setup (a warehouse, a received
consignment carrying cement), two projects of a Palestinian lead, a vendor, cement and
rebar, and one user per role. (Named for its app: test directories are not packages.)"""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "access"))
from access_factories import (
    NOW,
    T0,
    WAREHOUSE_LOCATION,
    WAREHOUSE_NAME,
    Access,
    build_access,
    entries,
    hours,
    make_user,
)

from amanah.access import services as access
from amanah.access.models import Consignment
from amanah.accounts.models import Role, User
from amanah.materials import services
from amanah.materials.models import MaterialType, Vendor
from amanah.monitoring.models import EvidenceFile
from amanah.orgs.services import organisation_register
from amanah.projects.models import Project
from amanah.projects.services import project_register

__all__ = ["DAY", "PRIVATE", "Setup", "build", "entries", "move", "photo"]

LEAD = "XI-DEMO-PS-PHG"
DAY = datetime.date(2026, 1, 20)
PRIVATE = (WAREHOUSE_NAME, WAREHOUSE_LOCATION, "behind the mill", "Secret Depot")


@dataclass
class Setup:
    access: Access
    consignment: Consignment
    secretariat: User
    logistics: User
    partner: User
    other_partner: User
    monitor: User
    housing: Project
    school: Project
    vendor: Vendor
    cement: MaterialType
    rebar: MaterialType


def _received_consignment(setup: Access) -> Consignment:
    shipment = access.consignment_create(
        external_reference="CEM-1",
        organisation="XM-DAC-41140",
        crossing=setup.crossing,
        warehouse=setup.warehouse.id,
        trucks=2,
        items=[
            {"category": "construction", "quantity": "50", "unit": "t", "weight_kg": "50000"},
        ],
        requested_at=T0,
        actor=setup.coordinator,
        now=NOW,
    )
    for number, kind in enumerate(["submitted", "cleared", "dispatched", "crossed", "received"]):
        access.consignment_event_record(
            consignment=shipment,
            kind=kind,
            occurred_at=T0 + hours(number + 1),
            actor=setup.coordinator,
            now=NOW,
        )
    shipment.refresh_from_db()
    return shipment


def build() -> Setup:
    setup = build_access()
    secretariat = make_user("secretariat", Role.SECRETARIAT)
    organisation_register(
        iati_identifier=LEAD,
        organisation_type="22",
        name_en="Palestinian Housing Council",
        name_ar="المجلس الفلسطيني للإسكان",
        country="PS",
        is_palestinian=True,
        actor="test:secretariat",
    )
    organisation_register(
        iati_identifier="XI-OTHER-PS",
        organisation_type="22",
        name_en="Another Palestinian body",
        name_ar="",
        country="PS",
        is_palestinian=True,
        actor="test:secretariat",
    )
    housing = project_register(
        code="GZ-HOU-0001",
        title_en="Repair 40 homes",
        title_ar="إصلاح 40 منزلًا",
        lead=LEAD,
        sector="housing",
        governorate="PS0270",
        actor=secretariat,
    )
    school = project_register(
        code="GZ-EDU-0001",
        title_en="Rebuild a school",
        title_ar="إعادة بناء مدرسة",
        lead=LEAD,
        sector="education",
        governorate="PS0260",
        actor=secretariat,
    )
    partner = User.objects.create_user(
        username="partner", role=Role.PARTNER_STAFF, organisation_iati_id=LEAD
    )
    other = User.objects.create_user(
        username="other-partner", role=Role.PARTNER_STAFF, organisation_iati_id="XI-OTHER-PS"
    )
    monitor = make_user("monitor", Role.MONITOR)
    cement = services.material_type_add(
        code="cement", name_en="Cement", name_ar="إسمنت", unit="t", actor=secretariat
    )
    rebar = services.material_type_add(
        code="steel_rebar", name_en="Steel rebar", name_ar="حديد تسليح", unit="t", actor=secretariat
    )
    vendor = services.vendor_add(name="Gaza Building Supplies", actor=setup.coordinator)
    return Setup(
        setup,
        _received_consignment(setup),
        secretariat,
        setup.coordinator,
        partner,
        other,
        monitor,
        housing,
        school,
        vendor,
        cement,
        rebar,
    )


def move(s: Setup, kind: str, quantity: str, *, actor: User | None = None, **extra: Any) -> Any:
    """A movement of cement from the test vendor at the test warehouse."""
    who = actor or {
        "used": s.partner,
        "verified": s.monitor,
    }.get(kind, s.logistics)
    if kind == "received":
        extra.setdefault("consignment", s.consignment.id)
    elif kind not in ("returned", "lost") or "project" not in extra:
        extra.setdefault("project", "GZ-HOU-0001")
    if kind == "lost":
        extra.setdefault("report", "Stolen from the store at night")
    return services.movement_record(
        kind=kind,
        material=extra.pop("material", "cement"),
        warehouse=s.access.warehouse.id,
        vendor=s.vendor.id,
        quantity=quantity,
        occurred_on=extra.pop("occurred_on", DAY),
        actor=who,
        today=DAY,
        **extra,
    )


def photo(seed: int = 0) -> EvidenceFile:
    """An evidence row (the bytes need not be on disk for the services)."""
    row, _created = EvidenceFile.objects.get_or_create(
        sha256=f"{seed:064x}",
        defaults={"content_type": "image/png", "size": 100, "kind": "photo", "public": True},
    )
    return row
