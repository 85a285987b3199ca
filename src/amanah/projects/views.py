"""Pages of proposals, partners' risk and the risk policy. Views parse the request, call a
selector or one service, render; a service's errors go onto the form's fields.

Public: the submitted proposals (public fields only), each one, partners' risk levels, the
risk policy. Partner staff: their organisation's workspace, drafts, submit, withdraw. The
secretariat: assess a partner (on the partners' page).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.projects import forms, selectors, services
from amanah.projects.models import Proposal

__all__ = [
    "partners",
    "proposal",
    "proposal_edit",
    "proposal_new",
    "proposal_submit",
    "proposal_withdraw",
    "proposals",
    "proposals_mine",
    "risk_policy",
]


def _require(request: HttpRequest, *roles: Role) -> User:
    if not user_has_role(request.user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))
    return request.user  # type: ignore[return-value]


def _own(request: HttpRequest, proposal_id: uuid.UUID) -> Proposal:
    user = _require(request, Role.PARTNER_STAFF)
    found = (
        selectors.proposal_list_of(str(user.organisation_iati_id)).filter(pk=proposal_id).first()
    )
    if found is None:
        raise Http404("no such proposal of yours")
    return found


@require_safe
def proposals(request: HttpRequest) -> HttpResponse:
    context = {
        "proposals": selectors.proposal_list_public(),
        "is_partner": user_has_role(request.user, Role.PARTNER_STAFF),
    }
    return render(request, "projects/proposals.html", context)


@require_safe
def proposal(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    found = selectors.proposal_list_public().filter(pk=proposal_id).first()
    own = False
    if user_has_role(request.user, Role.PARTNER_STAFF):
        mine = selectors.proposal_list_of(request.user.organisation_iati_id)  # type: ignore[union-attr]
        found = mine.filter(pk=proposal_id).first() or found
        own = found is not None and found.lead.iati_identifier == request.user.organisation_iati_id  # type: ignore[union-attr]
    if found is None:
        raise Http404("no such proposal")
    context = {
        "proposal": found,
        "own": own,
        "budget_total": selectors.cents_text(selectors.proposal_budget_cents(found)),
        # Private messages about it (the inbox app): its partner's staff and the fund's.
        "can_message": own or user_has_role(request.user, Role.SECRETARIAT, Role.MONITOR),
    }
    return render(request, "projects/proposal.html", context)


@require_safe
@login_required
def proposals_mine(request: HttpRequest) -> HttpResponse:
    user = _require(request, Role.PARTNER_STAFF)
    organisation = str(user.organisation_iati_id)
    context = {
        "proposals": selectors.proposal_list_of(organisation).order_by("-created_at"),
        "assessment": selectors.assessment_current(organisation),
        "terms": selectors.risk_terms_for(organisation),
    }
    return render(request, "projects/workspace.html", context)


def _draft_page(request: HttpRequest, draft: Proposal | None) -> HttpResponse:
    user = _require(request, Role.PARTNER_STAFF)
    if draft is not None and not draft.is_draft:
        raise Http404("only a draft can be changed")
    data = request.POST if request.method == "POST" else None
    if data is None and draft is not None:
        fields, line_rows, step_rows = forms.proposal_initial(draft)
        form = forms.ProposalForm(initial=fields)
        lines = forms.BudgetLineFormSet(prefix="lines", initial=line_rows)
        steps = forms.MilestoneFormSet(prefix="steps", initial=step_rows)
    else:
        form = forms.ProposalForm(data)
        lines = forms.BudgetLineFormSet(data, prefix="lines")
        steps = forms.MilestoneFormSet(data, prefix="steps")
    if data is not None and form.is_valid() and lines.is_valid() and steps.is_valid():
        filled = {
            "budget_lines": _filled(lines),
            "milestones": _filled(steps),
        }
        try:
            saved = services.proposal_save_draft(
                proposal=draft,
                **form.service_kwargs(),
                budget_lines=forms.rows(lines),
                milestones=forms.rows(steps),
                actor=user,
            )
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            forms.add_service_error(error, form, lines, steps, filled)
        else:
            messages.success(request, _("Draft saved. It is not public until you submit it."))
            return redirect("projects:proposal", proposal_id=saved.id)
    context = {"form": form, "lines": lines, "steps": steps, "draft": draft}
    return render(request, "projects/proposal_form.html", context, status=400 if data else 200)


def _filled(formset: Any) -> list[int]:
    return [
        n
        for n, form in enumerate(formset.forms)
        if form.cleaned_data and any(v not in ("", None) for v in form.cleaned_data.values())
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    return _draft_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def proposal_edit(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    return _draft_page(request, _own(request, proposal_id))


@require_POST
@login_required
def proposal_submit(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    draft = _own(request, proposal_id)
    try:
        done = services.proposal_submit(proposal=draft, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        context = {
            "proposal": draft,
            "own": True,
            "budget_total": selectors.cents_text(selectors.proposal_budget_cents(draft)),
            "problems": error.message_dict,
        }
        return render(request, "projects/proposal.html", context, status=400)
    messages.success(
        request,
        _("Proposal submitted: log entry %(index)s.") % {"index": done.submitted_index},
    )
    return redirect("projects:proposal", proposal_id=done.id)


@require_POST
@login_required
def proposal_withdraw(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    current = _own(request, proposal_id)
    try:
        services.proposal_withdraw(
            proposal=current,
            reason=request.POST.get("reason", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Proposal withdrawn."))
    return redirect("projects:proposal", proposal_id=current.id)


@require_http_methods(["GET", "HEAD", "POST"])
def partners(request: HttpRequest) -> HttpResponse:
    """Every Palestinian partner's risk level (public); the secretariat's assessment form."""
    rows = selectors.partner_list()
    form = None
    status = 200
    if user_has_role(request.user, Role.SECRETARIAT) or request.method == "POST":
        actor = _require(request, Role.SECRETARIAT)
        choices = [(o.iati_identifier, f"{o.iati_identifier} — {o.display_name}") for o, _a in rows]
        data = request.POST if request.method == "POST" else None
        form = forms.AssessmentForm(data, partners=choices)
        if data is not None:
            status = 400
            if form.is_valid():
                try:
                    done = services.partner_assess(**form.cleaned_data, actor=actor)
                except ValidationError as error:
                    form.add_service_error(error)
                else:
                    messages.success(
                        request,
                        _("Assessment recorded: log entry %(index)s.") % {"index": done.log_index},
                    )
                    return redirect("projects:partners")
    return render(request, "projects/partners.html", {"rows": rows, "form": form}, status=status)


@require_safe
def risk_policy(request: HttpRequest) -> HttpResponse:
    history = selectors.risk_policy_history()
    context = {
        "policy": history[0] if history else None,
        "earlier": history[1:],
        "levels": [("low", _("Low")), ("medium", _("Medium")), ("high", _("High"))],
    }
    return render(request, "projects/risk_policy.html", context)
