"""Reads of the rounds for pages and the API: public facts only (reviewers appear as
`user:<id>` handles, never by name)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from amanah.rounds.models import Round, RoundResult, Score
from amanah.rounds.services import mean_score

__all__ = ["round_get", "round_list", "round_public", "round_result_latest"]


def round_list() -> QuerySet[Round]:
    return Round.objects.exclude(status="draft")


def round_get(code: str) -> Round | None:
    return Round.objects.filter(code=code).first()


def round_result_latest(row: Round) -> RoundResult | None:
    return row.results.order_by("-log_index").first()


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


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
