"""API schemas of construction materials. The public ones never name a warehouse's name or
location, a consignment, a loss report, a note or a person."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from ninja import Field, Schema


class MaterialTypeIn(Schema):
    code: str = Field(description="Lowercase letters, digits and underscores: steel_rebar.")
    name_en: str
    name_ar: str
    unit: str = Field(description="t, m3, m, pcs, sheet or bag.")


class MaterialTypeOut(Schema):
    code: str
    name_en: str
    name_ar: str
    unit: str
    log_index: int


class MaterialTypeListOut(Schema):
    material_types: list[MaterialTypeOut]


class VendorIn(Schema):
    name: str
    organisation: str = Field("", description="Its IATI identifier, if it is registered.")


class VendorOut(Schema):
    id: uuid.UUID
    name: str
    organisation: str | None
    log_index: int


class VendorListOut(Schema):
    vendors: list[VendorOut]


class MovementIn(Schema):
    kind: str = Field(
        description="received, allocated, released, returned, lost (logistics); used (the"
        " staff of the project's lead); verified (a monitor)."
    )
    material: str = Field(description="The material type's code.")
    warehouse: uuid.UUID
    vendor: uuid.UUID
    quantity: str = Field(description="In the material's unit, up to 3 decimals: 12.5.")
    occurred_on: datetime.date
    project: str | None = Field(None, description="The project's code (not for a receipt).")
    consignment: uuid.UUID | None = Field(None, description="For a receipt only.")
    report: str = Field("", description="For a loss only (private).")
    evidence: list[str] = Field(
        default_factory=list, description="SHA-256 of evidence files already stored."
    )


class MovementOut(Schema):
    id: uuid.UUID
    kind: str
    material: str
    warehouse: uuid.UUID
    governorate: str
    vendor: uuid.UUID
    project: str | None
    quantity: Decimal
    occurred_on: datetime.date
    log_index: int


class MovementTotalOut(Schema):
    project: str | None
    vendor: uuid.UUID
    vendor_name: str
    material: str
    kind: str
    quantity: Decimal


class MovementTotalListOut(Schema):
    totals: list[MovementTotalOut]


class FlagOut(Schema):
    id: uuid.UUID
    project: str
    vendor: uuid.UUID
    vendor_name: str
    material: str
    gap: Decimal
    received: Decimal
    open: bool
    raised_index: int
    resolved_index: int | None
    evidence: list[str]


class FlagListOut(Schema):
    flags: list[FlagOut]


class FlagResolveIn(Schema):
    note: str = Field(description="What became of the material (private).")
    evidence: list[str] = Field(description="SHA-256 of evidence files already stored.")


class ReconciliationOut(Schema):
    project: str
    vendor: uuid.UUID
    vendor_name: str
    material: str
    unit: str
    received: Decimal
    used: Decimal
    in_stock: Decimal
    returned: Decimal
    lost: Decimal
    on_site_within_allowance: Decimal = Field(
        description="Released to the contractor less than on_site_days ago and not yet"
        " reported: not counted in the gap."
    )
    gap: Decimal
    unaccounted: bool


class ReconciliationListOut(Schema):
    tolerance: Decimal
    on_site_days: int = Field(description="The allowance on site, in days after release.")
    lines: list[ReconciliationOut]


class StockMovementListIn(Schema):
    project: str | None = Field(None, description="A project's code.")
    vendor: uuid.UUID | None = None
    material: str | None = Field(None, description="A material type's code.")
    kind: str | None = Field(None, description="received, allocated, released, used, ...")
    limit: int = Field(100, ge=1, le=1000, description="At most this many rows.")
    offset: int = Field(0, ge=0, description="Skip this many rows first.")


class StockMovementRowOut(Schema):
    id: uuid.UUID
    kind: str
    occurred_on: datetime.date
    material: str
    unit: str
    quantity: Decimal
    warehouse: uuid.UUID
    warehouse_name: str
    governorate: str
    vendor: uuid.UUID
    vendor_name: str
    project: str | None
    consignment: str | None = Field(description="The consignment's external reference.")
    recorded_by: str = Field(description="The username of who recorded it.")
    log_index: int


class StockMovementListOut(Schema):
    """Individual movements, newest first (staff only: names warehouses and people)."""

    movements: list[StockMovementRowOut]
    total: int = Field(description="How many rows there are in all.")
    limit: int
    offset: int
