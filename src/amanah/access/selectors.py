"""Reads of humanitarian access. Per-consignment reads are for logistics coordinators and
auditors only (the API and pages check the role); the public reads aggregates
(`access.metrics`) and crossings."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from amanah.access.models import Consignment, ConsignmentEvent, Crossing, CrossingDay, Warehouse

__all__ = [
    "consignment_get",
    "consignment_list",
    "crossing_day_list",
    "crossing_list",
    "warehouse_list",
]


def crossing_list() -> QuerySet[Crossing]:
    return Crossing.objects.order_by("added_index")


def crossing_day_list(code: str | None = None) -> QuerySet[CrossingDay]:
    days = CrossingDay.objects.select_related("crossing").order_by("-date", "crossing__added_index")
    return days.filter(crossing__code=code) if code else days


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.order_by("governorate", "name")


def consignment_list(status: str | None = None) -> QuerySet[Consignment]:
    rows = (
        Consignment.objects.select_related("organisation", "crossing", "warehouse")
        .prefetch_related(
            "items",
            Prefetch(
                "events", queryset=ConsignmentEvent.objects.order_by("occurred_at", "log_index")
            ),
        )
        .order_by("-recorded_index")
    )
    return rows.filter(status=status) if status else rows


def consignment_get(consignment_id: uuid.UUID) -> Consignment | None:
    return consignment_list().filter(pk=consignment_id).first()
