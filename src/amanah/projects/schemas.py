"""API schemas of projects, proposals, partners' risk and the risk policy, one per
operation. Public answers carry only the public fields, which the log publishes anyway
(`selectors.*_public`); only the lead's own staff see a proposal's private location."""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from amanah.projects.models import PartnerAssessment, Project, Proposal, RiskPolicy
from amanah.projects.selectors import proposal_private, proposal_public, risk_policy_public

__all__ = [
    "AssessmentIn",
    "AssessmentListOut",
    "AssessmentOut",
    "OwnProposalListOut",
    "ProjectIn",
    "ProjectListOut",
    "ProjectOut",
    "ProposalIn",
    "ProposalListOut",
    "ProposalOut",
    "ProposalPublicOut",
    "ProposalWithdrawalIn",
    "RiskPolicyHistoryOut",
    "RiskPolicyIn",
    "RiskPolicyOut",
    "assessment_out",
    "project_out",
    "proposal_out",
    "risk_policy_out",
]


class ProjectIn(Schema):
    code: str = Field(max_length=40, description="A short public reference, like GZ-HOU-0001.")
    title_en: str = Field("", max_length=300, description="A title in one language at least.")
    title_ar: str = Field("", max_length=300)
    lead: str = Field(max_length=150, description="IATI identifier of a Palestinian body.")
    sector: str = Field(max_length=20, description="A sector code, like housing.")
    governorate: str = Field(max_length=10, description="A governorate P-code, like PS0270.")


class ProjectOut(Schema):
    id: uuid.UUID
    code: str
    title_en: str
    title_ar: str
    lead: str = Field(description="The lead organisation's IATI identifier.")
    sector: str
    governorate: str
    status: str = Field(description="active or closed.")
    registered_index: int = Field(description="Index of its `project.registered` entry.")


class ProjectListOut(Schema):
    projects: list[ProjectOut] = Field(description="By code.")


def project_out(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "code": project.code,
        "title_en": project.title_en,
        "title_ar": project.title_ar,
        "lead": project.lead.iati_identifier,
        "sector": project.sector,
        "governorate": project.governorate,
        "status": project.status,
        "registered_index": project.registered_index,
    }


# --- proposals ----------------------------------------------------------------------------


class ProposalBudgetLineIn(Schema):
    description: str = Field(max_length=300)
    amount: str = Field(description="US dollars as a decimal string, like 125000.00.")


class ProposalMilestoneIn(Schema):
    title: str = Field(max_length=300)
    due_on: str = Field(description="YYYY-MM-DD, between the start and end dates.")
    budget_percent: str = Field(description="Share of the budget, like 25 or 12.5.")


class ProposalIn(Schema):
    """A draft: everything may be left empty until it is submitted."""

    title_en: str = Field("", max_length=300)
    title_ar: str = Field("", max_length=300)
    description_en: str = Field("", max_length=5000)
    description_ar: str = Field("", max_length=5000)
    sector: str = Field("", max_length=20, description="An Amanah sector code, like housing.")
    dac_codes: list[str] = Field([], description="DAC 5-digit codes, all in the sector.")
    governorate: str = Field("", max_length=10, description="A P-code, like PS0270.")
    municipality: str = Field("", max_length=120, description="Private: never published.")
    latitude: str | None = Field(None, description="Private: decimal degrees.")
    longitude: str | None = Field(None, description="Private: decimal degrees.")
    beneficiaries_total: int = 0
    beneficiaries_women: int = 0
    beneficiaries_children: int = 0
    starts_on: str | None = Field(None, description="YYYY-MM-DD.")
    ends_on: str | None = Field(None, description="YYYY-MM-DD.")
    co_implementers: list[str] = Field([], description="IATI identifiers.")
    budget_lines: list[ProposalBudgetLineIn] = Field([])
    milestones: list[ProposalMilestoneIn] = Field([])


class ProposalBudgetLineOut(Schema):
    description: str
    amount: str = Field(description="US dollars.")


class ProposalMilestoneOut(Schema):
    title: str
    due_on: str
    budget_percent: str


class ProposalBeneficiariesOut(Schema):
    total: int
    women: int
    children: int


class ProposalPublicOut(Schema):
    """A submitted proposal as the public sees it (what `proposal.submitted` logs)."""

    id: uuid.UUID
    status: str = Field(description="submitted or withdrawn.")
    submitted_index: int
    withdrawn_index: int | None
    lead: str
    co_implementers: list[str]
    title_en: str
    title_ar: str
    description_en: str
    description_ar: str
    sector: str
    dac_codes: list[str]
    governorate: str
    beneficiaries: ProposalBeneficiariesOut
    starts_on: str | None
    ends_on: str | None
    budget_total: str = Field(description="US dollars: the sum of the lines.")
    budget_lines: list[ProposalBudgetLineOut]
    milestones: list[ProposalMilestoneOut]


