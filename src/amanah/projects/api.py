"""Projects over the API: public to read, registered by the secretariat (the service
checks the role: `role_required`, 403), each registration a `project.registered` entry.

Proposals (`/proposals`), partners' capacity assessments (`/partners/{iati}/assessments`)
and the risk policy (`/risk-policy`) live here too. Their routes are declared before
`/{code}`, which would otherwise answer for `/proposals` and `/risk-policy`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status

from amanah.accounts.models import User
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.orgs.models import Organisation
from amanah.projects import selectors, services
from amanah.projects.schemas import (
    AssessmentIn,
    AssessmentListOut,
    AssessmentOut,
    OwnProposalListOut,
    ProjectIn,
    ProjectListOut,
    ProjectOut,
    ProposalIn,
    ProposalListOut,
    ProposalOut,
    ProposalPublicOut,
    ProposalWithdrawalIn,
    RiskPolicyHistoryOut,
    RiskPolicyIn,
    RiskPolicyOut,
    assessment_out,
    project_out,
    proposal_out,
    risk_policy_out,
)
from amanah.projects.selectors import project_list
from amanah.projects.services import project_register

router = Router(tags=["projects"])
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _invalid(error: ValidationError) -> Exception:
    """A service's ValidationError as the API's error: 404 for a proposal not the caller's."""
    codes = {e.code for e in getattr(error, "error_dict", {}).get("proposal", [])}
    if "not_found" in codes:
        return NotFound()
    return RequestInvalid.from_validation_error(error)


# --- proposals ----------------------------------------------------------------------------


@router.get(
    "/proposals",
    response={200: ProposalListOut},
    auth=None,
    summary="Every submitted proposal (public fields only)",
)
def proposals(request: HttpRequest) -> dict[str, Any]:
    found = selectors.proposal_list_public()
    return {"proposals": [proposal_out(p, private=False) for p in found]}


@router.post(
    "/proposals",
    response={201: ProposalOut, **WRITE},
    summary="Save a new draft proposal (partner staff of a Palestinian lead); not logged",
)
def proposal_create(request: HttpRequest, body: ProposalIn) -> Status[dict[str, Any]]:
    try:
        draft = services.proposal_save_draft(**body.dict(), actor=_user(request))
    except ValidationError as error:
        raise _invalid(error) from None
    return Status(201, proposal_out(_reloaded(draft.id), private=True))


@router.get(
    "/proposals/mine",
    response={200: OwnProposalListOut, 401: ErrorOut, 403: ErrorOut},
    summary="Your organisation's proposals, drafts included (partner staff)",
)
def proposals_mine(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    try:
        services.require_partner_staff(user)
    except ValidationError as error:
        raise _invalid(error) from None
    found = selectors.proposal_list_of(str(user.organisation_iati_id)).order_by("-created_at")
    return {"proposals": [proposal_out(p, private=True) for p in found]}


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalPublicOut, 404: ErrorOut},
    auth=None,
    summary="One submitted proposal (public fields only)",
)
def proposal(request: HttpRequest, proposal_id: uuid.UUID) -> dict[str, Any]:
    found = selectors.proposal_list_public().filter(pk=proposal_id).first()
    if found is None:
        raise NotFound()
    return proposal_out(found, private=False)


@router.put(
    "/proposals/{proposal_id}",
    response={200: ProposalOut, **WRITE},
    summary="Replace a draft proposal, budget lines and milestones included; not logged",
)
def proposal_update(
    request: HttpRequest, proposal_id: uuid.UUID, body: ProposalIn
) -> dict[str, Any]:
    try:
        draft = services.proposal_save_draft(
            proposal=proposal_id, **body.dict(), actor=_user(request)
        )
    except ValidationError as error:
        raise _invalid(error) from None
    return proposal_out(_reloaded(draft.id), private=True)


