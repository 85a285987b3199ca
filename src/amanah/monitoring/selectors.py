"""Milestones and monitoring: reads for the API and the pages. Never writes."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from amanah.accounts.models import Role, User
from amanah.accounts.roles import user_has_role
from amanah.monitoring.models import (
    EvidenceFile,
    Indicator,
    Milestone,
    MilestoneStatus,
    Notification,
    ProgressReport,
    Verification,
)
from amanah.projects.models import Project

__all__ = [
    "evidence_file",
    "indicator_detail",
    "indicator_list",
    "may_fetch",
    "milestone_detail",
    "milestone_list",
    "milestones_awaiting_verification",
    "milestones_to_report",
    "notification_list",
    "project_by_code",
]

TO_REPORT = (MilestoneStatus.PLANNED, MilestoneStatus.PARTIAL, MilestoneStatus.FAILED)


def _with_history(queryset: QuerySet[Milestone]) -> QuerySet[Milestone]:
    return queryset.select_related("project__lead", "disbursement").prefetch_related(
        Prefetch(
            "reports", queryset=ProgressReport.objects.order_by("log_index").prefetch_related(
                "evidence")
        ),
        Prefetch(
            "verifications",
            queryset=Verification.objects.order_by("log_index").prefetch_related("evidence"),
        ),
    )  # fmt: skip


def project_by_code(code: str) -> Project | None:
    return Project.objects.select_related("lead").filter(code=code).first()


def milestone_list(project: Project) -> QuerySet[Milestone]:
    return _with_history(Milestone.objects.filter(project=project).order_by("number"))


def milestone_detail(milestone_id: object) -> Milestone | None:
    return _with_history(Milestone.objects.filter(pk=milestone_id)).first()


def milestones_to_report(user: User) -> QuerySet[Milestone]:
    """The milestones the user's organisation leads and still has to report."""
    return _with_history(
        Milestone.objects.filter(
            project__lead__iati_identifier=user.organisation_iati_id, status__in=TO_REPORT
        ).order_by("due", "project__code", "number")
    )


def milestones_awaiting_verification() -> QuerySet[Milestone]:
    return _with_history(
        Milestone.objects.filter(status=MilestoneStatus.REPORTED).order_by(
            "due", "project__code", "number"
        )
    )


def indicator_list(project: Project) -> QuerySet[Indicator]:
    return Indicator.objects.filter(project=project).order_by("name_en")


def indicator_detail(indicator_id: object) -> Indicator | None:
    return Indicator.objects.select_related("project").filter(pk=indicator_id).first()


def notification_list() -> QuerySet[Notification]:
    return Notification.objects.select_related("milestone__project").order_by(
        "read", "-created", "-id"
    )


def evidence_file(sha256: str) -> EvidenceFile | None:
    return EvidenceFile.objects.filter(pk=sha256.lower()).first()


def may_fetch(user: object, file: EvidenceFile) -> bool:
    """Anyone may fetch a public file; a private one only the secretariat, monitors, and
    partner staff of the lead of a project the file was filed for."""
    if file.public or user_has_role(user, Role.SECRETARIAT, Role.MONITOR):
        return True
    if not user_has_role(user, Role.PARTNER_STAFF) or not isinstance(user, User):
        return False
    leads = user.organisation_iati_id
    return (
        ProgressReport.objects.filter(
            evidence=file, milestone__project__lead__iati_identifier=leads
        ).exists()
        or Verification.objects.filter(
            evidence=file, milestone__project__lead__iati_identifier=leads
        ).exists()
    )
