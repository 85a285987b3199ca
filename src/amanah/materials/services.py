"""Construction materials: every write. Material types, vendors, stock movements and the
flags the reconciliation raises.

Each public service runs in one durable transaction under the log's write lock
(`ledger.lock_log` first, then the balances it decides on are read); `.in_callers_transaction`
runs the same steps in a transaction already open (the demo's). Bad input raises Django's
`ValidationError` naming the field; a user without the role raises `RoleRequired`.

Roles: the secretariat adds material types; logistics coordinators add vendors and record
received, allocated, released, returned and lost; the staff of a project's lead report
used; monitors record verified and resolve flags.

Do no harm: a warehouse is named in the log by its id and governorate only; the
consignment a receipt came from, a loss report and a resolution note are private (the
log holds a commitment to them).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amanah.access.models import Category, Consignment, EventKind, Warehouse
from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.ledger import services as ledger
from amanah.ledger.services import service
from amanah.materials import reconcile
from amanah.materials.models import (
    Balance,
    Bucket,
    MaterialType,
    MaterialUnit,
    MovementKind,
    StockMovement,
    UnaccountedFlag,
    Vendor,
)
from amanah.monitoring import evidence as storage
from amanah.monitoring.models import PUBLIC_BY_DEFAULT, EvidenceFile, EvidenceKind
from amanah.orgs.models import Organisation
from amanah.projects.models import Project

__all__ = [
    "FLAG_ACTOR",
    "flag_resolve",
    "flags_check",
    "material_type_add",
    "movement_record",
    "on_site_days",
    "reconciliation",
    "store_evidence",
    "tolerance",
    "vendor_add",
]

# Who logs a raised flag: the rule, not a person (it runs inside the movement's write).
FLAG_ACTOR = "amanah:materials-reconciliation"
_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")
MAX_QUANTITY = Decimal("99999999999.999")


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _actor(user: User) -> str:
    return f"user:{user.pk}"


def tolerance() -> Decimal:
    value: Decimal = Decimal(str(settings.AMANAH_MATERIALS_TOLERANCE))
    return value


def on_site_days() -> int:
    """How many days material released to a contractor may stay unreported before it
    counts towards the gap (settings `AMANAH_MATERIALS_ON_SITE_DAYS`)."""
    return int(settings.AMANAH_MATERIALS_ON_SITE_DAYS)


# --- input -------------------------------------------------------------------------------


def _text(value: object, field: str, *, required: bool, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise _invalid(field, _("This value is required."), "required")
    if len(text) > limit:
        raise _invalid(field, _("Write at most {n} characters.").format(n=limit))
    return text


def _quantity(value: object) -> Decimal:
    if isinstance(value, float | bool):
        value = None
    try:
        number = Decimal(str(value).strip()) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _invalid("quantity", _("Write the quantity with digits, like 12.5."))
    if number <= 0:
        raise _invalid("quantity", _("The quantity must be more than zero."), "not_positive")
    if number.as_tuple().exponent < -3:  # type: ignore[operator]
        raise _invalid("quantity", _("A quantity has at most 3 decimal places."))
    if number > MAX_QUANTITY:
        raise _invalid("quantity", _("This quantity is too large."))
    return number


def _date(value: object, field: str, today: datetime.date) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise _invalid(field, _("Give the date as YYYY-MM-DD.")) from None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise _invalid(field, _("Give the date as YYYY-MM-DD."))
    if value > today + datetime.timedelta(days=1):
        raise _invalid(field, _("The date cannot be in the future."), "future")
    return value


def _uuid(value: object, field: str) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except ValueError:
        return None


def _material(value: object) -> MaterialType:
    if isinstance(value, MaterialType):
        return value
    found = MaterialType.objects.filter(code=str(value or "").strip()).first()
    if found is None:
        raise _invalid("material", _("There is no such material type."))
    return found


def _vendor(value: object) -> Vendor:
    if isinstance(value, Vendor):
        return value
    key = _uuid(value, "vendor")
    found = Vendor.objects.filter(pk=key).first() if key else None
    if found is None:
        raise _invalid("vendor", _("There is no such vendor."))
    return found


def _warehouse(value: object) -> Warehouse:
    if isinstance(value, Warehouse):
        return value
    key = _uuid(value, "warehouse")
    found = Warehouse.objects.filter(pk=key).first() if key else None
    if found is None:
        raise _invalid("warehouse", _("There is no such warehouse."))
    return found


def _project(value: object) -> Project | None:
    if value in (None, ""):
        return None
    if isinstance(value, Project):
        return value
    found = Project.objects.filter(code=str(value).strip()).first()
    if found is None:
        raise _invalid("project", _("There is no such project."))
    return found


def _consignment(value: object, warehouse: Warehouse) -> Consignment:
    if value in (None, ""):
        raise _invalid("consignment", _("Name the consignment it came in."), "required")
    if isinstance(value, Consignment):
        found: Consignment | None = value
    else:
        key = _uuid(value, "consignment")
        found = Consignment.objects.filter(pk=key).first() if key else None
    if found is None:
        raise _invalid("consignment", _("There is no such consignment."))
    if found.warehouse_id != warehouse.pk:
        raise _invalid("consignment", _("This consignment went to another warehouse."))
    if found.status not in (EventKind.RECEIVED, EventKind.DISTRIBUTED):
        raise _invalid("consignment", _("This consignment has not been received yet."))
    if not found.items.filter(category=Category.CONSTRUCTION).exists():
        raise _invalid("consignment", _("This consignment carries no construction material."))
    return found


def _evidence(files: Sequence[object]) -> list[EvidenceFile]:
    rows: dict[str, EvidenceFile] = {}
    for item in files:
        if isinstance(item, EvidenceFile):
            rows[item.sha256] = item
            continue
        found = EvidenceFile.objects.filter(pk=str(item).strip().lower()).first()
        if found is None:
            raise _invalid("evidence", _("There is no evidence file with this SHA-256."))
        rows[found.sha256] = found
    return list(rows.values())


def store_evidence(uploads: Sequence[storage.Upload]) -> list[EvidenceFile]:
    """Store photos from a form (public, as photos of the work are) and find or add their
    rows. Runs outside the service's transaction: a file on disk is harmless if unused."""
    rows = []
    for upload in uploads:
        stored = storage.store(upload)
        row, _created = EvidenceFile.objects.get_or_create(
            sha256=stored.sha256,
            defaults={
                "content_type": stored.content_type,
                "size": stored.size,
                "kind": EvidenceKind.PHOTO,
                "public": PUBLIC_BY_DEFAULT[EvidenceKind.PHOTO],
                "original_name": (upload.name or "")[:255],
            },
        )
        rows.append(row)
    return rows