@router.post(
    "/proposals/{proposal_id}/submission",
    response={201: ProposalOut, **WRITE},
    summary="Submit a draft: checked in full, logged as proposal.submitted",
)
def proposal_submission(request: HttpRequest, proposal_id: uuid.UUID) -> Status[dict[str, Any]]:
    try:
        done = services.proposal_submit(proposal=proposal_id, actor=_user(request))
    except ValidationError as error:
        raise _invalid(error) from None
    return Status(201, proposal_out(_reloaded(done.id), private=True))


@router.post(
    "/proposals/{proposal_id}/withdrawal",
    response={201: ProposalOut, **WRITE},
    summary="Withdraw a proposal (logged as proposal.withdrawn once submitted)",
)
def proposal_withdrawal(
    request: HttpRequest, proposal_id: uuid.UUID, body: ProposalWithdrawalIn
) -> Status[dict[str, Any]]:
    try:
        done = services.proposal_withdraw(
            proposal=proposal_id, reason=body.reason, actor=_user(request)
        )
    except ValidationError as error:
        raise _invalid(error) from None
    return Status(201, proposal_out(_reloaded(done.id), private=True))


def _reloaded(proposal_id: uuid.UUID) -> Any:
    return selectors.proposals_with_parts().get(pk=proposal_id)


# --- partners' risk -----------------------------------------------------------------------


@router.get(
    "/partners/{iati_identifier}/assessments",
    response={200: AssessmentListOut, 404: ErrorOut},
    auth=None,
    summary="A partner's capacity assessments: risk level, date, public summary",
)
def assessments(request: HttpRequest, iati_identifier: str) -> dict[str, Any]:
    if not Organisation.objects.filter(iati_identifier=iati_identifier).exists():
        raise NotFound()
    found = [assessment_out(a) for a in selectors.assessment_list(iati_identifier)]
    return {
        "organisation": iati_identifier,
        "current": found[0] if found else None,
        "assessments": found,
    }


@router.post(
    "/partners/{iati_identifier}/assessments",
    response={201: AssessmentOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Record a capacity assessment (the secretariat); logged as partner.assessed",
)
def assessment_create(
    request: HttpRequest, iati_identifier: str, body: AssessmentIn
) -> Status[dict[str, Any]]:
    try:
        done = services.partner_assess(
            organisation=iati_identifier, **body.dict(), actor=_user(request)
        )
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None
    return Status(201, assessment_out(done))


# --- the risk policy ----------------------------------------------------------------------


@router.get(
    "/risk-policy",
    response={200: RiskPolicyHistoryOut},
    auth=None,
    summary="The risk policy in force and every earlier one",
)
def risk_policy(request: HttpRequest) -> dict[str, Any]:
    history = [risk_policy_out(levels) for levels in selectors.risk_policy_history()]
    return {"in_force": history[0] if history else None, "history": history}


@router.post(
    "/risk-policy",
    response={201: RiskPolicyOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Set the first risk policy (the secretariat, once); later: a risk_policy.change motion",
)
def risk_policy_create(request: HttpRequest, body: RiskPolicyIn) -> Status[dict[str, Any]]:
    try:
        levels = services.risk_policy_set(policy=body.dict()["policy"], actor=_user(request))
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None
    return Status(201, risk_policy_out(levels))


# --- projects -----------------------------------------------------------------------------


@router.get("", response={200: ProjectListOut}, auth=None, summary="Every project, by code")
def projects(request: HttpRequest) -> dict[str, Any]:
    return {"projects": [project_out(p) for p in project_list()]}


@router.get("/{code}", response={200: ProjectOut, 404: ErrorOut}, auth=None, summary="One project")
def project(request: HttpRequest, code: str) -> dict[str, Any]:
    found = project_list().filter(code=code).first()
    if found is None:
        raise NotFound()
    return project_out(found)


@router.post(
    "",
    response={201: ProjectOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Register a project led by a Palestinian body (the secretariat)",
)
def project_create(request: HttpRequest, body: ProjectIn) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    try:
        registered = project_register(**body.dict(), actor=user)
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None
    return Status(201, project_out(registered))
