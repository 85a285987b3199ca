"""Ninja schemas of /api/v1/monitoring, one In/Out pair per operation, and the functions
that turn rows into what the schemas show (public fields only)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from ninja import Field, Schema

from amanah.funds.money import Money
from amanah.governance.models import Seat
from amanah.monitoring.models import (
    EvidenceFile,
    Indicator,
    Milestone,
    Notification,
    ProgressReport,
    Verification,
)
from amanah.orgs.models import Organisation
from amanah.reference.geography import governorate
from amanah.reference.sectors import sector

if TYPE_CHECKING:
    from amanah.funds.selectors import AllocationRow, PartnerFactRow, ProjectDisbursementRow
    from amanah.monitoring.selectors import MoneyMotion, ProjectListRow, ProjectPage

PROJECTS_MAX_PAGE = 200


class MoneyOut(Schema):
    value: str
    currency: str


class EvidenceOut(Schema):
    sha256: str
    kind: str
    content_type: str
    size: int
    public: bool
    # Where to fetch it; null for a private file (its hash is public, its bytes are not).
    url: str | None


class PointOut(Schema):
    lat: str
    lon: str


class ReportOut(Schema):
    id: uuid.UUID
    reported_on: datetime.date
    summary: str
    evidence: list[EvidenceOut]
    log_index: int


class VerificationOut(Schema):
    id: uuid.UUID
    visited_on: datetime.date
    result: str
    findings: str
    point: PointOut | None = Field(
        description="Rounded to about 100 m; the exact point is private."
    )
    evidence: list[EvidenceOut]
    disbursement: uuid.UUID | None
    log_index: int


class MilestoneOut(Schema):
    id: uuid.UUID
    project: str
    number: int
    deliverable_en: str
    deliverable_ar: str
    due: datetime.date
    allocation: uuid.UUID
    tranche: MoneyOut
    status: str
    disbursement: uuid.UUID | None
    defined_index: int
    reports: list[ReportOut]
    verifications: list[VerificationOut]


class MilestoneListOut(Schema):
    milestones: list[MilestoneOut]


class MilestoneIn(Schema):
    deliverable_en: str
    deliverable_ar: str
    due: str = Field(description="YYYY-MM-DD")
    allocation: str
    tranche: str = Field(description="In the allocation's currency, like 120000.00")
    number: int | None = None


class ReportIn(Schema):
    reported_on: str = Field(description="YYYY-MM-DD")
    summary: str
    publish_invoices: bool = False
    withhold_photos: bool = False


class ReportFiledOut(Schema):
    report: ReportOut
    duplicates: list[str] = Field(description="SHA-256 of the files the fund already held")


class VerificationIn(Schema):
    visited_on: str = Field(description="YYYY-MM-DD")
    result: str = Field(description="pass, partial or fail")
    findings: str
    latitude: str | None = None
    longitude: str | None = None
    withhold_photos: bool = False


class VerificationFiledOut(Schema):
    verification: VerificationOut
    duplicates: list[str]


class IndicatorIn(Schema):
    name_en: str
    name_ar: str
    unit: str
    baseline: str
    target: str
    actual: str | None = None


class IndicatorOut(Schema):
    id: uuid.UUID
    project: str
    name_en: str
    name_ar: str
    unit: str
    baseline: Decimal
    target: Decimal
    actual: Decimal | None
    updated_index: int


class IndicatorListOut(Schema):
    indicators: list[IndicatorOut]


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    link: str
    created: datetime.datetime
    read: bool


class NotificationListOut(Schema):
    notifications: list[NotificationOut]


def evidence_url(file: EvidenceFile) -> str | None:
    if not file.public:
        return None
    return reverse("api-v1:monitoring_evidence_content", kwargs={"sha256": file.sha256})


def evidence_out(file: EvidenceFile) -> dict[str, Any]:
    return {**file.public_json(), "url": evidence_url(file)}


def _money(amount: Money) -> dict[str, str]:
    return {"value": str(amount.amount), "currency": amount.currency}


def report_out(report: ProgressReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "reported_on": report.reported_on,
        "summary": report.summary,
        "evidence": [evidence_out(f) for f in report.evidence.all()],
        "log_index": report.log_index,
    }


def verification_out(verification: Verification) -> dict[str, Any]:
    point = verification.public_point
    return {
        "id": verification.id,
        "visited_on": verification.visited_on,
        "result": verification.result,
        "findings": verification.findings,
        "point": {"lat": str(point[0]), "lon": str(point[1])} if point else None,
        "evidence": [evidence_out(f) for f in verification.evidence.all()],
        "disbursement": verification.disbursement_id,
        "log_index": verification.log_index,
    }


def milestone_out(milestone: Milestone) -> dict[str, Any]:
    return {
        "id": milestone.id,
        "project": milestone.project.code,
        "number": milestone.number,
        "deliverable_en": milestone.deliverable_en,
        "deliverable_ar": milestone.deliverable_ar,
        "due": milestone.due,
        "allocation": milestone.allocation_id,
        "tranche": _money(milestone.tranche),
        "status": milestone.status,
        "disbursement": milestone.disbursement_id,
        "defined_index": milestone.defined_index,
        "reports": [report_out(r) for r in milestone.reports.all()],
        "verifications": [verification_out(v) for v in milestone.verifications.all()],
    }


def indicator_out(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.id,
        "project": indicator.project.code,
        "name_en": indicator.name_en,
        "name_ar": indicator.name_ar,
        "unit": indicator.unit,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "actual": indicator.actual,
        "updated_index": indicator.updated_index,
    }


def notification_out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification.text,
        "link": notification.link,
        "created": notification.created,
        "read": notification.read,
    }


# --- public projects -------------------------------------------------------------------------


class ProjectListIn(Schema):
    sector: str = Field("", description="An Amanah sector code, like education.")
    governorate: str = Field("", description="An OCHA P-code, like PS0260.")
    lead: str = Field("", description="The lead organisation's IATI identifier.")
    status: str = Field("", description="active or closed.")
    limit: int = Field(50, ge=1, le=PROJECTS_MAX_PAGE, description="At most this many rows.")
    offset: int = Field(0, ge=0, description="Skip this many rows first.")


class NamedCodeOut(Schema):
    code: str
    name_en: str
    name_ar: str


class OrganisationRefOut(Schema):
    iati_identifier: str
    name_en: str
    name_ar: str


class ProjectSummaryOut(Schema):
    code: str
    title_en: str
    title_ar: str
    status: str
    lead: OrganisationRefOut
    sector: NamedCodeOut
    governorate: NamedCodeOut
    allocated_usd: MoneyOut = Field(description="Approved allocations, in US dollars.")
    disbursed_usd: MoneyOut = Field(description="Approved tranches, in US dollars.")
    milestones_total: int
    milestones_verified: int


class ProjectPageListOut(Schema):
    projects: list[ProjectSummaryOut] = Field(description="By code.")
    total: int = Field(description="How many projects match, in all.")
    limit: int
    offset: int


class DacCodeOut(Schema):
    code: str
    name: str | None = Field(description="The DAC code's English name; null if unknown.")


class AllocationSummaryOut(Schema):
    id: uuid.UUID
    motion: uuid.UUID
    amount: MoneyOut
    usd: MoneyOut | None = Field(description="At the rate of the approval date, once approved.")
    status: str = Field(description="reserved (awaiting the board), approved or released.")
    reserved_index: int
    approved_index: int | None
    released_index: int | None
    on: datetime.date | None = Field(description="The approval date.")
    disbursed: MoneyOut
    spent: MoneyOut
    refunded: MoneyOut
    left: MoneyOut | None = Field(description="Left to disburse, once approved.")


class TrancheOut(Schema):
    id: uuid.UUID
    allocation: uuid.UUID
    motion: uuid.UUID
    tranche: int
    amount: MoneyOut
    usd: MoneyOut | None
    status: str
    reserved_index: int
    approved_index: int | None
    released_index: int | None
    on: datetime.date | None = Field(description="The approval date.")


class PartnerFactOut(Schema):
    id: uuid.UUID
    amount: MoneyOut
    usd: MoneyOut
    on: datetime.date
    description: str
    log_index: int
    reversed_index: int | None
    reversal_reason: str


class ProjectTotalsOut(Schema):
    currency: str
    allocated: MoneyOut
    disbursed: MoneyOut
    spent: MoneyOut
    refunded: MoneyOut
    undisbursed: MoneyOut


class ProjectUsdOut(Schema):
    allocated: MoneyOut
    disbursed: MoneyOut
    spent: MoneyOut
    refunded: MoneyOut


class ProjectMoneyOut(Schema):
    allocations: list[AllocationSummaryOut] = Field(description="Newest first.")
    disbursements: list[TrancheOut]
    expenditures: list[PartnerFactOut] = Field(description="Never who reported them.")
    refunds: list[PartnerFactOut]
    totals: list[ProjectTotalsOut] = Field(
        description="Per currency: approved allocations and tranches, facts not reversed."
    )
    usd: ProjectUsdOut = Field(description="Sums of each fact's own US dollar equivalent.")


class ApprovalSeatOut(Schema):
    id: str
    label_en: str
    label_ar: str


class ApprovalSignatureOut(Schema):
    seat: ApprovalSeatOut | None = Field(description="The seat the member held when signing.")
    member: str = Field(description="The member's public handle, never a name.")
    key_id: str
    signed_index: int


class ApprovalOut(Schema):
    motion: uuid.UUID
    kind: str
    title_en: str
    title_ar: str
    status: str
    opened_index: int
    decided_index: int | None
    withdrawn_index: int | None
    allocations: list[uuid.UUID]
    disbursements: list[uuid.UUID]
    signatures: list[ApprovalSignatureOut]
    recused: list[ApprovalSeatOut]


class ProjectDetailOut(Schema):
    code: str
    title_en: str
    title_ar: str
    status: str
    registered_index: int
    sector: NamedCodeOut
    governorate: NamedCodeOut = Field(description="Never finer: the exact place is private.")
    dac_codes: list[DacCodeOut]
    description_en: str
    description_ar: str
    lead: OrganisationRefOut
    co_implementers: list[OrganisationRefOut]
    money: ProjectMoneyOut
    approvals: list[ApprovalOut]
    milestones: list[MilestoneOut]
    indicators: list[IndicatorOut]


def _named(code: str, item: Any) -> dict[str, str]:
    return {"code": code, "name_en": item.name_en, "name_ar": item.name_ar}


def _organisation(organisation: Organisation) -> dict[str, str]:
    return {
        "iati_identifier": organisation.iati_identifier,
        "name_en": organisation.name_en,
        "name_ar": organisation.name_ar,
    }


def _maybe(amount: Money | None) -> dict[str, str] | None:
    return None if amount is None else _money(amount)


def project_summary_out(row: ProjectListRow) -> dict[str, Any]:
    project = row.project
    return {
        "code": project.code,
        "title_en": project.title_en,
        "title_ar": project.title_ar,
        "status": project.status,
        "lead": _organisation(project.lead),
        "sector": _named(project.sector, sector(project.sector)),
        "governorate": _named(project.governorate, governorate(project.governorate)),
        "allocated_usd": _money(row.allocated_usd),
        "disbursed_usd": _money(row.disbursed_usd),
        "milestones_total": row.milestones_total,
        "milestones_verified": row.milestones_verified,
    }


def _allocation(row: AllocationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "motion": row.motion_id,
        "amount": _money(row.amount),
        "usd": _maybe(row.usd),
        "status": row.status,
        "reserved_index": row.reserved_index,
        "approved_index": row.approved_index,
        "released_index": row.released_index,
        "on": row.on,
        "disbursed": _money(row.disbursed),
        "spent": _money(row.spent),
        "refunded": _money(row.refunded),
        "left": _maybe(row.left),
    }


def _tranche(row: ProjectDisbursementRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "allocation": row.allocation_id,
        "motion": row.motion_id,
        "tranche": row.tranche,
        "amount": _money(row.amount),
        "usd": _maybe(row.usd),
        "status": row.status,
        "reserved_index": row.reserved_index,
        "approved_index": row.approved_index,
        "released_index": row.released_index,
        "on": row.on,
    }


def _partner_fact(row: PartnerFactRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "amount": _money(row.amount),
        "usd": _money(row.usd),
        "on": row.on,
        "description": row.description,
        "log_index": row.log_index,
        "reversed_index": None if row.reversal is None else row.reversal.log_index,
        "reversal_reason": "" if row.reversal is None else row.reversal.reason,
    }


def _seat(seat: Seat) -> dict[str, str]:
    return {"id": seat.id, "label_en": seat.label_en, "label_ar": seat.label_ar}


def _approval(item: MoneyMotion) -> dict[str, Any]:
    motion = item.approval.motion
    return {
        "motion": motion.id,
        "kind": motion.kind,
        "title_en": motion.title_en,
        "title_ar": motion.title_ar,
        "status": motion.status,
        "opened_index": motion.opened_index,
        "decided_index": motion.executed_index,
        "withdrawn_index": motion.withdrawn_index,
        "allocations": [row.id for row in item.allocations],
        "disbursements": [row.id for row in item.disbursements],
        "signatures": [
            {
                "seat": None if s.seat is None else _seat(s.seat),
                "member": s.member,
                "key_id": s.key_id,
                "signed_index": s.signed_index,
            }
            for s in item.approval.signatures
        ],
        "recused": [_seat(seat) for seat in item.approval.recused],
    }


def project_detail_out(page: ProjectPage) -> dict[str, Any]:
    project, money, proposal = page.project, page.money, page.proposal
    return {
        "code": project.code,
        "title_en": project.title_en,
        "title_ar": project.title_ar,
        "status": project.status,
        "registered_index": project.registered_index,
        "sector": _named(project.sector, sector(project.sector)),
        "governorate": _named(project.governorate, governorate(project.governorate)),
        "dac_codes": [
            {"code": code, "name": None if item is None else item.name}
            for code, item in page.dac_codes
        ],
        "description_en": "" if proposal is None else proposal.description_en,
        "description_ar": "" if proposal is None else proposal.description_ar,
        "lead": _organisation(project.lead),
        "co_implementers": [_organisation(o) for o in page.co_implementers],
        "money": {
            "allocations": [_allocation(row) for row in money.allocations],
            "disbursements": [_tranche(row) for row in money.disbursements],
            "expenditures": [_partner_fact(row) for row in money.expenditures],
            "refunds": [_partner_fact(row) for row in money.refunds],
            "totals": [
                {
                    "currency": t.currency,
                    "allocated": _money(t.allocated),
                    "disbursed": _money(t.disbursed),
                    "spent": _money(t.spent),
                    "refunded": _money(t.refunded),
                    "undisbursed": _money(t.undisbursed),
                }
                for t in money.totals
            ],
            "usd": {
                "allocated": _money(money.usd.allocated),
                "disbursed": _money(money.usd.disbursed),
                "spent": _money(money.usd.spent),
                "refunded": _money(money.usd.refunded),
            },
        },
        "approvals": [_approval(item) for item in page.motions],
        "milestones": [milestone_out(m) for m in page.milestones],
        "indicators": [indicator_out(i) for i in page.indicators],
    }