# --- material types and vendors ----------------------------------------------------------


@service
def material_type_add(
    *, code: str, name_en: str, name_ar: str, unit: str, actor: User
) -> MaterialType:
    """A material to track (cement, aggregate, steel rebar, ...) and its unit."""
    require_role(actor, Role.SECRETARIAT)
    return _material_type_add(
        code=code, name_en=name_en, name_ar=name_ar, unit=unit, actor=_actor(actor)
    )


def _material_type_add(
    *, code: str, name_en: str, name_ar: str, unit: str, actor: str
) -> MaterialType:
    """`material_type_add` in the caller's transaction, logged as `actor` (the demo's)."""
    code = _text(code, "code", required=True, limit=40).lower()
    if not _CODE.fullmatch(code):
        raise _invalid(
            "code", _("Use lowercase letters, digits and underscores, like steel_rebar.")
        )
    if MaterialType.objects.filter(code=code).exists():
        raise _invalid("code", _("A material type with this code exists."), "duplicate")
    name_en = _text(name_en, "name_en", required=True, limit=100)
    name_ar = _text(name_ar, "name_ar", required=True, limit=100)
    if unit not in MaterialUnit.values:
        raise _invalid("unit", _("Choose one of the units offered."))
    data = {"material": code, "name_en": name_en, "name_ar": name_ar, "unit": unit}
    index = ledger.record("materials.type_added", data, actor=actor).index
    return MaterialType.objects.create(
        code=code, name_en=name_en, name_ar=name_ar, unit=unit, added_index=index
    )


