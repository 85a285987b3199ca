"""API schemas of humanitarian access, one per operation.

Public schemas (crossings, their days, the metrics) never name a consignment, a
warehouse's name or location, a planned date or route, an exact time or a person. The
consignment schemas are for the logistics coordinators and auditors only.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class CrossingIn(Schema):
    code: str = Field(description="Lowercase letters, digits and underscores: kerem_shalom.")
    name_en: str
    name_ar: str


class CrossingOut(Schema):
    code: str
    name_en: str
    name_ar: str
    log_index: int


class CrossingListOut(Schema):
    crossings: list[CrossingOut]


class CrossingDayIn(Schema):
    date: datetime.date
    open: bool


class CrossingDayOut(Schema):
    crossing: str
    date: datetime.date
    open: bool
    log_index: int


class CrossingDayListOut(Schema):
    days: list[CrossingDayOut]


class WarehouseIn(Schema):
    name: str
    location: str
    governorate: str = Field(description="The governorate's OCHA P-code.")


class WarehouseOut(Schema):
    id: uuid.UUID
    name: str
    location: str
    governorate: str
    log_index: int


class WarehouseListOut(Schema):
    warehouses: list[WarehouseOut]


class ItemIn(Schema):
    category: str = Field(description="food, medical, shelter, wash, fuel, construction or other.")
    description: str = ""
    quantity: str = Field(description="A decimal string, like 1200 or 12.5.")
    unit: str = Field(description="kg, t, l, pcs, kit or box.")
    weight_kg: str = Field(description="A decimal string.")
    pallets: int = 0


class ItemOut(Schema):
    category: str
    description: str
    quantity: Decimal
    unit: str
    weight_kg: Decimal
    pallets: int


class ConsignmentIn(Schema):
    external_reference: str = Field(description="The logistics cluster's own reference.")
    organisation: str = Field(description="The requesting organisation's IATI identifier.")
    crossing: str = Field(description="The crossing's code.")
    warehouse: uuid.UUID
    trucks: int
    items: list[ItemIn]
    requested_at: datetime.datetime = Field(description="When it was requested, with offset.")
    planned_date: datetime.date | None = None
    planned_route: str = ""


class RejectedIn(Schema):
    category: str
    quantity: str
    unit: str
    reason: str


class EventIn(Schema):
    kind: str
    occurred_at: datetime.datetime = Field(description="When it happened, with its offset.")
    reasons: list[str] = Field(default_factory=list, description="Reason codes.")
    rejected: list[RejectedIn] = Field(default_factory=list)
    trucks: int | None = None
    note: str = ""
    external_reference: str = ""


class EventOut(Schema):
    id: uuid.UUID
    kind: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    reasons: list[str]
    rejected: list[dict[str, Any]]
    trucks: int | None
    note: str
    flagged_out_of_order: bool
    log_index: int
    published_index: int | None


class ConsignmentOut(Schema):
    id: uuid.UUID
    external_reference: str
    organisation: str
    crossing: str
    warehouse: uuid.UUID
    governorate: str
    planned_date: datetime.date | None
    planned_route: str
    trucks: int
    status: str
    log_index: int
    published_index: int | None
    items: list[ItemOut]
    events: list[EventOut]


class ConsignmentListOut(Schema):
    consignments: list[ConsignmentOut]
    total: int


class ConsignmentImportIn(Schema):
    csv: str = Field(description="The CSV text (UTF-8); see docs/access.md for its columns.")


class ConsignmentImportOut(Schema):
    consignments: int = Field(description="Consignments recorded.")
    events: int = Field(description="Events recorded.")
    already_recorded: int = Field(description="Rows recorded before, skipped.")


class MetricsIn(Schema):
    since: datetime.date | None = Field(None, description="From this day on.")
    crossing: str | None = Field(None, description="Only this crossing (its code).")


class DayOut(Schema):
    date: datetime.date
    crossing: str
    open: bool | None = Field(description="As stated for the day; null if not stated.")
    trucks_requested: int
    trucks_cleared: int
    trucks_crossed: int
    trucks_turned_back: int
    consignments_decided: int
    consignments_denied: int
    denial_rate: Decimal | None
    request_to_clearance_median_hours: Decimal | None
    request_to_clearance_p90_hours: Decimal | None
    clearance_to_crossing_median_hours: Decimal | None
    clearance_to_crossing_p90_hours: Decimal | None


class RejectedOut(Schema):
    date: datetime.date
    crossing: str
    category: str
    reason: str
    unit: str
    rejections: int
    quantity: Decimal


class MetricsOut(Schema):
    until: datetime.date | None = Field(description="The last day published.")
    delay_hours: int = Field(description="How long after a day ends its figures appear.")
    days: list[DayOut]
    rejected: list[RejectedOut]
    closed_days: dict[str, int] = Field(description="Crossing code: days stated closed.")
