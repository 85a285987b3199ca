"""An illustrative allocation round for `load_demo`: one round across the five
governorates, scored by two reviewers, optimised, and put to the board with one named
deviation (the optimiser leaves Rafah's water out; the board funds its reservoir), which
the board signs.

ILLUSTRATIVE ONLY: invented scores and amounts, written through the real services under the
real kinds (`round.opened`, `round.scored`, `round.optimised`, `round.allocate`), so the
pages, the API, `amanah allocation replay` and `amanah audit` treat them like real data.
Runs in the caller's open transaction, after the proposals (projects/demo.py).

The round takes the proposals of bodies that hold no seat on the board: under the demo's
policy both Palestinian seats must sign, and a seat is recused from a motion that funds its
own body, so a portfolio with a project of the Ministry of Public Works or of Gaza
Municipality could never pass (see the closing notes of stop 9).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from amanah.accounts.models import User
from amanah.governance.models import Motion, MotionStatus, Seat
from amanah.projects.models import Proposal, ProposalStatus
from amanah.rounds import portfolio, services
from amanah.rounds.models import RoundPortfolio

__all__ = ["ROUND", "load_demo_round", "pass_with_unrecused_seats"]

Sign = Callable[..., Motion]
ROUND = "R-2026-01"
SEATLESS_LEADS = (
    "XI-DEMO-PS-MOEHE",
    "XI-DEMO-PS-MOH",
    "XI-DEMO-PS-PMRS",
    "XI-DEMO-PS-PHC",
    "XI-DEMO-PS-CMWU",
)
# Every proposal's scores on the five standard criteria, by its lead and sector, from the
# secretariat's reviewer and the monitor: (severity, cost per beneficiary, sector priority,
# partner performance and risk, readiness).
Marks = tuple[tuple[str, ...], tuple[str, ...]]
SCORES: dict[tuple[str, str], Marks] = {
    ("XI-DEMO-PS-PHC", "housing"): (("5", "2.5", "5", "3", "3.5"), ("4.5", "3", "5", "3", "3")),
    ("XI-DEMO-PS-MOEHE", "education"): (("4", "4", "4", "4.5", "4"), ("4", "3.5", "4", "4", "4.5")),
    ("XI-DEMO-PS-MOH", "health"): (("4.5", "4", "4.5", "3.5", "3"), ("4", "4.5", "4.5", "3", "4")),
    ("XI-DEMO-PS-CMWU", "wash"): (("5", "5", "4", "4.5", "2.5"), ("4.5", "5", "4", "4.5", "3")),
    ("XI-DEMO-PS-PMRS", "energy"): (("4", "3", "3", "2", "4"), ("3.5", "3", "3", "2.5", "4")),
}  # fmt: skip
# The temporary classrooms (education in Khan Younis) are scored apart from the schools.
SCORES_KHAN_YOUNIS_CLASSROOMS = (("4", "3", "4", "4.5", "5"), ("3.5", "3", "4", "4", "5"))


def _scores(proposal: Proposal) -> Marks:
    if proposal.sector == "education" and proposal.governorate == "PS0270":
        return SCORES_KHAN_YOUNIS_CLASSROOMS
    return SCORES[proposal.lead.iati_identifier, proposal.sector]


def pass_with_unrecused_seats(motion: Motion, sign: Sign) -> Motion:
    """Sign with every seat the motion does not recuse, one at a time, until it executes."""
    recused_countries = set(motion.earmarked_by)
    recused_bodies = set(motion.beneficiaries)
    for seat in Seat.objects.select_related("organisation").order_by("id"):
        body = seat.organisation.iati_identifier if seat.organisation else None
        if seat.country in recused_countries or body in recused_bodies:
            continue
        motion = sign(motion, seat.id)
        if motion.status == MotionStatus.EXECUTED:
            break
    return motion


def load_demo_round(*, secretariat: User, monitor: User, sign: Sign) -> RoundPortfolio:
    """Run the demo's first round through the services and have the board decide it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("load_demo_round must run inside transaction.atomic()")
    services.round_create.in_callers_transaction(
        code=ROUND,
        title_en="First allocation round of 2026: rebuilding basic services (demo)",
        title_ar="جولة التخصيص الأولى لعام 2026: إعادة بناء الخدمات الأساسية (تجريبي)",
        criteria=services.STANDARD_CRITERIA,
        pools=[
            {"sector": "", "governorate": "", "amount_cents": 280_000_000},
            {"sector": "housing", "governorate": "PS0270", "amount_cents": 120_000_000},
            {"sector": "health", "governorate": "", "amount_cents": 50_000_000},
        ],
        min_share_by_sector={"health": "0.1", "education": "0.1"},
        max_share_by_sector={"housing": "0.4"},
        min_share_by_governorate={"PS0255": "0.05"},
        max_per_partner_cents=180_000_000,
        actor=secretariat,
    )
    services.round_open.in_callers_transaction(round=ROUND, actor=secretariat)
    proposals = list(
        Proposal.objects.select_related("lead")
        .filter(status=ProposalStatus.SUBMITTED, lead__iati_identifier__in=SEATLESS_LEADS)
        .order_by("submitted_index")
    )
    criteria = [c["code"] for c in services.STANDARD_CRITERIA]
    for proposal in proposals:
        services.round_add_proposal.in_callers_transaction(
            round=ROUND, proposal=str(proposal.pk), actor=secretariat
        )
    for proposal in proposals:
        for reviewer, marks in zip((secretariat, monitor), _scores(proposal), strict=True):
            for criterion, score in zip(criteria, marks, strict=True):
                services.score_record.in_callers_transaction(
                    round=ROUND,
                    proposal=str(proposal.pk),
                    criterion=criterion,
                    score=score,
                    actor=reviewer,
                )
    result = services.round_optimise.in_callers_transaction(round=ROUND, actor=secretariat)
    made = portfolio.portfolio_propose.in_callers_transaction(
        round=ROUND, deviations=_deviation(proposals, result.selected), actor=secretariat
    )
    pass_with_unrecused_seats(made.motion, sign)
    made.refresh_from_db()
    return made


def _deviation(proposals: list[Proposal], selected: list[str]) -> list[dict[str, object]]:
    """One named, justified deviation: the board funds the reservoir of Rafah's
    desalination proposal (its second budget line) even though the optimiser leaves the
    proposal out."""
    water = next(p for p in proposals if p.sector == "wash")
    if str(water.pk) in selected:
        return []
    return [
        {
            "proposal": str(water.pk),
            "amount": "500000.00",
            "justification": {
                "en": "Rafah's wells are saline and no other donor covers water there this"
                " year; the board funds the reservoir now, from flexible money, and the"
                " desalination unit in the next round (demo).",
                "ar": "آبار رفح مالحة ولا يغطي أي مانح آخر المياه هناك هذا العام؛ يموّل"
                " المجلس الخزان الآن من الأموال غير المخصصة، ووحدة التحلية في الجولة"
                " القادمة (تجريبي).",
            },
        }
    ]