@service
def vendor_add(*, name: str, organisation: str = "", actor: User) -> Vendor:
    """A vendor (supplier) whose materials are tracked; its name is public."""
    require_role(actor, Role.LOGISTICS, Role.SECRETARIAT)
    name = _text(name, "name", required=True, limit=150)
    if Vendor.objects.filter(name__iexact=name).exists():
        raise _invalid("name", _("A vendor with this name exists."), "duplicate")
    body = None
    if organisation and str(organisation).strip():
        body = Organisation.objects.filter(iati_identifier=str(organisation).strip()).first()
        if body is None:
            raise _invalid(
                "organisation", _("Name the organisation by a registered IATI identifier.")
            )
    vendor = Vendor(id=uuid.uuid4(), name=name, organisation=body)
    data = {
        "vendor": str(vendor.id),
        "name": name,
        "organisation": body.iati_identifier if body else None,
    }
    vendor.added_index = ledger.record("materials.vendor_added", data, actor=_actor(actor)).index
    vendor.save()
    return vendor


# --- movements ---------------------------------------------------------------------------

# kind -> (bucket taken from, bucket put into); None: from outside, or leaving.
_WITH_PROJECT: dict[str, tuple[Bucket | None, Bucket | None]] = {
    MovementKind.ALLOCATED: (Bucket.STOCK, Bucket.ALLOCATED),
    MovementKind.RELEASED: (Bucket.ALLOCATED, Bucket.ON_SITE),
    MovementKind.USED: (Bucket.ON_SITE, Bucket.USED),
    MovementKind.VERIFIED: (Bucket.USED, Bucket.VERIFIED),
    MovementKind.RETURNED: (Bucket.ON_SITE, None),
    MovementKind.LOST: (Bucket.ON_SITE, None),
}
_WITHOUT_PROJECT: dict[str, tuple[Bucket | None, Bucket | None]] = {
    MovementKind.RECEIVED: (None, Bucket.STOCK),
    MovementKind.RETURNED: (Bucket.STOCK, None),
    MovementKind.LOST: (Bucket.STOCK, None),
}
_ROLE = {
    MovementKind.RECEIVED: Role.LOGISTICS,
    MovementKind.ALLOCATED: Role.LOGISTICS,
    MovementKind.RELEASED: Role.LOGISTICS,
    MovementKind.RETURNED: Role.LOGISTICS,
    MovementKind.LOST: Role.LOGISTICS,
    MovementKind.USED: Role.PARTNER_STAFF,
    MovementKind.VERIFIED: Role.MONITOR,
}
# After these the project's material may have become (un)accounted for. Not after a
# release: what it hands over is not yet late; material whose allowance runs out (or a
# release recorded after its allowance) is caught by `flags_check`, run daily.
_CHECKED = {MovementKind.USED, MovementKind.RETURNED, MovementKind.LOST}

_SHORT = {
    Bucket.STOCK: gettext_lazy(
        "Only {have} {unit} of this material from this vendor are in the warehouse unallocated."
    ),
    Bucket.ALLOCATED: gettext_lazy(
        "Only {have} {unit} are allocated to this project in this warehouse."
    ),
    Bucket.ON_SITE: gettext_lazy(
        "Only {have} {unit} were released to this project's contractor and not yet accounted for."
    ),
    Bucket.USED: gettext_lazy("Only {have} {unit} reported used are not yet verified."),
}


