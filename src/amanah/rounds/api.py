"""/api/v1/rounds/...: allocation rounds over the API.

Reading is public (no token): a round's rubric, pools, constraints, scores (reviewers as
`user:<id>`) and its latest portfolio beside the greedy baseline. Writes need a token; the
services check the role (403) and the input (422, naming the field): the secretariat
creates, opens, adds proposals and optimises; secretariat and monitors score.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from amanah.accounts.models import User
from amanah.core.errors import NotFound, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.rounds import portfolio, selectors, services

router = Router(tags=["rounds"])
_T = TypeVar("_T")
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CriterionIn(Schema):
    code: str = Field(..., max_length=40)
    name_en: str = Field("", max_length=200)
    name_ar: str = Field("", max_length=200)
    weight: str = Field(..., description="A decimal, at most 6 places, like 0.3")


class PoolIn(Schema):
    sector: str = Field("", description="A sector code, or empty for any sector")
    governorate: str = Field("", description="An OCHA P-code, or empty for any governorate")
    amount_cents: int = Field(..., ge=0)


class RoundIn(Schema):
    code: str = Field(..., max_length=40, description="Like R-2026-01")
    title_en: str = Field("", max_length=300)
    title_ar: str = Field("", max_length=300)
    currency: str = "USD"
    criteria: list[CriterionIn]
    pools: list[PoolIn]
    min_share_by_sector: dict[str, str] = Field(default_factory=dict)
    max_share_by_sector: dict[str, str] = Field(default_factory=dict)
    min_share_by_governorate: dict[str, str] = Field(default_factory=dict)
    max_share_by_governorate: dict[str, str] = Field(default_factory=dict)
    max_per_partner_cents: int | None = None


class EntryIn(Schema):
    proposal: uuid.UUID


class ScoreIn(Schema):
    proposal: uuid.UUID
    criterion: str
    score: str = Field(..., description="0 to 5, at most 2 decimals, like 3.75")


class JustificationIn(Schema):
    en: str = Field("", max_length=2000)
    ar: str = Field("", max_length=2000)


class DeviationIn(Schema):
    proposal: uuid.UUID
    amount: str = Field(
        ..., description="US dollars the board would fund instead, like 250000.00; 0 drops it"
    )
    justification: JustificationIn


class PortfolioIn(Schema):
    deviations: list[DeviationIn] = Field(
        default_factory=list,
        description="Each change to the optimiser's recommendation, named and justified",
    )


class RoundOut(Schema):
    """The round as `selectors.round_public` gives it (see the schema's fields)."""

    id: str
    code: str
    title_en: str
    title_ar: str
    status: str
    currency: str
    opened_index: int | None
    criteria: list[dict[str, Any]]
    pools: list[dict[str, Any]]
    envelope_cents: int
    constraints: dict[str, Any]
    entries: list[dict[str, Any]]
    result: dict[str, Any] | None
    portfolio: dict[str, Any] | None = Field(
        None, description="The portfolio motion before or decided by the board, if any"
    )
    portfolios: list[dict[str, Any]] = Field(
        default_factory=list, description="Every portfolio motion of the round, newest first"
    )


class RoundListOut(Schema):
    rounds: list[dict[str, Any]]


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _service(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except ValidationError as error:
        codes = {e.code for e in getattr(error, "error_dict", {}).get("round", [])}
        if "not_found" in codes:
            raise NotFound() from None
        raise RequestInvalid.from_validation_error(error) from None


def _public(code: str) -> dict[str, Any]:
    row = selectors.round_get(code)
    if row is None:
        raise NotFound()
    return selectors.round_public(row)


@router.get("", response={200: RoundListOut}, auth=None, summary="Allocation rounds (opened)")
def rounds(request: HttpRequest) -> dict[str, Any]:
    return {
        "rounds": [
            {"code": r.code, "title_en": r.title_en, "title_ar": r.title_ar, "status": r.status}
            for r in selectors.round_list()
        ]
    }


@router.post("", response={201: RoundOut, **WRITE}, summary="Create a draft round (secretariat)")
def round_create(request: HttpRequest, body: RoundIn) -> Status[dict[str, Any]]:
    actor = _user(request)
    data = body.dict()
    row = _service(lambda: services.round_create(**data, actor=actor))
    return Status(201, selectors.round_public(row))


@router.get(
    "/{code}",
    response={200: RoundOut, 404: ErrorOut},
    auth=None,
    summary="A round: rubric, pools, constraints, scores, the portfolio and the greedy baseline",
)
def round_read(request: HttpRequest, code: str) -> dict[str, Any]:
    return _public(code)


@router.post(
    "/{code}/open",
    response={200: RoundOut, **WRITE},
    summary="Open a draft round (secretariat); logs round.opened",
)
def round_open(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = _user(request)
    _service(lambda: services.round_open(round=code, actor=actor))
    return _public(code)


@router.post(
    "/{code}/proposals",
    response={201: RoundOut, **WRITE},
    summary="Add a submitted proposal to an open round (secretariat)",
)
def round_add_proposal(request: HttpRequest, code: str, body: EntryIn) -> Status[dict[str, Any]]:
    actor = _user(request)
    _service(
        lambda: services.round_add_proposal(round=code, proposal=str(body.proposal), actor=actor)
    )
    return Status(201, _public(code))


@router.post(
    "/{code}/scores",
    response={201: dict[str, Any], **WRITE},
    summary="Score a proposal on one criterion (secretariat or monitor); logs round.scored",
)
def score_create(request: HttpRequest, code: str, body: ScoreIn) -> Status[dict[str, Any]]:
    actor = _user(request)
    score = _service(
        lambda: services.score_record(
            round=code,
            proposal=str(body.proposal),
            criterion=body.criterion,
            score=body.score,
            actor=actor,
        )
    )
    return Status(
        201,
        {
            "proposal": str(body.proposal),
            "criterion": body.criterion,
            "reviewer": f"user:{actor.pk}",
            "score": format(score.score.normalize(), "f"),
            "log_index": score.log_index,
        },
    )


@router.post(
    "/{code}/optimise",
    response={200: RoundOut, **WRITE},
    summary="Select the portfolio (secretariat); logs round.optimised",
)
def round_optimise(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = _user(request)
    _service(lambda: services.round_optimise(round=code, actor=actor))
    return _public(code)


@router.post(
    "/{code}/portfolio",
    response={201: RoundOut, **WRITE},
    summary="Put the portfolio to the board as one motion (secretariat), deviations named",
)
def portfolio_propose(request: HttpRequest, code: str, body: PortfolioIn) -> Status[dict[str, Any]]:
    actor = _user(request)
    deviations = [
        {
            "proposal": str(item.proposal),
            "amount": item.amount,
            "justification": item.justification.dict(),
        }
        for item in body.deviations
    ]
    _service(lambda: portfolio.portfolio_propose(round=code, deviations=deviations, actor=actor))
    return Status(201, _public(code))
