"""Milestones and monitoring: reads for the API and the pages. Never writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from amanah.accounts.models import Role, User
from amanah.accounts.roles import user_has_role
from amanah.funds.money import Money
from amanah.funds.selectors import (
    AllocationRow,
    ProjectDisbursementRow,
    ProjectMoney,
    fund_project_money,
    fund_project_usd,
)
from amanah.governance.selectors import MotionApproval, motion_approvals
from amanah.monitoring.models import (
    EvidenceFile,
    Indicator,
    Milestone,
    MilestoneStatus,
    Notification,
    ProgressReport,
    Verification,
)
from amanah.orgs.codelists import CodelistItem
from amanah.orgs.models import Organisation
from amanah.projects.dac import dac_sector
from amanah.projects.models import Project
from amanah.reference.geography import governorate
from amanah.reference.sectors import sector

__all__ = [
    "MoneyMotion",
    "ProjectListRow",
    "ProjectPage",
    "evidence_file",
    "indicator_detail",
    "indicator_list",
    "may_fetch",
    "milestone_detail",
    "milestone_list",
    "milestone_list_all",
    "milestones_awaiting_verification",
    "milestones_to_report",
    "notification_list",
    "project_by_code",
    "project_leads",
    "project_list",
    "project_list_rows",
    "project_page",
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


def milestone_list_all() -> QuerySet[Milestone]:
    """Every project's milestones, by project code and number, with their reports and
    verifications (and these files' hashes) in a fixed number of queries."""
    return _with_history(Milestone.objects.order_by("project__code", "number"))


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


# --- public project pages ------------------------------------------------------------------


def _language() -> str:
    return get_language() or "en"


def project_list(
    *, sector: str = "", governorate: str = "", lead: str = "", status: str = ""
) -> QuerySet[Project]:
    """Projects by code, with their lead and milestone counts (`milestones_total`,
    `milestones_verified`), filtered by whichever of sector, governorate (P-code), lead
    (IATI identifier) and status is given. One query."""
    queryset = Project.objects.select_related("lead")
    if sector:
        queryset = queryset.filter(sector=sector)
    if governorate:
        queryset = queryset.filter(governorate=governorate)
    if lead:
        queryset = queryset.filter(lead__iati_identifier=lead)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.annotate(
        milestones_total=Count("milestones"),
        milestones_verified=Count(
            "milestones", filter=Q(milestones__status=MilestoneStatus.VERIFIED)
        ),
    ).order_by("code")


def project_leads() -> QuerySet[Organisation]:
    """The organisations leading at least one project (the list's filter)."""
    return (
        Organisation.objects.filter(projects_led__isnull=False)
        .distinct()
        .order_by("iati_identifier")
    )


@dataclass(frozen=True)
class ProjectListRow:
    project: Project  # annotated by `project_list`
    allocated_usd: Money  # approved allocations
    disbursed_usd: Money  # approved tranches

    @property
    def sector_name(self) -> str:
        return sector(self.project.sector).name(_language())

    @property
    def governorate_name(self) -> str:
        return governorate(self.project.governorate).name(_language())

    @property
    def milestones_total(self) -> int:
        return int(getattr(self.project, "milestones_total", 0))

    @property
    def milestones_verified(self) -> int:
        return int(getattr(self.project, "milestones_verified", 0))


def project_list_rows(projects: Iterable[Project]) -> list[ProjectListRow]:
    """The rows of one page of `project_list`, with their money in US dollars (two more
    queries, whatever the number of rows)."""
    rows = list(projects)
    usd = fund_project_usd(p.id for p in rows)
    return [ProjectListRow(p, *usd[p.id]) for p in rows]


@dataclass(frozen=True)
class MoneyMotion:
    """A board motion that allocated or disbursed this project's money, with what it
    decided here and its signatures."""

    approval: MotionApproval
    allocations: tuple[AllocationRow, ...]
    disbursements: tuple[ProjectDisbursementRow, ...]

    @property
    def motion(self) -> Any:
        return self.approval.motion


@dataclass(frozen=True)
class ProjectPage:
    """Everything public about a project: what, where, who leads, its money in and out,
    the board's approvals with their signatures, milestones with evidence hashes, and
    results indicators. Never a bank reference or account, who reported an expenditure
    or progress, a proposal's municipality or point, nor a visit's exact point."""

    project: Project
    proposal: Any  # the submitted proposal it came from, or None
    dac_codes: tuple[tuple[str, CodelistItem | None], ...]
    co_implementers: tuple[Organisation, ...]
    money: ProjectMoney
    motions: tuple[MoneyMotion, ...]
    milestones: tuple[Milestone, ...]
    indicators: tuple[Indicator, ...]

    @property
    def sector_name(self) -> str:
        return sector(self.project.sector).name(_language())

    @property
    def governorate_name(self) -> str:
        return governorate(self.project.governorate).name(_language())

    @property
    def description(self) -> str:
        """The proposal's description in the active language, if there is a proposal."""
        return "" if self.proposal is None else str(self.proposal.description)


def _public_proposal(project: Project) -> Any:
    """The proposal the project came from, once a project links to one, and only if it
    was submitted (a draft is not public)."""
    proposal = getattr(project, "proposal", None)
    if proposal is None or getattr(proposal, "submitted_index", None) is None:
        return None
    return proposal


def _money_motions(money: ProjectMoney) -> tuple[MoneyMotion, ...]:
    # Forward relations only (`allocation.motion`): one motion may decide several
    # allocations.
    named = [a.motion_id for a in money.allocations] + [d.motion_id for d in money.disbursements]
    ids = list(dict.fromkeys(named))
    approvals = motion_approvals(ids)
    motions = [
        MoneyMotion(
            approval=approvals[key],
            allocations=tuple(a for a in money.allocations if a.motion_id == key),
            disbursements=tuple(d for d in money.disbursements if d.motion_id == key),
        )
        for key in ids
        if key in approvals
    ]
    return tuple(sorted(motions, key=lambda m: m.approval.motion.opened_index))


def project_page(code: str) -> ProjectPage | None:
    """The public page of the project `code`, or None. A bounded number of queries."""
    project = project_by_code(code)
    if project is None:
        return None
    proposal = _public_proposal(project)
    dac_codes: tuple[tuple[str, CodelistItem | None], ...] = ()
    co_implementers: tuple[Organisation, ...] = ()
    if proposal is not None:
        dac_codes = tuple((str(c), dac_sector(str(c))) for c in proposal.dac_codes or ())
        co_implementers = tuple(proposal.co_implementers.order_by("iati_identifier"))
    money = fund_project_money(project)
    return ProjectPage(
        project=project,
        proposal=proposal,
        dac_codes=dac_codes,
        co_implementers=co_implementers,
        money=money,
        motions=_money_motions(money),
        milestones=tuple(milestone_list(project)),
        indicators=tuple(indicator_list(project).select_related("project")),
    )
