"""Pages of rounds: the public round page (rubric, pools, constraints, scores by proposal,
the optimiser's selection beside the greedy baseline), the reviewers' workspace and scoring
page, and the secretariat's pages to create a round and run it (open, add proposals,
follow the scoring, optimise). Views parse the request, call a selector or one service
(adding several proposals is one service call each), render; a service's errors go onto
the page. Draft rounds are seen only on the secretariat's pages."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, user_has_role
from amanah.funds import selectors as fund_selectors
from amanah.funds.money import Money, MoneyError
from amanah.projects import selectors as project_selectors
from amanah.projects.models import governorate_choices, sector_choices
from amanah.rounds import forms, portfolio, selectors, services
from amanah.rounds.models import Round, RoundStatus

__all__ = [
    "round_add_proposals",
    "round_detail",
    "round_list",
    "round_manage",
    "round_new",
    "round_open",
    "round_optimise",
    "round_review",
    "round_score",
]


def _require(request: HttpRequest, *roles: Role) -> User:
    if not user_has_role(request.user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))
    return request.user  # type: ignore[return-value]


@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    is_secretariat = user_has_role(request.user, Role.SECRETARIAT)
    context = {
        "rounds": selectors.round_list(),
        "drafts": selectors.round_list_drafts() if is_secretariat else None,
        "is_secretariat": is_secretariat,
        "is_reviewer": user_has_role(request.user, *services.REVIEWER_ROLES),
    }
    return render(request, "rounds/rounds.html", context)


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
            "can_manage": user_has_role(request.user, Role.SECRETARIAT),
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


# --- the reviewers' workspace --------------------------------------------------------------


@require_safe
@login_required
def round_review(request: HttpRequest) -> HttpResponse:
    """The rounds open for scoring, with how many entries this reviewer has scored on
    every criterion."""
    user = _require(request, *services.REVIEWER_ROLES)
    context = {"rows": selectors.round_list_for_reviewer(user.pk)}
    return render(request, "rounds/review.html", context)


# --- the secretariat: create a round ---------------------------------------------------------


def _available_usd() -> dict[str, int]:
    """Earmark key -> US cents the fund has free to allocate under it."""
    return {
        row.earmark.key: row.available.minor
        for row in fund_selectors.fund_pools()
        if row.available.currency == "USD" and row.available.minor > 0
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    """A draft round: code, titles, rubric, pools, constraints (`services.round_create`)."""
    user = _require(request, Role.SECRETARIAT)
    available = _available_usd()
    data = request.POST if request.method == "POST" else None
    form = forms.RoundForm(data)
    criteria = forms.CriterionFormSet(
        data, prefix="criteria", initial=None if data else list(forms.STANDARD_CRITERIA)
    )
    pools = forms.PoolFormSet(
        data,
        prefix="pools",
        available=available,
        initial=None if data else forms.pool_initial(available),
    )
    if data is not None and form.is_valid() and criteria.is_valid() and pools.is_valid():
        try:
            row = services.round_create(
                **form.service_kwargs(),
                criteria=forms.rows(criteria),
                pools=pools.pools(),
                actor=user,
            )
        except RoleRequired as error:
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            forms.add_service_error(error, form, criteria, pools)
        else:
            messages.success(
                request,
                _("Draft round %(code)s created. Open it when it is ready.") % {"code": row.code},
            )
            return redirect("rounds:manage", code=row.code)
    context = {
        "form": form,
        "criteria": criteria,
        "pools": pools,
        "available": [{"earmark": key, "cents": cents} for key, cents in sorted(available.items())],
    }
    return render(request, "rounds/new.html", context, status=400 if data is not None else 200)


# --- the secretariat: run a round ------------------------------------------------------------


def _managed(request: HttpRequest, code: str) -> tuple[User, Round]:
    user = _require(request, Role.SECRETARIAT)
    row = selectors.round_get(code)
    if row is None:
        raise Http404("no such round")
    return user, row


def _manage_page(
    request: HttpRequest,
    row: Round,
    *,
    action: str = "",
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    sector = request.GET.get("sector", "")
    governorate = request.GET.get("governorate", "")
    addable = []
    if row.status in (RoundStatus.OPEN, RoundStatus.SCORED):
        addable = list(
            selectors.round_proposals_addable(row, sector=sector, governorate=governorate)
        )
    public = selectors.round_public(row)
    context = {
        "round": row,
        "public": public,
        "progress": selectors.round_scoring_progress(row),
        "addable": [
            {
                "proposal": proposal,
                "cost_cents": sum(line.amount_cents for line in proposal.budget_lines.all()),
            }
            for proposal in addable
        ],
        "sectors": sector_choices(),
        "governorates": governorate_choices(),
        "sector": sector,
        "governorate": governorate,
        "action": action,
        "errors": errors or [],
        "is_draft": row.status == RoundStatus.DRAFT,
        "is_open": row.status in (RoundStatus.OPEN, RoundStatus.SCORED),
        "can_optimise": row.status in (RoundStatus.SCORED, RoundStatus.OPTIMISED),
    }
    return render(request, "rounds/manage.html", context, status=status)


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for problems in error.message_dict.values() for m in problems]


@require_safe
@login_required
def round_manage(request: HttpRequest, code: str) -> HttpResponse:
    """The round's status and the secretariat's actions, in order."""
    _user, row = _managed(request, code)
    return _manage_page(request, row)


@require_POST
@login_required
def round_open(request: HttpRequest, code: str) -> HttpResponse:
    user, row = _managed(request, code)
    try:
        services.round_open(round=row, actor=user)
    except ValidationError as error:
        return _manage_page(request, row, action="open", errors=_messages_of(error), status=422)
    messages.success(request, _("The round is open: add proposals, then score them."))
    return redirect("rounds:manage", code=row.code)


@require_POST
@login_required
def round_add_proposals(request: HttpRequest, code: str) -> HttpResponse:
    """Add the proposals ticked, one service call each; say which went in and which not."""
    user, row = _managed(request, code)
    chosen = request.POST.getlist("proposal")
    titles = {
        str(p.pk): p.title
        for p in project_selectors.proposal_list_public().filter(pk__in=_uuids(chosen))
    }
    added, failed = [], []
    for pid in chosen:
        try:
            services.round_add_proposal(round=row.code, proposal=pid, actor=user)
        except ValidationError as error:
            failed.append((titles.get(pid, pid), " ".join(_messages_of(error))))
        else:
            added.append(titles.get(pid, pid))
    if not chosen:
        messages.warning(request, _("Tick at least one proposal to add."))
    if added:
        messages.success(
            request, _("Added to the round: %(titles)s.") % {"titles": "; ".join(added)}
        )
    for title, reason in failed:
        messages.error(
            request, _("Not added: %(title)s: %(reason)s") % {"title": title, "reason": reason}
        )
    query = {k: request.POST[k] for k in ("sector", "governorate") if request.POST.get(k)}
    target = reverse("rounds:manage", kwargs={"code": row.code})
    return redirect(f"{target}?{urlencode(query)}" if query else target)


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


@require_POST
@login_required
def round_optimise(request: HttpRequest, code: str) -> HttpResponse:
    user, row = _managed(request, code)
    try:
        result = services.round_optimise(round=row, actor=user)
    except ValidationError as error:
        return _manage_page(request, row, action="optimise", errors=_messages_of(error), status=422)
    messages.success(
        request,
        _("Optimised: %(count)s proposals selected, logged at entry %(index)s.")
        % {"count": len(result.selected), "index": result.log_index},
    )
    return redirect("rounds:round", code=row.code)


# --- the secretariat: the portfolio to the board -------------------------------------------


def _portfolio_rows(public: dict[str, Any], posted: Any = None) -> list[dict[str, Any]]:
    """One row per proposal of the round: what the optimiser recommends, and what the form
    holds (the recommendation, unless the secretariat changed it)."""
    rows = []
    for entry in public["entries"]:
        pid = entry["proposal"]
        recommended = entry["recommended_cents"] or 0
        default = Money.from_minor(recommended, "USD").to_json()["amount"]
        rows.append(
            {
                "entry": entry,
                "recommended_cents": entry["recommended_cents"],
                "amount": posted.get(f"amount-{pid}", default) if posted else default,
                "justification_en": posted.get(f"why-en-{pid}", "") if posted else "",
                "justification_ar": posted.get(f"why-ar-{pid}", "") if posted else "",
                "errors": [],
            }
        )
    return rows


def _changed(row: dict[str, Any]) -> bool:
    try:
        cents = Money.parse(row["amount"] or "0", "USD").minor
    except (MoneyError, ValueError):
        return True  # let the service name the problem
    return cents != (row["recommended_cents"] or 0)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def round_portfolio(request: HttpRequest, code: str) -> HttpResponse:
    """Put the optimiser's portfolio to the board, changing only what is named and
    justified; each changed row is a deviation."""
    user, row = _managed(request, code)
    public = selectors.round_public(row)
    rows = _portfolio_rows(public, request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST":
        changed = [r for r in rows if _changed(r)]
        deviations = [
            {
                "proposal": r["entry"]["proposal"],
                "amount": r["amount"],
                "justification": {"en": r["justification_en"], "ar": r["justification_ar"]},
            }
            for r in changed
        ]
        try:
            made = portfolio.portfolio_propose(round=row, deviations=deviations, actor=user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                parts = field.split(".")
                if parts[0] == "deviations" and len(parts) > 1 and parts[1].isdigit():
                    changed[int(parts[1])]["errors"].extend(problems)
                else:
                    errors.extend(problems)
        else:
            messages.success(
                request,
                _("The portfolio is before the board as one motion, to be signed."),
            )
            return redirect("portal:motion", motion_id=made.motion_id)
    status = 422 if errors or any(r["errors"] for r in rows) else 200
    context = {
        "round": row,
        "public": public,
        "rows": rows,
        "errors": errors,
        "can_propose": row.status == RoundStatus.OPTIMISED
        and not (public["portfolio"] and public["portfolio"]["status"] == "open"),
    }
    return render(request, "rounds/portfolio.html", context, status=status)
