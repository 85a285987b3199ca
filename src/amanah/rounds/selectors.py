"""Reads of the rounds for pages and the API: public facts only (reviewers appear as
`user:<id>` handles, never by name)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from amanah.governance.models import MotionStatus
from amanah.projects.models import Project, Proposal, ProposalStatus
from amanah.rounds.models import (
    Round,
    RoundCriterion,
    RoundPortfolio,
    RoundResult,
    RoundStatus,
    Score,
)
from amanah.rounds.services import mean_score

__all__ = [
    "round_get",
    "round_latest",
    "round_list",
    "round_list_drafts",
    "round_list_for_reviewer",
    "round_portfolios",
    "round_proposals_addable",
    "round_public",
    "round_result_latest",
    "round_scoring_progress",
]


def round_list() -> QuerySet[Round]:
    return Round.objects.exclude(status="draft")


def round_latest() -> Round | None:
    """The round opened last (drafts are not public), or None before the first."""
    return round_list().order_by("-created_index").first()


def round_get(code: str) -> Round | None:
    return Round.objects.filter(code=code).first()


def round_result_latest(row: Round) -> RoundResult | None:
    return row.results.order_by("-log_index").first()


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def round_portfolios(row: Round) -> list[dict[str, Any]]:
    """The round's portfolio motions, newest first, as their effects state them: what each
    allocates to which proposal (and the project it became) and each named deviation."""
    found = list(
        RoundPortfolio.objects.filter(round=row)
        .select_related("motion")
        .order_by("-motion__opened_index")
    )
    project_ids = {
        item["project"] for p in found for item in p.motion.effect.get("allocations", [])
    }
    codes = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "code"))
    return [
        {
            "motion": str(p.motion_id),
            "status": p.motion.status,
            "title": p.motion.title,
            "opened_index": p.motion.opened_index,
            "executed_index": p.motion.executed_index,
            "withdrawn_index": p.motion.withdrawn_index,
            "result": p.motion.effect.get("result"),
            "allocations": [
                {
                    "proposal": item["proposal"],
                    "project": codes.get(uuid.UUID(item["project"]), item["project"]),
                    "amount": item["amount"]["amount"],
                    "currency": item["amount"]["currency"],
                }
                for item in p.motion.effect.get("allocations", [])
            ],
            "deviations": p.motion.effect.get("deviations", []),
        }
        for p in found
    ]


def round_public(row: Round) -> dict[str, Any]:
    """The round as the public sees it: rubric, pools, constraints, proposals with every
    logged score and the means the optimiser reads, and the latest result beside the greedy
    baseline."""
    criteria = list(row.criteria.all())
    scores: dict[int, list[Score]] = defaultdict(list)
    for score in Score.objects.filter(entry__round=row).select_related("criterion"):
        scores[score.entry_id].append(score)
    result = round_result_latest(row)
    selected = set(result.selected) if result else set()
    recommended = {pid: sum(d.values()) for pid, d in result.draws.items()} if result else {}
    portfolios = round_portfolios(row)
    current = next((p for p in portfolios if p["status"] != MotionStatus.WITHDRAWN), None)
    decided = (
        {a["proposal"]: _cents(a["amount"]) for a in current["allocations"]} if current else {}
    )
    reasons = {d["proposal"]: d["justification"] for d in current["deviations"]} if current else {}
    became = {a["proposal"]: a["project"] for a in current["allocations"]} if current else {}
    greedy = set(result.greedy["selected"]) if result else set()
    entries = []
    for entry in row.entries.select_related("proposal__lead").prefetch_related(
        "proposal__budget_lines"
    ):
        proposal, mine = entry.proposal, scores[entry.pk]
        by_code: dict[str, list[Decimal]] = defaultdict(list)
        for score in mine:
            by_code[score.criterion.code].append(score.score)
        pid = str(proposal.pk)
        entries.append(
            {
                "proposal": pid,
                "title": proposal.title,
                "sector": proposal.sector,
                "governorate": proposal.governorate,
                "partner": proposal.lead.iati_identifier,
                "cost_cents": sum(line.amount_cents for line in proposal.budget_lines.all()),
                "beneficiaries": proposal.beneficiaries_total,
                "log_index": entry.log_index,
                "scores": [
                    {
                        "criterion": score.criterion.code,
                        "reviewer": f"user:{score.reviewer_id}",
                        "score": _text(score.score),
                        "log_index": score.log_index,
                    }
                    for score in sorted(mine, key=lambda s: s.log_index)
                ],
                "means": {
                    c.code: _text(mean_score(by_code[c.code])) if by_code[c.code] else None
                    for c in criteria
                },
                "selected": pid in selected,
                "greedy": pid in greedy,
                "recommended_cents": recommended.get(pid) if pid in selected else None,
                "decided_cents": decided.get(pid) if current else None,
                "deviation": reasons.get(pid),
                "project": became.get(pid),
            }
        )
    return {
        "id": str(row.pk),
        "code": row.code,
        "title_en": row.title_en,
        "title_ar": row.title_ar,
        "status": row.status,
        "currency": row.currency,
        "opened_index": row.created_index,
        "criteria": [
            {"code": c.code, "name_en": c.name_en, "name_ar": c.name_ar, "weight": _text(c.weight)}
            for c in criteria
        ],
        "pools": [
            {"earmark": pool.earmark.key, "amount_cents": pool.amount_cents}
            for pool in sorted(row.pools.all(), key=lambda p: p.earmark.key)
        ],
        "envelope_cents": sum(pool.amount_cents for pool in row.pools.all()),
        "constraints": row.constraints_json(),
        "entries": entries,
        "portfolio": current,
        "portfolios": portfolios,
        "result": None
        if result is None
        else {
            "selected": result.selected,
            "draws": result.draws,
            "total_score": result.total_score,
            "greedy": result.greedy,
            "solver": result.solver,
            "log_index": result.log_index,
        },
    }


# --- the secretariat's and the reviewers' pages ---------------------------------------------


def round_list_drafts() -> QuerySet[Round]:
    """Draft rounds: seen only by the secretariat, on its management pages."""
    return Round.objects.filter(status=RoundStatus.DRAFT)


def round_proposals_addable(
    row: Round, *, sector: str = "", governorate: str = ""
) -> QuerySet[Proposal]:
    """Submitted proposals not yet in the round (optionally of one sector or governorate),
    with their lead and budget lines loaded; oldest submission first."""
    found = (
        Proposal.objects.filter(status=ProposalStatus.SUBMITTED)
        .exclude(round_entries__round=row)
        .select_related("lead")
        .prefetch_related("budget_lines")
        .order_by("submitted_index")
    )
    if sector:
        found = found.filter(sector=sector)
    if governorate:
        found = found.filter(governorate=governorate)
    return found


def _complete_by_reviewer(rows: list[Round], reviewer: int | None = None) -> dict[Any, set[int]]:
    """(round id, reviewer id) -> the entries that reviewer has scored on every criterion
    of the round; two queries."""
    criteria = dict(
        RoundCriterion.objects.filter(round__in=rows)
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    scores = Score.objects.filter(entry__round__in=rows)
    if reviewer is not None:
        scores = scores.filter(reviewer_id=reviewer)
    complete: dict[Any, set[int]] = defaultdict(set)
    for round_id, reviewer_id, entry_id, n in (
        scores.values("entry__round_id", "reviewer_id", "entry_id")
        .annotate(n=Count("criterion_id", distinct=True))
        .values_list("entry__round_id", "reviewer_id", "entry_id", "n")
        .order_by()
    ):
        if n == criteria.get(round_id):
            complete[round_id, reviewer_id].add(entry_id)
    return complete


def round_scoring_progress(row: Round) -> dict[str, Any]:
    """How far the scoring is: per reviewer (as `user:<id>`), the entries they scored on
    every criterion; per entry, how many reviewers did; and how many entries have at least
    one score on every criterion (what optimising needs)."""
    criteria = row.criteria.count()
    entries = list(row.entries.values_list("pk", flat=True))
    complete = _complete_by_reviewer([row])
    scored: dict[int, set[int]] = defaultdict(set)
    for entry_id, criterion_id in (
        Score.objects.filter(entry__round=row).values_list("entry_id", "criterion_id").distinct()
    ):
        scored[entry_id].add(criterion_id)
    reviewers_per_entry: dict[int, int] = defaultdict(int)
    for done in complete.values():
        for entry_id in done:
            reviewers_per_entry[entry_id] += 1
    by_count: dict[int, int] = defaultdict(int)
    for entry_id in entries:
        by_count[reviewers_per_entry[entry_id]] += 1
    return {
        "entries": len(entries),
        "criteria": criteria,
        "ready": sum(1 for e in entries if criteria and len(scored[e]) == criteria),
        "reviewers": [
            {"reviewer": f"user:{reviewer_id}", "complete": len(done)}
            for (_round_id, reviewer_id), done in sorted(complete.items(), key=lambda i: i[0][1])
        ],
        "entries_by_reviewers": [
            {"reviewers": n, "entries": by_count[n]} for n in sorted(by_count, reverse=True)
        ],
    }


def round_list_for_reviewer(reviewer: int) -> list[dict[str, Any]]:
    """The rounds open for scoring, each with its number of entries and how many of them
    this reviewer has scored on every criterion; three queries."""
    rows = list(
        Round.objects.filter(status__in=[RoundStatus.OPEN, RoundStatus.SCORED]).annotate(
            entry_count=Count("entries", distinct=True)
        )
    )
    complete = _complete_by_reviewer(rows, reviewer)
    return [
        {
            "round": row,
            "entries": row.entry_count,  # type: ignore[attr-defined]
            "complete": len(complete[row.pk, reviewer]),
        }
        for row in rows
    ]