def _bucket(
    warehouse: Warehouse, vendor: Vendor, material: MaterialType, project: Project | None,
    bucket: Bucket,
) -> Balance:  # fmt: skip
    row = (
        Balance.objects.select_for_update()
        .filter(
            warehouse=warehouse,
            vendor=vendor,
            material=material,
            project=None if bucket == Bucket.STOCK else project,
            bucket=bucket,
        )
        .first()
    )
    if row is None:
        row = Balance(
            warehouse=warehouse,
            vendor=vendor,
            material=material,
            project=None if bucket == Bucket.STOCK else project,
            bucket=bucket,
            quantity=Decimal(0),
        )
    return row


@service
def movement_record(
    *,
    kind: str,
    material: object,
    warehouse: object,
    vendor: object,
    quantity: object,
    occurred_on: object,
    project: object = None,
    consignment: object = None,
    report: str = "",
    evidence: Sequence[object] = (),
    actor: User,
    today: datetime.date | None = None,
) -> StockMovement:
    """One movement of a material (see the state model in `models`). Logged
    (`materials.movement_recorded`); then the project's material from this vendor is
    reconciled and a gap beyond the tolerance raises a flag (`materials.flag_raised`)."""
    if kind not in MovementKind.values:
        raise _invalid("kind", _("Choose one of the movements offered."))
    require_role(actor, _ROLE[MovementKind(kind)])
    day = today or timezone.localdate()
    stuff = _material(material)
    store = _warehouse(warehouse)
    seller = _vendor(vendor)
    amount = _quantity(quantity)
    on = _date(occurred_on, "occurred_on", day)
    target = _project(project)
    table = _WITH_PROJECT if target is not None else _WITHOUT_PROJECT
    if kind not in table:
        if target is None:
            raise _invalid("project", _("Name the project."), "required")
        raise _invalid("project", _("Materials are received at the warehouse, for no project."))
    if kind == MovementKind.USED and actor.organisation_iati_id != target.lead.iati_identifier:  # type: ignore[union-attr]
        raise _invalid(
            "project", _("Only the staff of the project's lead report its use."), "not_lead"
        )
    shipment = _consignment(consignment, store) if kind == MovementKind.RECEIVED else None
    if consignment not in (None, "") and kind != MovementKind.RECEIVED:
        raise _invalid("consignment", _("Only a receipt names a consignment."))
    note = _text(report, "report", required=kind == MovementKind.LOST, limit=2000)
    if note and kind != MovementKind.LOST:
        raise _invalid("report", _("Only a loss has a report."))
    files = _evidence(evidence)
    if kind == MovementKind.VERIFIED and not files:
        raise _invalid("evidence", _("Attach the evidence seen on site."), "required")
    source, sink = table[kind]
    changed = []
    if source is not None:
        row = _bucket(store, seller, stuff, target, source)
        if row.quantity < amount:
            raise _invalid(
                "quantity",
                str(_SHORT[source]).format(
                    have=format(row.quantity.normalize(), "f"), unit=stuff.unit
                ),
                "insufficient",
            )
        row.quantity -= amount
        changed.append(row)
    if sink is not None:
        row = _bucket(store, seller, stuff, target, sink)
        row.quantity += amount
        changed.append(row)
    movement = StockMovement(
        id=uuid.uuid4(),
        kind=kind,
        material=stuff,
        warehouse=store,
        vendor=seller,
        project=target,
        quantity=amount,
        consignment=shipment,
        occurred_on=on,
        report=note,
        recorded_by=actor,
    )
    data: dict[str, Any] = {
        "movement": str(movement.id),
        "kind": kind,
        "material": stuff.code,
        "unit": stuff.unit,
        "quantity": format(amount, "f"),
        "warehouse": str(store.pk),
        "governorate": store.governorate,
        "vendor": str(seller.pk),
        "project": target.code if target else None,
        "on": on.isoformat(),
        "evidence": [f.public_json() for f in files],
    }
    private = {
        "consignment": str(shipment.pk) if shipment else None,
        "report": note,
    }
    movement.log_index = ledger.record(
        "materials.movement_recorded", data, actor=_actor(actor), private=private
    ).index
    movement.save()
    movement.evidence.set(files)
    for row in changed:
        row.save()
    if target is not None and kind in _CHECKED:
        _check(target, seller, stuff, movement, day)
    return movement


