"""`/workspace/`: where a signed-in user starts the day. One page per role, each listing
what waits for them and linking to the pages where they act: a partner's proposals,
milestones to report and messages; a reviewer's rounds to score; a monitor's milestones
to verify; the secretariat's motions, notifications and messages; a board member's
motions to sign; the logistics coordinator's consignments and materials."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from amanah.accounts.models import Role, User
from amanah.governance.models import Motion, MotionStatus
from amanah.inbox import selectors as inbox
from amanah.monitoring import selectors as monitoring
from amanah.projects import selectors as projects
from amanah.projects.models import ProposalStatus
from amanah.rounds import selectors as rounds

OPEN_MOTIONS_SHOWN = 10


def _partner(user: User) -> dict[str, Any]:
    organisation = str(user.organisation_iati_id)
    proposals = projects.proposal_list_of(organisation)
    return {
        "drafts": proposals.filter(status=ProposalStatus.DRAFT).count(),
        "submitted": proposals.filter(status=ProposalStatus.SUBMITTED).count(),
        "to_report": list(monitoring.milestones_to_report(user)[:10]),
        "assessment": projects.assessment_current(organisation),
        "terms": projects.risk_terms_for(organisation),
    }


def _open_motions() -> list[Motion]:
    return list(
        Motion.objects.filter(status=MotionStatus.OPEN).order_by("-opened_index")[
            :OPEN_MOTIONS_SHOWN
        ]
    )


@require_safe
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, Any] = {"role": user.role}
    if inbox.may_use_inbox(user):
        context["unread"] = inbox.unread_count(user)
        context["threads"] = list(inbox.thread_list_for(user)[:5])
    if user.role == Role.PARTNER_STAFF:
        context["partner"] = _partner(user)
    if user.role in (Role.SECRETARIAT, Role.MONITOR):
        context["rounds_to_score"] = rounds.round_list_for_reviewer(user.pk)
    if user.role == Role.MONITOR:
        context["to_verify"] = list(monitoring.milestones_awaiting_verification()[:10])
    if user.role == Role.SECRETARIAT:
        context["notifications"] = list(monitoring.notification_list().filter(read=False)[:10])
    if user.role in (Role.SECRETARIAT, Role.BOARD_MEMBER):
        context["open_motions"] = _open_motions()
    return render(request, "portal/workspace.html", context)
