"""Reads of materials for pages and the API. The public reads never name a warehouse,
a consignment, a loss report or a person: they are aggregated by project, vendor and
material."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from amanah.materials import reconcile
from amanah.materials.models import (
    MaterialType,
    MovementKind,
    StockMovement,
    UnaccountedFlag,
    Vendor,
)
from amanah.materials.services import reconciliation
from amanah.projects.models import Project

__all__ = ["Line", "flags", "lines", "movement_totals"]


@dataclass(frozen=True)
class Line:
    project: Project
    vendor: Vendor
    material: MaterialType
    totals: reconcile.Totals
    open_flag: UnaccountedFlag | None


def lines(project: Project | None = None) -> list[Line]:
    """The reconciliation of every project, vendor and material that moved (or of one
    project's)."""
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
    rows = [
        Line(
            projects[p],
            vendors[v],
            materials[m],
            reconciliation(projects[p], vendors[v], materials[m]),
            open_flags.get((p, v, m)),
        )
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


def movement_totals(project: Project | None = None) -> list[dict[str, object]]:
    """Quantities moved by project, vendor, material and kind: no warehouse, no day."""
    rows = StockMovement.objects.all()
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