# --- reconciliation and flags ------------------------------------------------------------


Key = tuple[Any, Any, Any]  # (project id, vendor id, material id)


def reconciliations(
    *, today: datetime.date | None = None, **of: Any
) -> dict[Key, reconcile.Totals]:
    """The reconciliation of every (project, vendor, material) whose movements match `of`
    (e.g. project=...), summed over warehouses, on `today`: a fixed number of queries,
    however many there are."""
    moved = StockMovement.objects.filter(project__isnull=False, **of).order_by()
    sums: dict[Key, dict[str, Decimal]] = {}
    for p, v, m, kind, total in moved.values_list(
        "project_id", "vendor_id", "material_id", "kind"
    ).annotate(total=Sum("quantity")):
        sums.setdefault((p, v, m), {})[kind] = Decimal(total or 0)
    stock = {
        (p, v, m): Decimal(total or 0)
        for p, v, m, total in Balance.objects.filter(bucket=Bucket.ALLOCATED, **of)
        .order_by()
        .values_list("project_id", "vendor_id", "material_id")
        .annotate(total=Sum("quantity"))
    }
    releases: dict[Key, list[tuple[datetime.date, Decimal]]] = {}
    for p, v, m, on, quantity in moved.filter(kind=MovementKind.RELEASED).values_list(
        "project_id", "vendor_id", "material_id", "occurred_on", "quantity"
    ):
        releases.setdefault((p, v, m), []).append((on, quantity))
    day, days, zero = today or timezone.localdate(), on_site_days(), Decimal(0)
    found = {}
    for key, kinds in sums.items():
        counted = reconcile.Totals(
            received=kinds.get(MovementKind.ALLOCATED, zero),
            used=kinds.get(MovementKind.USED, zero),
            in_stock=stock.get(key, zero),
            returned=kinds.get(MovementKind.RETURNED, zero),
            lost=kinds.get(MovementKind.LOST, zero),
        )
        allowed = reconcile.within_allowance(
            releases.get(key, ()),
            with_contractor=counted.with_contractor,
            today=day,
            days=days,
        )
        found[key] = dataclasses.replace(counted, on_site_within_allowance=allowed)
    return found


def reconciliation(
    project: Project,
    vendor: Vendor,
    material: MaterialType,
    *,
    today: datetime.date | None = None,
) -> reconcile.Totals:
    """The project's material from this vendor, summed over warehouses, on `today` (what
    is on site within the allowance depends on the day)."""
    found = reconciliations(today=today, project=project, vendor=vendor, material=material)
    return found.get((project.pk, vendor.pk, material.pk)) or reconcile.Totals()


@service
def flags_check(*, today: datetime.date | None = None) -> int:
    """Reconcile every project's material that was released to a contractor and raise the
    flags due: material whose allowance on site ran out unreported raises one even though
    nothing moved (for a timer: `amanah materials check-flags`). Returns how many.

    Reads in a fixed number of queries however many lines there are (`reconciliations`,
    the flags in one load); only each flag raised adds its writes. Nothing it writes
    changes another line's reconciliation or flags, so deciding every line first and then
    raising, in the same order as line by line, logs the same entries."""
    day = today or timezone.localdate()
    keys = (
        StockMovement.objects.filter(kind=MovementKind.RELEASED)
        .order_by()
        .values_list("project_id", "vendor_id", "material_id")
        .distinct()
    )
    found = reconciliations(today=day)
    open_lines, last_resolved = _flag_history()
    limit = tolerance()
    due = []
    for key in sorted(set(keys), key=str):
        totals = found.get(key) or reconcile.Totals()
        if reconcile.should_raise(
            totals,
            limit,
            open_flag=key in open_lines,
            last_resolved_gap=last_resolved.get(key),
        ):
            due.append((key, totals))
    # Loaded only for the flags raised (in_bulk of nothing makes no query).
    projects = Project.objects.in_bulk({key[0] for key, _ in due})
    vendors = Vendor.objects.in_bulk({key[1] for key, _ in due})
    materials = MaterialType.objects.in_bulk({key[2] for key, _ in due})
    for (p, v, m), totals in due:
        _raise(projects[p], vendors[v], materials[m], None, day, totals, limit)
    return len(due)


