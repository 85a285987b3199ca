"""A round's portfolio, put to the board as one motion (`round.allocate`).

The optimiser recommends; the board decides. The secretariat puts the latest
recommendation (`round.optimised`) to the board, either exactly or with deviations, and
every deviation names the proposal, what the optimiser recommended for it, what the motion
decides instead, and why, in English and/or Arabic. A deviation that is not named cannot
happen: the motion's portfolio is the recommendation with exactly the named changes.

The motion's effect is public, so the deviations appear next to the recommendation on
the round page, in the API and in the log:

    {"round": "R-2026-01", "result": <index of round.optimised>,
     "allocations": [{"allocation", "proposal", "project", "amount", "draws"}, ...],
     "deviations": [{"proposal", "recommended", "decided", "justification": {"en", "ar"}}]}

Each selected proposal becomes a project (`project.registered`), and each allocation is
reserved at once (`fund.allocation_reserved`, in the same transaction) from the pools the
optimiser chose for it; a deviation's money is drawn most specific first from what is
left. When the quorum executes the motion every allocation is approved; if the
secretariat withdraws it, all of their money is available again. The states whose
earmarked money is drawn, and every lead in the portfolio, are recused from the decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.funds import services as funds
from amanah.funds.book import PORTFOLIO_KIND
from amanah.funds.earmarks import Earmark
from amanah.funds.money import USD, Money, MoneyError
from amanah.governance import services as governance
from amanah.governance.models import Motion, MotionStatus
from amanah.ledger.services import service
from amanah.projects.models import Proposal
from amanah.projects.services import project_for_proposal
from amanah.rounds.models import Round, RoundPortfolio, RoundResult, RoundStatus
from amanah.rounds.services import round_locked

__all__ = ["PORTFOLIO_KIND", "portfolio_propose", "register_motion_kinds"]

MAX_JUSTIFICATION = 2000


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _cents(value: object, field: str) -> int:
    """US dollars as given (a decimal string or number, never a float) in whole cents."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _invalid(field, _("Give an amount in US dollars, like 250000.00."))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _invalid(field, _("Give an amount in US dollars, like 250000.00.")) from None
    if not amount.is_finite() or amount < 0:
        raise _invalid(field, _("Give an amount of zero or more US dollars."))
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise _invalid(field, _("US dollars have at most two decimals."))
    return int(cents)


def _justification(item: Mapping[str, Any], field: str) -> dict[str, str]:
    given = item.get("justification")
    if isinstance(given, Mapping):
        texts = {lang: str(given.get(lang) or "").strip() for lang in ("en", "ar")}
    else:
        texts = {
            "en": str(item.get("justification_en") or "").strip(),
            "ar": str(item.get("justification_ar") or "").strip(),
        }
    if not (texts["en"] or texts["ar"]):
        raise _invalid(
            field, _("Say why the board departs from the optimiser, in English or Arabic.")
        )
    if any(len(text) > MAX_JUSTIFICATION for text in texts.values()):
        raise _invalid(
            field,
            _("Keep the justification under {count} characters.").format(count=MAX_JUSTIFICATION),
        )
    return texts


def _usd(cents: int) -> str:
    return Money.from_minor(cents, USD).to_json()["amount"]


