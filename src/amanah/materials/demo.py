"""The demo's construction materials: cement and steel rebar received from a demo
consignment carrying construction material, allocated to GZ-HOU-0001 and GZ-EDU-0001,
released, used and partly verified; the school's cement, released longer ago than the
allowance on site (`AMANAH_MATERIALS_ON_SITE_DAYS`), leaves a gap beyond the tolerance,
which raises an "unaccounted" flag. The dates are counted back from the allowance so that
this holds whatever it is set to.

Needs the access demo (its warehouses, crossings and requesters) and the fund demo's two
projects. Loading twice adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amanah.access import services as access
from amanah.access.models import Category, Consignment, Crossing, EventKind, Warehouse
from amanah.accounts.models import Role, User
from amanah.ledger import services as ledger
from amanah.materials import services
from amanah.materials.models import MaterialType, Vendor
from amanah.monitoring.models import EvidenceFile
from amanah.orgs.models import Organisation
from amanah.projects.models import Project

__all__ = ["MATERIAL_TYPES", "load_demo_materials"]

ACTOR = "amanah:demo"
MATERIAL_TYPES = (
    ("cement", "Cement", "إسمنت", "t"),
    ("aggregate", "Aggregate", "حصى", "m3"),
    ("steel_rebar", "Steel rebar", "حديد تسليح", "t"),
    ("timber", "Timber", "خشب", "m3"),
    ("pipes", "Pipes", "أنابيب", "m"),
)
VENDOR = "Gaza Building Supplies (demo)"
DEMO_CONSIGNMENT = "DEMO-MATERIALS-1"
# A 1x1 PNG's hash stands for the monitor's site photo (the demo stores no bytes).
DEMO_PHOTO = "5" * 64


def load_demo_materials(
    logistics_user: User,
    monitor_user: User,
    partner_user: User,
    *,
    today: datetime.date | None = None,
) -> int:
    """Write the demo's materials; returns the number of movements recorded (0 if loaded)."""
    day = today or timezone.localdate()
    if transaction.get_connection().in_atomic_block:
        return _load(logistics_user, monitor_user, partner_user, day)
    with transaction.atomic(durable=True):
        ledger.lock_log()
        return _load(logistics_user, monitor_user, partner_user, day)


def _consignment(actor: User, day: datetime.date) -> Consignment:
    """A demo consignment carrying construction material received by `day` (one is made,
    received the day before, if the access demo has none received that early)."""
    found = (
        Consignment.objects.filter(
            status__in=[EventKind.RECEIVED, EventKind.DISTRIBUTED],
            items__category=Category.CONSTRUCTION,
            events__kind=EventKind.RECEIVED,
            events__occurred_at__date__lte=day,
        )
        .order_by("recorded_index")
        .first()
    )
    if found is not None:
        return found
    warehouse = Warehouse.objects.order_by("added_index").first()
    crossing = Crossing.objects.order_by("added_index").first()
    organisation = Organisation.objects.filter(consignments__isnull=False).first()
    organisation = organisation or Organisation.objects.order_by("pk").first()
    if warehouse is None or crossing is None or organisation is None:
        raise RuntimeError("load the access demo first: the materials come through a crossing")
    at = datetime.datetime.combine(
        day - datetime.timedelta(days=2), datetime.time(8), tzinfo=datetime.UTC
    )
    now = max(timezone.now(), at + datetime.timedelta(days=3))
    shipment = access.consignment_create.in_callers_transaction(
        external_reference=DEMO_CONSIGNMENT,
        organisation=organisation.iati_identifier,
        crossing=crossing,
        warehouse=warehouse.id,
        trucks=4,
        items=[
            {"category": "construction", "quantity": "60", "unit": "t", "weight_kg": "60000"},
        ],
        requested_at=at,
        actor=actor,
        now=now,
    )
    for hours, kind in enumerate(("submitted", "cleared", "dispatched", "crossed", "received")):
        access.consignment_event_record.in_callers_transaction(
            consignment=shipment,
            kind=kind,
            occurred_at=at + datetime.timedelta(hours=6 * (hours + 1)),
            actor=actor,
            now=now,
        )
    shipment.refresh_from_db()
    return shipment


