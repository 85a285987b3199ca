"""Pages of rounds: the public round page (rubric, pools, constraints, scores by proposal,
the optimiser's selection beside the greedy baseline) and the reviewers' scoring page.
Views parse the request, call a selector or one service, render; a service's errors go
onto the page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from amanah.accounts.models import User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.rounds import selectors, services
from amanah.rounds.models import Round, RoundStatus

__all__ = ["round_detail", "round_list", "round_score"]


@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    return render(request, "rounds/rounds.html", {"rounds": selectors.round_list()})


def _round(code: str) -> tuple[Round, dict[str, Any]]:
    row = selectors.round_get(code)
    if row is None or row.status == RoundStatus.DRAFT:
        raise Http404("no such round")
    return row, selectors.round_public(row)


@require_safe
def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    row, public = _round(code)
    result = public["result"]
    return render(
        request,
        "rounds/round.html",
        {
            "round": row,
            "public": public,
            "result": result,
            "can_score": user_has_role(request.user, *services.REVIEWER_ROLES)
            and public["status"] in (RoundStatus.OPEN, RoundStatus.SCORED),
        },
    )


@require_http_methods(["GET", "POST"])
def round_score(request: HttpRequest, code: str) -> HttpResponse:
    if not user_has_role(request.user, *services.REVIEWER_ROLES):
        raise PermissionDenied(_("Your role does not allow this."))
    user: User = request.user  # type: ignore[assignment]
    row, public = _round(code)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.score_record(
                round=code,
                proposal=request.POST.get("proposal", ""),
                criterion=request.POST.get("criterion", ""),
                score=request.POST.get("score", ""),
                actor=user,
            )
        except ValidationError as error:
            errors = [str(m) for messages in error.message_dict.values() for m in messages]
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        else:
            return redirect("rounds:score", code=code)
    mine = {
        (s["criterion"], entry["proposal"]): s["score"]
        for entry in public["entries"]
        for s in entry["scores"]
        if s["reviewer"] == f"user:{user.pk}"
    }
    rows = [
        {
            "entry": entry,
            "criteria": [
                {
                    "code": c["code"],
                    "weight": c["weight"],
                    "mine": mine.get((c["code"], entry["proposal"])),
                }
                for c in public["criteria"]
            ],
        }
        for entry in public["entries"]
    ]
    return render(
        request,
        "rounds/score.html",
        {"round": row, "public": public, "rows": rows, "errors": errors},
        status=422 if errors else 200,
    )
