"""/api/v1/access/...: humanitarian access over the API.

Public, with no token: the crossings and their open/closed days, and the access metrics
(aggregated by day and crossing, delayed, as JSON and CSV). Everything about a single
consignment or warehouse needs a token of a logistics coordinator (to read and write) or
an auditor (to read): the public sees nothing per consignment.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from amanah.access import imports, metrics, selectors, services
from amanah.access.models import Consignment, ConsignmentEvent, CrossingDay, Warehouse
from amanah.access.schemas import (
    ConsignmentImportIn,
    ConsignmentImportOut,
    ConsignmentIn,
    ConsignmentListOut,
    ConsignmentOut,
    CrossingDayIn,
    CrossingDayListOut,
    CrossingDayOut,
    CrossingIn,
    CrossingListOut,
    CrossingOut,
    EventIn,
    EventOut,
    MetricsIn,
    MetricsOut,
    WarehouseIn,
    WarehouseListOut,
    WarehouseOut,
)
from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut

router = Router(tags=["access"])

_T = TypeVar("_T")
_WRITE = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
_READ = {401: ErrorOut, 403: ErrorOut}
_CSV = {
    "responses": {200: {"description": "CSV, with an HXL hashtag row", "content": {"text/csv": {}}}}
}


def _actor(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _reader(request: HttpRequest) -> None:
    require_role(_actor(request), Role.LOGISTICS, Role.AUDITOR)


def _service(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None


def _crossing_out(row: Any) -> dict[str, Any]:
    return {
        "code": row.code,
        "name_en": row.name_en,
        "name_ar": row.name_ar,
        "log_index": row.added_index,
    }


def _day_out(row: CrossingDay) -> dict[str, Any]:
    return {
        "crossing": row.crossing.code,
        "date": row.date,
        "open": row.open,
        "log_index": row.logged_index,
    }


def _warehouse_out(row: Warehouse) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "location": row.location,
        "governorate": row.governorate,
        "log_index": row.added_index,
    }


def _event_out(row: ConsignmentEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "occurred_at": row.occurred_at,
        "recorded_at": row.recorded_at,
        "reasons": row.reasons,
        "rejected": row.rejected,
        "trucks": row.trucks,
        "note": row.note,
        "flagged_out_of_order": row.flagged_out_of_order,
        "log_index": row.log_index,
        "published_index": row.published_index,
    }


def _consignment_out(row: Consignment) -> dict[str, Any]:
    return {
        "id": row.id,
        "external_reference": row.external_reference,
        "organisation": row.organisation.iati_identifier,
        "crossing": row.crossing.code,
        "warehouse": row.warehouse_id,
        "governorate": row.warehouse.governorate,
        "planned_date": row.planned_date,
        "planned_route": row.planned_route,
        "trucks": row.trucks,
        "status": row.status,
        "log_index": row.recorded_index,
        "published_index": row.published_index,
        "items": [
            {
                "category": i.category,
                "description": i.description,
                "quantity": i.quantity,
                "unit": i.unit,
                "weight_kg": i.weight_kg,
                "pallets": i.pallets,
            }
            for i in row.items.all()
        ],
        "events": [_event_out(e) for e in row.events.all()],
    }


# --- crossings (public to read) ----------------------------------------------------------


@router.get("/crossings", response={200: CrossingListOut}, auth=None, summary="Crossings")
def crossings(request: HttpRequest) -> dict[str, Any]:
    return {"crossings": [_crossing_out(c) for c in selectors.crossing_list()]}


@router.post(
    "/crossings", response={201: CrossingOut, **_WRITE}, summary="Add a crossing (logistics)"
)
def crossing_create(request: HttpRequest, body: CrossingIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.crossing_add(**body.dict(), actor=actor))
    return Status(201, _crossing_out(row))


@router.get(
    "/crossings/{code}/days",
    response={200: CrossingDayListOut, 404: ErrorOut},
    auth=None,
    summary="A crossing's open and closed days",
)
def crossing_days(request: HttpRequest, code: str) -> dict[str, Any]:
    if not selectors.crossing_list().filter(code=code).exists():
        raise NotFound()
    return {"days": [_day_out(d) for d in selectors.crossing_day_list(code)]}


@router.post(
    "/crossings/{code}/days",
    response={201: CrossingDayOut, **_WRITE},
    summary="State whether a crossing was open on a day (logistics)",
)
def crossing_day_set(
    request: HttpRequest, code: str, body: CrossingDayIn
) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.crossing_day_set(crossing=code, **body.dict(), actor=actor))
    return Status(201, _day_out(row))


# --- warehouses and consignments (logistics and auditors only) ---------------------------


@router.get(
    "/warehouses", response={200: WarehouseListOut, **_READ}, summary="Warehouses (private)"
)
def warehouses(request: HttpRequest) -> dict[str, Any]:
    _reader(request)
    return {"warehouses": [_warehouse_out(w) for w in selectors.warehouse_list()]}


@router.post(
    "/warehouses", response={201: WarehouseOut, **_WRITE}, summary="Add a warehouse (logistics)"
)
def warehouse_create(request: HttpRequest, body: WarehouseIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    row = _service(lambda: services.warehouse_add(**body.dict(), actor=actor))
    return Status(201, _warehouse_out(row))


@router.get(
    "/consignments",
    response={200: ConsignmentListOut, **_READ},
    summary="Consignments with items and events (logistics, auditors)",
)
def consignments(request: HttpRequest, status: str | None = None) -> dict[str, Any]:
    _reader(request)
    rows = selectors.consignment_list(status)
    return {"consignments": [_consignment_out(c) for c in rows], "total": rows.count()}


@router.post(
    "/consignments",
    response={201: ConsignmentOut, **_WRITE},
    summary="Record a requested consignment (logistics)",
)
def consignment_create(request: HttpRequest, body: ConsignmentIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    values = body.dict()
    row = _service(lambda: services.consignment_create(**values, actor=actor))
    return Status(201, _consignment_out(selectors.consignment_get(row.id)))  # type: ignore[arg-type]


@router.post(
    "/consignments/import",
    response={201: ConsignmentImportOut, **_WRITE},
    summary="Import consignments and events from CSV (logistics): all or none",
    description="Every row is recorded, or none; a 422 names each wrong row as"
    ' "line N: column". Rows recorded before are skipped, so a file can be sent again.',
)
def consignment_import(request: HttpRequest, body: ConsignmentImportIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    try:
        result = imports.consignment_import(body.csv, actor=actor)
    except imports.ImportInvalid as error:
        raise RequestInvalid(error.problems()) from None
    return Status(
        201,
        {
            "consignments": result.consignments,
            "events": result.events,
            "already_recorded": result.already_recorded,
        },
    )


@router.get(
    "/consignments/{consignment_id}",
    response={200: ConsignmentOut, **_READ, 404: ErrorOut},
    summary="A consignment (logistics, auditors)",
)
def consignment(request: HttpRequest, consignment_id: uuid.UUID) -> dict[str, Any]:
    _reader(request)
    row = selectors.consignment_get(consignment_id)
    if row is None:
        raise NotFound()
    return _consignment_out(row)


@router.post(
    "/consignments/{consignment_id}/events",
    response={201: EventOut, **_WRITE},
    summary="Record the next event of a consignment, or a late one (logistics)",
    description="An illegal step is refused (422 on `kind`); a late event is accepted"
    " only if it fits the events around it in time (else 422 on `occurred_at`), and is"
    " flagged `flagged_out_of_order`.",
)
def event_create(
    request: HttpRequest, consignment_id: uuid.UUID, body: EventIn
) -> Status[dict[str, Any]]:
    actor = _actor(request)
    values = body.dict()
    row = _service(
        lambda: services.consignment_event_record(consignment=consignment_id, **values, actor=actor)
    )
    return Status(201, _event_out(row))


# --- the public metrics ------------------------------------------------------------------


def _delay_hours() -> int:
    return int(services.public_delay().total_seconds() // 3600)


@router.get(
    "/metrics",
    response={200: MetricsOut, 422: ErrorOut},
    auth=None,
    summary="Access metrics by day and crossing (public, delayed, aggregated)",
    description="Only days that ended at least the public delay ago; see docs/access.md"
    " for each figure's definition, the median and the nearest-rank 90th percentile."
    " With `log_size`: the counts over the events published and the days stated in the"
    " log's first `log_size` entries, whatever their day, exactly what `amanah audit`"
    " recomputes from the log; the durations (from private times) are then null.",
)
def metrics_json(
    request: HttpRequest, query: Query[MetricsIn], log_size: int | None = None
) -> dict[str, Any]:
    if log_size is not None:
        if not 0 <= log_size <= selectors.log_size_now():
            raise RequestInvalid(
                {"log_size": _("Give a log size between 0 and the log's current size.")}
            )
        counts = selectors.access_metrics_as_of(
            log_size=log_size, since=query.since, crossing=query.crossing
        )
        return {**counts, "delay_hours": _delay_hours()}
    figures = metrics.access_metrics(since=query.since, crossing=query.crossing)
    return {
        "until": figures.until,
        "delay_hours": _delay_hours(),
        "days": [row.to_json() for row in figures.days],
        "rejected": [row.to_json() for row in figures.rejected],
        "closed_days": figures.closed_days,
    }


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/metrics.csv",
    auth=None,
    summary="The access metrics by day and crossing, as CSV (public)",
    openapi_extra=_CSV,
)
def metrics_csv(request: HttpRequest, query: Query[MetricsIn]) -> HttpResponse:
    figures = metrics.access_metrics(since=query.since, crossing=query.crossing)
    return _csv_response(metrics.days_csv(figures), "access-by-day.csv")


@router.get(
    "/metrics/rejected.csv",
    auth=None,
    summary="Items rejected by day, crossing, category and reason, as CSV (public)",
    openapi_extra=_CSV,
)
def rejected_csv(request: HttpRequest, query: Query[MetricsIn]) -> HttpResponse:
    figures = metrics.access_metrics(since=query.since, crossing=query.crossing)
    return _csv_response(metrics.rejected_csv(figures), "access-rejected-items.csv")