class ProposalListOut(Schema):
    proposals: list[ProposalPublicOut] = Field(description="Newest submission first.")


class ProposalOut(Schema):
    """A proposal as its lead's staff see it: drafts, and the private location too."""

    id: uuid.UUID
    status: str = Field(description="draft, submitted or withdrawn.")
    submitted_index: int | None
    withdrawn_index: int | None
    lead: str
    co_implementers: list[str]
    title_en: str
    title_ar: str
    description_en: str
    description_ar: str
    sector: str
    dac_codes: list[str]
    governorate: str
    municipality: str
    latitude: str | None
    longitude: str | None
    beneficiaries: ProposalBeneficiariesOut
    starts_on: str | None
    ends_on: str | None
    budget_total: str
    budget_lines: list[ProposalBudgetLineOut]
    milestones: list[ProposalMilestoneOut]


class OwnProposalListOut(Schema):
    proposals: list[ProposalOut] = Field(description="Your organisation's, newest first.")


class ProposalWithdrawalIn(Schema):
    reason: str = Field("", max_length=1000, description="Required once submitted.")


def proposal_out(proposal: Proposal, *, private: bool) -> dict[str, Any]:
    public = proposal_public(proposal)
    out = {
        "id": proposal.id,
        "status": proposal.status,
        "submitted_index": proposal.submitted_index,
        "withdrawn_index": proposal.withdrawn_index,
        **{k: public[k] for k in ("lead", "co_implementers", "title_en", "title_ar")},
        **{k: public[k] for k in ("description_en", "description_ar", "sector", "dac_codes")},
        "governorate": public["governorate"],
        "beneficiaries": public["beneficiaries"],
        "starts_on": public["starts_on"],
        "ends_on": public["ends_on"],
        "budget_total": public["budget"]["total"],
        "budget_lines": public["budget"]["lines"],
        "milestones": public["milestones"],
    }
    if private:
        out.update(proposal_private(proposal))
    return out


# --- partners' risk and the policy ----------------------------------------------------------


class AssessmentIn(Schema):
    risk_level: str = Field(description="low, medium or high.")
    assessed_on: str = Field(description="YYYY-MM-DD, not in the future.")
    summary: str = Field(max_length=500, description="Public.")
    details: str = Field("", max_length=10000, description="Not public: a commitment in the log.")


class AssessmentOut(Schema):
    id: int
    organisation: str
    risk_level: str
    assessed_on: str
    summary: str
    log_index: int = Field(description="Index of its `partner.assessed` entry.")


class AssessmentListOut(Schema):
    organisation: str
    current: AssessmentOut | None = Field(description="The latest: the level in force.")
    assessments: list[AssessmentOut] = Field(description="Latest first.")


def assessment_out(assessment: PartnerAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "organisation": assessment.organisation.iati_identifier,
        "risk_level": assessment.risk_level,
        "assessed_on": assessment.assessed_on.isoformat(),
        "summary": assessment.summary,
        "log_index": assessment.log_index,
    }


class RiskLevelTerms(Schema):
    tranches: int = Field(description="How many tranches a project is paid in.")
    max_first_tranche_percent: int = Field(description="Largest first tranche, % of budget.")
    monitoring_visits: int = Field(description="Monitoring visits per project.")
    spot_check_required: bool
    audit_required: bool
    max_project_usd: str = Field(description="Largest project, US dollars.")


class RiskPolicyLevels(Schema):
    low: RiskLevelTerms
    medium: RiskLevelTerms
    high: RiskLevelTerms


class RiskPolicyIn(Schema):
    policy: RiskPolicyLevels


class RiskPolicyOut(Schema):
    from_index: int = Field(description="Index of its `risk_policy.set` entry.")
    motion: uuid.UUID | None = Field(description="The motion that set it; null for the first.")
    levels: RiskPolicyLevels


class RiskPolicyHistoryOut(Schema):
    in_force: RiskPolicyOut | None = Field(description="Null until the first is set.")
    history: list[RiskPolicyOut] = Field(description="Every policy, latest first.")


def risk_policy_out(levels: dict[str, RiskPolicy]) -> dict[str, Any]:
    first = next(iter(levels.values()))
    return {
        "from_index": first.from_index,
        "motion": first.motion_id,
        "levels": risk_policy_public(levels),
    }
