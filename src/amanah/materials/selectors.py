"""Reads of materials for pages and the API. The public reads never name a warehouse,
a consignment, a loss report or a person: they are aggregated by project, vendor and
material. `movement_list` is the exception, for staff only (`STAFF_READERS`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from amanah.accounts.models import Role
from amanah.ledger.selectors import log_size_now
from amanah.materials import reconcile
from amanah.materials.models import (
    MaterialType,
    MovementKind,
    StockMovement,
    UnaccountedFlag,
    Vendor,
)
from amanah.materials.services import reconciliations
from amanah.projects.models import Project

__all__ = [
    "STAFF_READERS",
    "Line",
    "MovementFilter",
    "flags",
    "lines",
    "log_size_now",
    "movement_list",
    "movement_totals",
]

# Who may read individual movements, warehouse names included: those who work with the
# warehouses (logistics), check the use on site (monitors) and audit (auditors). Not the
# secretariat, which has no access role (docs/access.md), nor partners.
STAFF_READERS = (Role.LOGISTICS, Role.MONITOR, Role.AUDITOR)


@dataclass(frozen=True)
class Line:
    project: Project
    vendor: Vendor
    material: MaterialType
    totals: reconcile.Totals
    open_flag: UnaccountedFlag | None


def lines(project: Project | None = None, *, today: datetime.date | None = None) -> list[Line]:
    """The reconciliation of every project, vendor and material that moved (or of one
    project's), on `today`."""
    moved = StockMovement.objects.filter(project__isnull=False)
    if project is not None:
        moved = moved.filter(project=project)
    keys = sorted(set(moved.values_list("project_id", "vendor_id", "material_id")), key=str)
    projects = {p.pk: p for p in Project.objects.filter(pk__in={k[0] for k in keys})}
    vendors = {v.pk: v for v in Vendor.objects.filter(pk__in={k[1] for k in keys})}
    materials = {m.pk: m for m in MaterialType.objects.filter(pk__in={k[2] for k in keys})}
    open_flags = {
        (f.project_id, f.vendor_id, f.material_id): f
        for f in UnaccountedFlag.objects.filter(resolved_index__isnull=True)
    }
    of = {} if project is None else {"project": project}
    totals = reconciliations(today=today, **of)
    rows = [
        Line(projects[p], vendors[v], materials[m], totals[p, v, m], open_flags.get((p, v, m)))
        for p, v, m in keys
    ]
    return sorted(rows, key=lambda r: (r.project.code, r.vendor.name, r.material.code))


def flags(*, project: Project | None = None, open_only: bool = False) -> list[UnaccountedFlag]:
    rows = UnaccountedFlag.objects.select_related("project", "vendor", "material")
    if project is not None:
        rows = rows.filter(project=project)
    if open_only:
        rows = rows.filter(resolved_index__isnull=True)
    return list(rows.prefetch_related("resolution_evidence"))


def lines_as_of(*, log_size: int, project: Project | None = None) -> list[Line]:
    """`lines()` over the log's first `log_size` entries: the movements logged before that
    index, and the flags open then. What `amanah audit` recomputes from the log
    (`materials.replay.MaterialsBook`). In stock is what was allocated and not released."""
    moved = StockMovement.objects.filter(project__isnull=False, log_index__lt=log_size)
    if project is not None:
        moved = moved.filter(project=project)
    sums: dict[tuple[object, object, object], dict[str, Decimal]] = {}
    grouped = moved.values_list("project_id", "vendor_id", "material_id", "kind").annotate(
        total=Sum("quantity")
    )
    for p, v, m, kind, total in grouped.order_by():
        sums.setdefault((p, v, m), {})[kind] = Decimal(total)
    projects = {p.pk: p for p in Project.objects.filter(pk__in={k[0] for k in sums})}
    vendors = {v.pk: v for v in Vendor.objects.filter(pk__in={k[1] for k in sums})}
    materials = {m.pk: m for m in MaterialType.objects.filter(pk__in={k[2] for k in sums})}
    in_force = UnaccountedFlag.objects.filter(raised_index__lt=log_size).filter(
        Q(resolved_index__isnull=True) | Q(resolved_index__gte=log_size)
    )
    open_flags = {(f.project_id, f.vendor_id, f.material_id): f for f in in_force}
    rows = []
    for (p, v, m), kinds in sums.items():
        zero = Decimal(0)
        totals = reconcile.Totals(
            received=kinds.get(MovementKind.ALLOCATED, zero),
            used=kinds.get(MovementKind.USED, zero),
            in_stock=kinds.get(MovementKind.ALLOCATED, zero)
            - kinds.get(MovementKind.RELEASED, zero),
            returned=kinds.get(MovementKind.RETURNED, zero),
            lost=kinds.get(MovementKind.LOST, zero),
        )
        rows.append(Line(projects[p], vendors[v], materials[m], totals, open_flags.get((p, v, m))))
    return sorted(rows, key=lambda r: (r.project.code, r.vendor.name, r.material.code))


def movement_totals(
    project: Project | None = None, *, log_size: int | None = None
) -> list[dict[str, object]]:
    """Quantities moved by project, vendor, material and kind: no warehouse, no day (of
    the movements logged before `log_size`, when given)."""
    rows = StockMovement.objects.all()
    if log_size is not None:
        rows = rows.filter(log_index__lt=log_size)
    if project is not None:
        rows = rows.filter(project=project)
    grouped = (
        rows.values("project__code", "vendor_id", "vendor__name", "material__code", "kind")
        .annotate(quantity=Sum("quantity"))
        .order_by("project__code", "vendor__name", "material__code", "kind")
    )
    return [
        {
            "project": row["project__code"],
            "vendor": row["vendor_id"],
            "vendor_name": row["vendor__name"],
            "material": row["material__code"],
            "kind": row["kind"],
            "kind_label": str(MovementKind(row["kind"]).label),
            "quantity": Decimal(row["quantity"]),
        }
        for row in grouped
    ]


@dataclass(frozen=True)
class MovementFilter:
    """Which movements `movement_list` returns; None matches any."""

    project: Project | None = None
    vendor: Vendor | None = None
    material: MaterialType | None = None
    kind: str | None = None


def movement_list(where: MovementFilter | None = None) -> QuerySet[StockMovement]:
    """Individual movements, newest first, with what a row shows loaded (staff only: it
    names warehouses, consignments and who recorded)."""
    rows = StockMovement.objects.select_related(
        "material", "warehouse", "vendor", "project", "consignment", "recorded_by"
    ).order_by("-log_index")
    where = where or MovementFilter()
    if where.project is not None:
        rows = rows.filter(project=where.project)
    if where.vendor is not None:
        rows = rows.filter(vendor=where.vendor)
    if where.material is not None:
        rows = rows.filter(material=where.material)
    if where.kind:
        rows = rows.filter(kind=where.kind)
    return rows