def _reporter(partner: User, code: str) -> User:
    """`partner` if they work for the project's lead, else a colleague of the lead who does
    (the demo's homes and schools may have different leads)."""
    lead = Project.objects.get(code=code).lead.iati_identifier
    if partner.organisation_iati_id == lead:
        return partner
    staff = User.objects.filter(
        role=Role.PARTNER_STAFF, organisation_iati_id=lead, is_active=True
    ).first()
    if staff is None:
        raise RuntimeError(f"no partner staff of {lead} to report the use on {code}")
    return staff


def _load(logistics: User, monitor: User, partner: User, day: datetime.date) -> int:
    if Vendor.objects.filter(name=VENDOR).exists():
        return 0
    for code, en, ar, unit in MATERIAL_TYPES:
        if not MaterialType.objects.filter(code=code).exists():
            services._material_type_add(code=code, name_en=en, name_ar=ar, unit=unit, actor=ACTOR)
    vendor = services.vendor_add.in_callers_transaction(name=VENDOR, actor=logistics)
    # The school's cement was released this many days ago: longer than the allowance.
    late = services.on_site_days() + 11
    shipment = _consignment(logistics, day - datetime.timedelta(days=late + 3))
    photo, _created = EvidenceFile.objects.get_or_create(
        sha256=DEMO_PHOTO,
        defaults={"content_type": "image/png", "size": 68, "kind": "photo", "public": True},
    )
    made = 0

    def move(kind: str, material: str, quantity: str, days_ago: int, **extra: object) -> None:
        nonlocal made
        actor = {"used": partner, "verified": monitor}.get(kind, logistics)
        if kind == "used":
            actor = _reporter(partner, str(extra["project"]))
        services.movement_record.in_callers_transaction(
            kind=kind,
            material=material,
            warehouse=shipment.warehouse_id,
            vendor=vendor,
            quantity=Decimal(quantity),
            occurred_on=day - datetime.timedelta(days=days_ago),
            actor=actor,
            today=day,
            **extra,
        )
        made += 1

    move("received", "cement", "40", late + 3, consignment=shipment)
    move("received", "steel_rebar", "10", late + 3, consignment=shipment)
    move("allocated", "cement", "20", late + 2, project="GZ-HOU-0001")
    move("allocated", "cement", "15", late + 2, project="GZ-EDU-0001")
    move("allocated", "steel_rebar", "8", late + 2, project="GZ-HOU-0001")
    move("released", "cement", "20", 12, project="GZ-HOU-0001")
    move("released", "steel_rebar", "8", 12, project="GZ-HOU-0001")
    move("released", "cement", "12", late, project="GZ-EDU-0001")
    # The homes: all accounted for (0.2 t of 20 is within the tolerance), mostly verified.
    move("used", "cement", "19.8", 6, project="GZ-HOU-0001")
    move("used", "steel_rebar", "8", 6, project="GZ-HOU-0001")
    move("verified", "cement", "15", 3, project="GZ-HOU-0001", evidence=[photo])
    move("verified", "steel_rebar", "8", 3, project="GZ-HOU-0001", evidence=[photo])
    # The school: 12 t released past the allowance, 9 t reported used: 3 t unaccounted
    # (20% of 15) -> flag.
    move("used", "cement", "9", 4, project="GZ-EDU-0001")
    # At the warehouse: 0.5 t cement lost, 1 t back to the vendor; 3.5 t cement, 2 t rebar left.
    move("lost", "cement", "0.5", 5, report="Bags torn in the rain")
    move("returned", "cement", "1", 2)
    return made
