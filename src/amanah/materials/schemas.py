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
    gap: Decimal
    unaccounted: bool


class ReconciliationListOut(Schema):
    tolerance: Decimal
    lines: list[ReconciliationOut]
