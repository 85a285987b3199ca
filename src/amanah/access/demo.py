"""An illustrative few weeks of humanitarian access for the demo: five crossings, four
warehouses, and consignments through their lifecycle.

ILLUSTRATIVE ONLY: invented consignments in rough proportions of what aid agencies
report (most requests cleared after one to three days, about one in eight denied, a
third of denials for "dual-use" items, about one convoy in ten turned back with rejected
items, crossings closed on some days), written through the real services so the pages,
the API and the log show them like real data. Dates are counted back from the moment it
runs; events not yet due stay unpublished like real ones. Deterministic (seeded).

Runs in the caller's transaction if one is open (the demo loader's), else in its own.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amanah.access import services
from amanah.access.models import Consignment, Crossing, Warehouse
from amanah.accounts.models import User
from amanah.ledger import services as ledger
from amanah.orgs.models import Organisation
from amanah.orgs.services import _organisation_register

__all__ = ["CROSSINGS", "load_demo_access"]

# code, English, Arabic, chance of being open on a day, share of the consignments
CROSSINGS = (
    ("kerem_shalom", "Kerem Shalom / Karem Abu Salem", "كرم أبو سالم", 0.85, 0.5),
    ("rafah", "Rafah", "رفح", 0.35, 0.15),
    ("zikim", "Zikim", "زيكيم", 0.5, 0.15),
    ("kissufim", "Kissufim", "كيسوفيم", 0.6, 0.1),
    ("erez", "Erez / Beit Hanoun", "إيريز / بيت حانون", 0.55, 0.1),
)
WAREHOUSES = (
    ("Demo warehouse North", "Demo street 1, Jabalia", "PS0255"),
    ("Demo warehouse City", "Demo street 2, Gaza City", "PS0260"),
    ("Demo warehouse Middle", "Demo street 3, Deir al-Balah", "PS0265"),
    ("Demo warehouse South", "Demo street 4, Khan Younis", "PS0270"),
)
REQUESTERS = (
    ("XI-DEMO-WFP", "World Food Programme (demo)", "برنامج الأغذية العالمي (تجريبي)", "40"),
    ("XI-DEMO-UNRWA", "UNRWA (demo)", "الأونروا (تجريبي)", "40"),
    (
        "XI-DEMO-PRCS",
        "Palestine Red Crescent Society (demo)",
        "جمعية الهلال الأحمر الفلسطيني (تجريبي)",
        "21",
    ),
)
# category, unit, quantity range per truck, kg per unit
GOODS = (
    ("food", "kg", (15_000, 20_000), Decimal(1)),
    ("medical", "box", (200, 600), Decimal(12)),
    ("shelter", "kit", (150, 300), Decimal(40)),
    ("wash", "l", (20_000, 30_000), Decimal(1)),
    ("fuel", "l", (30_000, 38_000), Decimal("0.85")),
    ("construction", "t", (20, 25), Decimal(1000)),
)
DAYS = 28
PER_DAY = 3


def load_demo_access(
    actor_user: User, *, now: datetime.datetime | None = None, days: int = DAYS
) -> int:
    """Write the demo's access data as `actor_user` (a logistics coordinator); returns the
    number of consignments."""
    moment = (now or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    if transaction.get_connection().in_atomic_block:
        return _load(actor_user, moment, days)
    with transaction.atomic(durable=True):
        ledger.lock_log()
        return _load(actor_user, moment, days)


def _load(actor: User, now: datetime.datetime, days: int) -> int:
    rng = random.Random(2720)  # noqa: S311 (a reproducible demo, not a secret)
    organisations = [_requester(*row) for row in REQUESTERS]
    crossings = [
        Crossing.objects.filter(code=code).first()
        or services.crossing_add.in_callers_transaction(
            code=code, name_en=en, name_ar=ar, actor=actor
        )
        for code, en, ar, _open, _share in CROSSINGS
    ]
    warehouses = [
        Warehouse.objects.filter(name=name).first()
        or services.warehouse_add.in_callers_transaction(
            name=name, location=location, governorate=pcode, actor=actor
        )
        for name, location, pcode in WAREHOUSES
    ]
    today = now.date()
    for days_ago in range(days, 0, -1):
        for crossing, (*_names, chance, _share) in zip(crossings, CROSSINGS, strict=True):
            services.crossing_day_set.in_callers_transaction(
                crossing=crossing,
                date=today - datetime.timedelta(days=days_ago),
                open=rng.random() < chance,
                actor=actor,
            )
    weights = [share for *_rest, share in CROSSINGS]
    made = 0
    for days_ago in range(days, 0, -1):
        for number in range(PER_DAY):
            requested = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 20))
            reference = f"DEMO-{(today - datetime.timedelta(days=days_ago)):%Y%m%d}-{number}"
            if Consignment.objects.filter(external_reference=reference).exists():
                continue
            crossing = rng.choices(crossings, weights)[0]
            _consignment(rng, actor, now, reference, requested, crossing, organisations, warehouses)
            made += 1
    services.access_publish_due.in_callers_transaction(now=now)
    return made


def _requester(identifier: str, en: str, ar: str, kind: str) -> str:
    if not Organisation.objects.filter(iati_identifier=identifier).exists():
        _organisation_register(
            iati_identifier=identifier,
            organisation_type=kind,
            name_en=en,
            name_ar=ar,
            country="PS" if identifier.endswith("PRCS") else "XI",
            is_palestinian=identifier.endswith("PRCS"),
            actor="amanah:demo",
        )
    return identifier


def _consignment(
    rng: random.Random,
    actor: User,
    now: datetime.datetime,
    reference: str,
    requested: datetime.datetime,
    crossing: Crossing,
    organisations: list[str],
    warehouses: list[Warehouse],
) -> None:
    trucks = rng.randint(2, 12)
    goods = rng.sample(GOODS, rng.choice((1, 1, 2)))
    items = []
    for category, unit, (low, high), kg in goods:
        quantity = Decimal(rng.randint(low, high) * max(trucks // len(goods), 1))
        items.append(
            {
                "category": category,
                "unit": unit,
                "quantity": quantity,
                "weight_kg": (quantity * kg).quantize(Decimal(1)),
                "pallets": trucks * 26 // len(goods),
                "description": f"demo {category}",
            }
        )
    consignment = services.consignment_create.in_callers_transaction(
        external_reference=reference,
        organisation=rng.choice(organisations),
        crossing=crossing,
        warehouse=rng.choice(warehouses).id,
        trucks=trucks,
        items=items,
        requested_at=requested,
        planned_date=(requested + datetime.timedelta(days=3)).date(),
        planned_route="demo route via the coastal road",
        actor=actor,
        now=now,
    )
    at = requested

    def step(kind: str, hours: float, **extra: object) -> bool:
        nonlocal at
        at = at + datetime.timedelta(hours=hours)
        if at > now:
            return False
        services.consignment_event_record.in_callers_transaction(
            consignment=consignment, kind=kind, occurred_at=at, actor=actor, now=now, **extra
        )
        return True

    categories = [item["category"] for item in items]
    if not step("submitted", rng.uniform(1, 6)):
        return
    draw = rng.random()
    decision_hours = rng.uniform(12, 72)
    if draw < 0.13:
        reason = rng.choices(
            ["dual_use", "security", "documentation", "no_reason_given"], [4, 3, 2, 1]
        )
        step("denied", decision_hours, reasons=reason)
        return
    if draw < 0.25 and trucks > 2:
        if not step(
            "partly_cleared",
            decision_hours,
            trucks=trucks - rng.randint(1, trucks // 2),
            reasons=["dual_use"],
        ):
            return
    elif not step("cleared", decision_hours):
        return
    if not step("dispatched", rng.uniform(12, 48)):
        return
    if not step("at_crossing", rng.uniform(2, 5)):
        return
    late_inspection = rng.random() < 0.1
    if not late_inspection and not step("inspected", rng.uniform(1, 6)):
        return
    inspected_at = at
    if rng.random() < 0.1:
        rejected = [
            {
                "category": categories[0],
                "quantity": str(items[0]["quantity"]),
                "unit": items[0]["unit"],
                "reason": rng.choice(["dual_use", "packaging", "labelling"]),
            }
        ]
        step("turned_back", rng.uniform(1, 4), reasons=[rejected[0]["reason"]], rejected=rejected)
        return
    extra: dict[str, object] = {}
    if rng.random() < 0.1:
        part = (Decimal(items[0]["quantity"]) / 10).quantize(Decimal(1))
        extra["rejected"] = [
            {
                "category": categories[0],
                "quantity": str(part),
                "unit": items[0]["unit"],
                "reason": rng.choice(["dual_use", "expired", "damaged"]),
            }
        ]
    if not step("crossed", rng.uniform(1, 4), **extra):
        return
    if late_inspection:
        # the crossing's inspection report arrives after the crossing was recorded
        services.consignment_event_record.in_callers_transaction(
            consignment=consignment,
            kind="inspected",
            occurred_at=inspected_at + datetime.timedelta(minutes=30),
            actor=actor,
            now=now,
        )
    if not step("received", rng.uniform(3, 8)):
        return
    step("distributed", rng.uniform(12, 48))
