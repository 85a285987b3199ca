"""Reads of projects, proposals, partners' risk and the risk policy.

`*_public` functions say what the log publishes about a row; every field they return is
public. Nothing here names a person: who drafted a proposal or made an assessment stays
in the database (the log names the assessor only as the actor `user:<id>`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from amanah.orgs.models import Organisation
from amanah.projects.models import (
    BudgetLine,
    PartnerAssessment,
    PlannedMilestone,
    Project,
    Proposal,
    RiskLevel,
    RiskPolicy,
)

__all__ = [
    "POLICY_FIELDS",
    "assessment_current",
    "assessment_list",
    "assessment_public",
    "cents_text",
    "partner_list",
    "project_list",
    "project_public",
    "proposal_budget_cents",
    "proposal_list_of",
    "proposal_list_public",
    "proposal_private",
    "proposal_public",
    "proposals_with_parts",
    "risk_level_name",
    "risk_policy_history",
    "risk_policy_in_force",
    "risk_policy_public",
    "risk_terms_for",
]

# The values one risk level sets, as `risk_policy.set` logs them (besides max_project_usd).
POLICY_FIELDS = (
    "tranches",
    "max_first_tranche_percent",
    "monitoring_visits",
    "spot_check_required",
    "audit_required",
)


def project_list() -> QuerySet[Project]:
    return Project.objects.select_related("lead").order_by("code")


def project_public(project: Project) -> dict[str, str]:
    """What the log says about a project: every field here is public."""
    return {
        "project": str(project.id),
        "code": project.code,
        "title_en": project.title_en,
        "title_ar": project.title_ar,
        "lead": project.lead.iati_identifier,
        "sector": project.sector,
        "governorate": project.governorate,
    } | ({"proposal": str(project.proposal_id)} if project.proposal_id else {})


def cents_text(cents: int) -> str:
    """US cents as the decimal string the log and the API use: 123456 -> "1234.56"."""
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


# --- proposals ----------------------------------------------------------------------------


def proposals_with_parts() -> QuerySet[Proposal]:
    """Proposals with their lead, co-implementers, budget lines and milestones loaded in a
    fixed number of queries, whatever their number."""
    return Proposal.objects.select_related("lead").prefetch_related(
        Prefetch("co_implementers", queryset=Organisation.objects.order_by("iati_identifier")),
        Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("position")),
        Prefetch("milestones", queryset=PlannedMilestone.objects.order_by("position")),
    )


def proposal_list_public() -> QuerySet[Proposal]:
    """Every proposal ever submitted (withdrawn ones too: the log keeps them), newest first."""
    return proposals_with_parts().filter(submitted_index__isnull=False).order_by("-submitted_index")


def proposal_list_of(organisation_iati_id: str) -> QuerySet[Proposal]:
    """Every proposal an organisation leads, drafts included: its own staff's workspace."""
    return proposals_with_parts().filter(lead__iati_identifier=organisation_iati_id)


def proposal_budget_cents(proposal: Proposal) -> int:
    return sum(line.amount_cents for line in proposal.budget_lines.all())


def proposal_public(proposal: Proposal) -> dict[str, Any]:
    """What `proposal.submitted` logs: public fields only. The municipality and the point
    are finer than a governorate, so they are private (a commitment in the log); no
    person is named."""
    return {
        "proposal": str(proposal.id),
        "lead": proposal.lead.iati_identifier,
        "co_implementers": [o.iati_identifier for o in proposal.co_implementers.all()],
        "title_en": proposal.title_en,
        "title_ar": proposal.title_ar,
        "description_en": proposal.description_en,
        "description_ar": proposal.description_ar,
        "sector": proposal.sector,
        "dac_codes": list(proposal.dac_codes),
        "governorate": proposal.governorate,
        "beneficiaries": {
            "total": proposal.beneficiaries_total,
            "women": proposal.beneficiaries_women,
            "children": proposal.beneficiaries_children,
        },
        "starts_on": proposal.starts_on.isoformat() if proposal.starts_on else None,
        "ends_on": proposal.ends_on.isoformat() if proposal.ends_on else None,
        "budget": {
            "currency": "USD",
            "total": cents_text(proposal_budget_cents(proposal)),
            "lines": [
                {"description": line.description, "amount": cents_text(line.amount_cents)}
                for line in proposal.budget_lines.all()
            ],
        },
        "milestones": [
            {
                "title": milestone.title,
                "due_on": milestone.due_on.isoformat(),
                "budget_percent": str(milestone.budget_percent),
            }
            for milestone in proposal.milestones.all()
        ],
    }