def _flag_history() -> tuple[set[Key], dict[Key, Decimal]]:
    """Every line with an open flag, and the gap of each line's flag resolved last."""
    open_lines: set[Key] = set()
    last_resolved: dict[Key, Decimal] = {}
    rows = UnaccountedFlag.objects.order_by("resolved_index").values_list(
        "project_id", "vendor_id", "material_id", "resolved_index", "gap"
    )
    for p, v, m, resolved, gap in rows:
        if resolved is None:
            open_lines.add((p, v, m))
        else:
            last_resolved[p, v, m] = gap  # in the order resolved: the last one stays
    return open_lines, last_resolved


def _check(
    project: Project,
    vendor: Vendor,
    material: MaterialType,
    movement: StockMovement | None,
    today: datetime.date,
) -> UnaccountedFlag | None:
    """Raise a flag if one is due (after `movement`, or on a periodic check: None)."""
    totals = reconciliation(project, vendor, material, today=today)
    flags = UnaccountedFlag.objects.filter(project=project, vendor=vendor, material=material)
    last = flags.filter(resolved_index__isnull=False).order_by("-resolved_index").first()
    limit = tolerance()
    if not reconcile.should_raise(
        totals,
        limit,
        open_flag=flags.filter(resolved_index__isnull=True).exists(),
        last_resolved_gap=last.gap if last else None,
    ):
        return None
    return _raise(project, vendor, material, movement, today, totals, limit)


def _raise(
    project: Project,
    vendor: Vendor,
    material: MaterialType,
    movement: StockMovement | None,
    today: datetime.date,
    totals: reconcile.Totals,
    limit: Decimal,
) -> UnaccountedFlag:
    """Raise the flag `_check` or `flags_check` found due: logged, then saved."""
    flag = UnaccountedFlag(
        id=uuid.uuid4(),
        project=project,
        vendor=vendor,
        material=material,
        gap=totals.gap,
        received=totals.received,
    )
    data = {
        "flag": str(flag.id),
        "project": project.code,
        "vendor": str(vendor.pk),
        "material": material.code,
        "unit": material.unit,
        "tolerance": format(limit, "f"),
        "on_site_days": on_site_days(),
        "on": today.isoformat(),
        "after_movement": str(movement.pk) if movement is not None else None,
        **totals.as_strings(),
        "on_site_within_allowance": format(totals.on_site_within_allowance, "f"),
    }
    flag.raised_index = ledger.record("materials.flag_raised", data, actor=FLAG_ACTOR).index
    flag.save()
    return flag


@service
def flag_resolve(
    *, flag: object, note: str, evidence: Sequence[object], actor: User
) -> UnaccountedFlag:
    """A monitor closes a flag, with evidence of what became of the material."""
    require_role(actor, Role.MONITOR)
    if isinstance(flag, UnaccountedFlag):
        key: uuid.UUID | None = flag.pk
    else:
        key = _uuid(flag, "flag")
    row = UnaccountedFlag.objects.select_for_update().filter(pk=key).first() if key else None
    if row is None:
        raise _invalid("flag", _("There is no such flag."))
    if row.resolved_index is not None:
        raise _invalid("flag", _("This flag is already resolved."), "resolved")
    text = _text(note, "note", required=True, limit=2000)
    files = _evidence(evidence)
    if not files:
        raise _invalid("evidence", _("Attach the evidence that resolves it."), "required")
    data = {"flag": str(row.pk), "evidence": [f.public_json() for f in files]}
    row.resolved_index = ledger.record(
        "materials.flag_resolved", data, actor=_actor(actor), private={"note": text}
    ).index
    row.resolution_note = text
    row.resolved_by = actor
    row.save()
    row.resolution_evidence.set(files)
    return row
