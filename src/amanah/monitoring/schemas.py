"""Ninja schemas of /api/v1/monitoring, one In/Out pair per operation, and the functions
that turn rows into what the schemas show (public fields only)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from amanah.funds.money import Money
from amanah.monitoring.models import (
    EvidenceFile,
    Indicator,
    Milestone,
    Notification,
    ProgressReport,
    Verification,
)


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