def proposal_private(proposal: Proposal) -> dict[str, Any]:
    """The location finer than a governorate: committed to in the log, never published."""
    return {
        "municipality": proposal.municipality,
        "latitude": None if proposal.latitude is None else str(proposal.latitude),
        "longitude": None if proposal.longitude is None else str(proposal.longitude),
    }


# --- partners' risk -----------------------------------------------------------------------


def assessment_list(organisation_iati_id: str) -> QuerySet[PartnerAssessment]:
    """An organisation's assessments, latest first."""
    return (
        PartnerAssessment.objects.select_related("organisation")
        .filter(organisation__iati_identifier=organisation_iati_id)
        .order_by("-log_index")
    )


def assessment_current(organisation_iati_id: str) -> PartnerAssessment | None:
    """The assessment in force: the latest logged."""
    return assessment_list(organisation_iati_id).first()


def assessment_public(assessment: PartnerAssessment) -> dict[str, Any]:
    """What `partner.assessed` logs: the level, date and public summary (the details are
    a commitment; the assessor is the entry's actor, `user:<id>`)."""
    return {
        "assessment": assessment.pk,
        "organisation": assessment.organisation.iati_identifier,
        "risk_level": assessment.risk_level,
        "assessed_on": assessment.assessed_on.isoformat(),
        "summary": assessment.summary,
    }


def partner_list() -> list[tuple[Organisation, PartnerAssessment | None]]:
    """Every Palestinian body with its assessment in force (None: not assessed), by
    identifier; two queries."""
    latest: dict[int, PartnerAssessment] = {}
    for assessment in PartnerAssessment.objects.filter(organisation__is_palestinian=True).order_by(
        "log_index"
    ):
        latest[assessment.organisation_id] = assessment
    return [
        (organisation, latest.get(organisation.pk))
        for organisation in Organisation.objects.filter(is_palestinian=True).order_by(
            "iati_identifier"
        )
    ]


# --- the risk policy ----------------------------------------------------------------------


def risk_policy_in_force() -> dict[str, RiskPolicy] | None:
    """The policy in force, by level (None: none set yet)."""
    latest = RiskPolicy.objects.order_by("-from_index").values_list("from_index", flat=True).first()
    if latest is None:
        return None
    rows = RiskPolicy.objects.select_related("motion").filter(from_index=latest)
    return {row.level: row for row in rows}


def risk_policy_history() -> list[dict[str, RiskPolicy]]:
    """Every policy ever in force, latest first, each by level."""
    policies: dict[int, dict[str, RiskPolicy]] = {}
    for row in RiskPolicy.objects.select_related("motion").order_by("-from_index"):
        policies.setdefault(row.from_index, {})[row.level] = row
    return list(policies.values())


def risk_policy_public(levels: dict[str, RiskPolicy]) -> dict[str, dict[str, Any]]:
    """The levels as `risk_policy.set` logs them and a `risk_policy.change` motion states them."""
    return {
        level: {
            **{name: getattr(levels[level], name) for name in POLICY_FIELDS},
            "max_project_usd": cents_text(levels[level].max_project_cents),
        }
        for level in RiskLevel.values
    }


def risk_level_name(terms: RiskPolicy) -> str:
    """The level in words, in the active language, for a sentence ("a high-risk partner")."""
    return str(RiskLevel(terms.level).label).lower()


def risk_terms_for(organisation_iati_id: str) -> RiskPolicy | None:
    """What the policy in force sets for a partner, by its current risk level (None: not
    assessed, or no policy yet): tranches, first tranche, visits, checks, largest project."""
    assessment = assessment_current(organisation_iati_id)
    policy = risk_policy_in_force()
    if assessment is None or policy is None:
        return None
    return policy[assessment.risk_level]
