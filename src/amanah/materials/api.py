"""/api/v1/materials/...: construction materials over the API.

Public, with no token: material types, vendors, movement totals by project, vendor,
material and kind (no warehouse, no day), the reconciliation and the flags. Writes need a
token of the role the act needs (see `services`); so does the list of individual
movements, which names warehouses (`selectors.STAFF_READERS`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from amanah.accounts.models import User
from amanah.accounts.roles import require_role
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.materials import selectors, services
from amanah.materials.models import (
    MaterialType,
    MovementKind,
    StockMovement,
    UnaccountedFlag,
    Vendor,
)
from amanah.materials.schemas import (
    FlagListOut,
    FlagOut,
    FlagResolveIn,
    MaterialTypeIn,
    MaterialTypeListOut,
    MaterialTypeOut,
    MovementIn,
    MovementOut,
    MovementTotalListOut,
    ReconciliationListOut,
    StockMovementListIn,
    StockMovementListOut,
    VendorIn,
    VendorListOut,
    VendorOut,
)
from amanah.projects.models import Project

router = Router(tags=["materials"])
RECONCILED = ("received", "used", "in_stock", "returned", "lost")

_T = TypeVar("_T")
_WRITE = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _service(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None


def _project(code: str | None) -> Project | None:
    if not code:
        return None
    found = Project.objects.filter(code=code).first()
    if found is None:
        raise NotFound()
    return found


def _log_size(size: int | None) -> int | None:
    if size is not None and not 0 <= size <= selectors.log_size_now():
        raise RequestInvalid(
            {"log_size": _("Give a log size between 0 and the log's current size.")}
        )
    return size


def _reconciliation_as_of(project: Project | None, log_size: int) -> dict[str, Any]:
    return {
        "tolerance": services.tolerance(),
        "on_site_days": services.on_site_days(),
        "lines": [
            {
                "project": line.project.code,
                "vendor": line.vendor.id,
                "vendor_name": line.vendor.name,
                "material": line.material.code,
                "unit": line.material.unit,
                **{name: getattr(line.totals, name) for name in RECONCILED},
                "on_site_within_allowance": line.totals.on_site_within_allowance,
                "gap": line.totals.gap,
                "unaccounted": line.open_flag is not None,
            }
            for line in selectors.lines_as_of(log_size=log_size, project=project)
        ],
    }


def _type_out(row: MaterialType) -> dict[str, Any]:
    return {
        "code": row.code,
        "name_en": row.name_en,
        "name_ar": row.name_ar,
        "unit": row.unit,
        "log_index": row.added_index,
    }


def _vendor_out(row: Vendor) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "organisation": row.organisation.iati_identifier if row.organisation else None,
        "log_index": row.added_index,
    }


def _movement_out(row: StockMovement) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "material": row.material.code,
        "warehouse": row.warehouse_id,
        "governorate": row.warehouse.governorate,
        "vendor": row.vendor_id,
        "project": row.project.code if row.project else None,
        "quantity": row.quantity,
        "occurred_on": row.occurred_on,
        "log_index": row.log_index,
    }


def _flag_out(row: UnaccountedFlag) -> dict[str, Any]:
    return {
        "id": row.id,
        "project": row.project.code,
        "vendor": row.vendor_id,
        "vendor_name": row.vendor.name,
        "material": row.material.code,
        "gap": row.gap,
        "received": row.received,
        "open": row.is_open,
        "raised_index": row.raised_index,
        "resolved_index": row.resolved_index,
        "evidence": [f.sha256 for f in row.resolution_evidence.all()],
    }


@router.get("/types", response={200: MaterialTypeListOut}, auth=None, summary="Material types")
def material_types(request: HttpRequest) -> dict[str, Any]:
    return {"material_types": [_type_out(t) for t in MaterialType.objects.all()]}


@router.post(
    "/types",
    response={201: MaterialTypeOut, **_WRITE},
    summary="Add a material type (secretariat)",
)
def material_type_create(request: HttpRequest, body: MaterialTypeIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.material_type_add(**body.dict(), actor=actor))
    return Status(201, _type_out(row))


@router.get("/vendors", response={200: VendorListOut}, auth=None, summary="Vendors")
def vendors(request: HttpRequest) -> dict[str, Any]:
    return {"vendors": [_vendor_out(v) for v in Vendor.objects.select_related("organisation")]}


@router.post(
    "/vendors", response={201: VendorOut, **_WRITE}, summary="Add a vendor (logistics, secretariat)"
)
def vendor_create(request: HttpRequest, body: VendorIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.vendor_add(**body.dict(), actor=actor))
    return Status(201, _vendor_out(row))


@router.get(
    "/movements",
    response={200: MovementTotalListOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Quantities moved by project, vendor, material and kind (no warehouse detail)",
    description="With `log_size`: of the movements in the log's first `log_size` entries,"
    " exactly what `amanah audit` recomputes from the log.",
)
def movement_totals(
    request: HttpRequest, project: str | None = None, log_size: int | None = None
) -> dict[str, Any]:
    size = _log_size(log_size)
    return {"totals": selectors.movement_totals(_project(project), log_size=size)}


@router.post(
    "/movements",
    response={201: MovementOut, **_WRITE},
    summary="Record a movement (logistics; used: the lead's staff; verified: a monitor)",
)
def movement_create(request: HttpRequest, body: MovementIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    data = body.dict()
    row = _service(lambda: services.movement_record(**data, actor=actor))
    return Status(201, _movement_out(row))


@router.get(
    "/reconciliation",
    response={200: ReconciliationListOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Reconciliation by project, vendor and material",
    description="With `log_size`: of the movements in the log's first `log_size` entries,"
    " with the flags open then, exactly what `amanah audit` recomputes from the log; no"
    " allowance for material on site is made then (it depends on the day, not the log).",
)
def reconciliation(
    request: HttpRequest, project: str | None = None, log_size: int | None = None
) -> dict[str, Any]:
    size = _log_size(log_size)
    if size is not None:
        return _reconciliation_as_of(_project(project), size)
    return {
        "tolerance": services.tolerance(),
        "on_site_days": services.on_site_days(),
        "lines": [
            {
                "project": line.project.code,
                "vendor": line.vendor.id,
                "vendor_name": line.vendor.name,
                "material": line.material.code,
                "unit": line.material.unit,
                "received": line.totals.received,
                "used": line.totals.used,
                "in_stock": line.totals.in_stock,
                "returned": line.totals.returned,
                "lost": line.totals.lost,
                "on_site_within_allowance": line.totals.on_site_within_allowance,
                "gap": line.totals.gap,
                "unaccounted": line.open_flag is not None,
            }
            for line in selectors.lines(_project(project))
        ],
    }


@router.get(
    "/flags",
    response={200: FlagListOut, 404: ErrorOut},
    auth=None,
    summary="Unaccounted flags (open and resolved)",
)
def flags(
    request: HttpRequest, project: str | None = None, open_only: bool = False
) -> dict[str, Any]:
    rows = selectors.flags(project=_project(project), open_only=open_only)
    return {"flags": [_flag_out(f) for f in rows]}


@router.post(
    "/flags/{flag_id}/resolve",
    response={200: FlagOut, 404: ErrorOut, **_WRITE},
    summary="Resolve a flag with evidence (monitor)",
)
def flag_resolve(request: HttpRequest, flag_id: uuid.UUID, body: FlagResolveIn) -> dict[str, Any]:
    actor = _actor(request)
    if not UnaccountedFlag.objects.filter(pk=flag_id).exists():
        raise NotFound()
    row = _service(lambda: services.flag_resolve(flag=flag_id, **body.dict(), actor=actor))
    return _flag_out(row)


def _stock_movement_out(row: StockMovement) -> dict[str, Any]:
    return {
        **_movement_out(row),
        "unit": row.material.unit,
        "warehouse_name": row.warehouse.name,
        "vendor_name": row.vendor.name,
        "consignment": row.consignment.external_reference if row.consignment else None,
        "recorded_by": row.recorded_by.username,
    }


@router.get(
    "/stock-movements",
    response={200: StockMovementListOut, 404: ErrorOut, **_WRITE},
    summary="Individual movements, with warehouse names (logistics, monitors, auditors)",
)
def stock_movements(request: HttpRequest, query: Query[StockMovementListIn]) -> dict[str, Any]:
    require_role(_actor(request), *selectors.STAFF_READERS)
    if query.kind and query.kind not in MovementKind.values:
        raise RequestInvalid({"kind": _("Choose one of the movements offered.")})
    vendor = Vendor.objects.filter(pk=query.vendor).first() if query.vendor else None
    material = MaterialType.objects.filter(code=query.material).first() if query.material else None
    if (query.vendor and vendor is None) or (query.material and material is None):
        raise NotFound()
    where = selectors.MovementFilter(
        project=_project(query.project), vendor=vendor, material=material, kind=query.kind or None
    )
    rows = selectors.movement_list(where)
    page = rows[query.offset : query.offset + query.limit]
    return {
        "movements": [_stock_movement_out(m) for m in page],
        "total": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
    }