def _deviations(
    row: Round, recommended: Mapping[str, int], given: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The decided portfolio (proposal id -> cents) and the deviations as logged."""
    costs = {
        str(entry.proposal_id): sum(line.amount_cents for line in entry.proposal.budget_lines.all())
        for entry in row.entries.select_related("proposal").prefetch_related(
            "proposal__budget_lines"
        )
    }
    decided = dict(recommended)
    logged: list[dict[str, Any]] = []
    for number, item in enumerate(given):
        field = f"deviations.{number}"
        if not isinstance(item, Mapping):
            raise _invalid(field, _("Give each deviation as a proposal, an amount and a reason."))
        proposal = str(item.get("proposal") or "").strip()
        if proposal not in costs:
            raise _invalid(f"{field}.proposal", _("Name a proposal of this round."))
        if any(d["proposal"] == proposal for d in logged):
            raise _invalid(f"{field}.proposal", _("Name each proposal in one deviation only."))
        cents = _cents(item.get("amount"), f"{field}.amount")
        if cents > costs[proposal]:
            raise _invalid(
                f"{field}.amount",
                _("The proposal asks for {cost} US dollars; a round funds at most that.").format(
                    cost=_usd(costs[proposal])
                ),
            )
        before = recommended.get(proposal, 0)
        if cents == before:
            raise _invalid(
                f"{field}.amount", _("This is what the optimiser recommends: not a deviation.")
            )
        reason = _justification(item, f"{field}.justification")
        if cents:
            decided[proposal] = cents
        else:
            decided.pop(proposal, None)
        logged.append(
            {
                "proposal": proposal,
                "recommended": _usd(before) if before else None,
                "decided": _usd(cents) if cents else None,
                "justification": reason,
            }
        )
    if not decided:
        raise _invalid("deviations", _("A portfolio funds at least one proposal."))
    return decided, sorted(logged, key=lambda d: d["proposal"])


@service
def portfolio_propose(
    *, round: Round | str, deviations: Iterable[Mapping[str, Any]] = (), actor: User
) -> RoundPortfolio:
    """Put the round's latest recommended portfolio to the board as one motion, changed
    only by the named, justified `deviations` ([{proposal, amount (USD; 0 drops it),
    justification: {en, ar}}])."""
    require_role(actor, Role.SECRETARIAT)
    row = round_locked(round)
    if row.status != RoundStatus.OPTIMISED:
        raise _invalid(
            "round", _("Only an optimised round's portfolio can go to the board."), "not_optimised"
        )
    if row.portfolios.filter(motion__status=MotionStatus.OPEN).exists():
        raise _invalid(
            "round",
            _("A portfolio of this round is before the board; withdraw it first."),
            "pending",
        )
    result: RoundResult | None = row.results.order_by("-log_index").first()
    if result is None:  # OPTIMISED implies a result; kept for the type checker
        raise _invalid("round", _("The round has no optimiser result."), "not_optimised")
    recommended = {pid: sum(draws.values()) for pid, draws in result.draws.items()}
    for pid in result.selected:
        recommended.setdefault(pid, 0)
    decided, logged = _deviations(row, recommended, deviations)

    proposals = {
        str(p.pk): p for p in Proposal.objects.select_related("lead").filter(pk__in=list(decided))
    }
    ordered = sorted(decided)
    by = f"user:{actor.pk}"
    projects = {pid: project_for_proposal(proposals[pid], actor=by) for pid in ordered}
    items = []
    for pid in ordered:
        money = Money.from_minor(decided[pid], USD)
        funds.check_project_size(projects[pid], money, f"proposal.{pid}")
        named = None
        if recommended.get(pid) == decided[pid] and pid not in {d["proposal"] for d in logged}:
            named = [
                (Earmark.from_key(key), Money.from_minor(cents, USD))
                for key, cents in sorted(result.draws[pid].items())
            ]
        items.append((projects[pid], money, named))
    try:
        planned = funds.plan_draws(items, field="deviations")
    except MoneyError as error:
        raise _invalid("deviations", str(error)) from None
    allocations = [
        {
            "allocation": str(uuid.uuid4()),
            "proposal": pid,
            "project": str(projects[pid].id),
            "amount": Money.from_minor(decided[pid], USD).to_json(),
            "draws": funds.draws_json(draws),
        }
        for pid, draws in zip(ordered, planned, strict=True)
    ]
    total = Money.from_minor(sum(decided.values()), USD)
    changed = len(logged)
    motion = governance.open_prepared_motion(
        kind=PORTFOLIO_KIND,
        title={
            "en": f"Allocate {total} to {len(ordered)} projects of round {row.code}"
            + (f", with {changed} deviation(s) from the optimiser" if changed else ""),
            "ar": f"تخصيص {total} لـ {len(ordered)} مشروعًا من الجولة {row.code}"
            + (f"، مع {changed} انحراف عن توصية المحسِّن" if changed else ""),
        },
        body={"en": row.title_en, "ar": row.title_ar},
        effect={
            "round": row.code,
            "result": result.log_index,
            "allocations": allocations,
            "deviations": logged,
        },
        earmarked_by=sorted({s for draws in planned for s in funds.earmarking_states(draws)}),
        beneficiaries=sorted({projects[pid].lead.iati_identifier for pid in ordered}),
        actor=actor,
    )
    for pid, item, draws in zip(ordered, allocations, planned, strict=True):
        funds.allocation_reserve_for_motion(
            allocation_id=uuid.UUID(item["allocation"]),
            project=projects[pid],
            money=Money.from_minor(decided[pid], USD),
            draws=draws,
            motion=motion,
            actor=by,
        )
    return RoundPortfolio.objects.create(round=row, result=result, motion=motion, deviations=logged)


def _execute(motion: Motion, decided_index: int) -> None:
    funds.approve_allocations(motion, decided_index)
    Round.objects.filter(portfolios__motion=motion).update(status=RoundStatus.ALLOCATED)


def register_motion_kinds() -> None:
    """Tell the board's services what a portfolio motion does (RoundsConfig.ready)."""
    governance.PREPARED_KINDS.add(PORTFOLIO_KIND)
    governance.EXECUTION_HANDLERS[PORTFOLIO_KIND] = _execute
    governance.WITHDRAWAL_HANDLERS[PORTFOLIO_KIND] = funds.release_allocations
