"""The rounds' writes: create a round, open it, add proposals, score, optimise.

Each public service runs in one durable transaction (`ledger.services.Service`: the log's
write lock first) and logs its fact with `ledger.record`:

- `round.opened`: the rubric, the pools and the constraints;
- `round.proposal.added`: a submitted proposal enters the round;
- `round.scored`: one reviewer's score of one proposal on one criterion, the reviewer as
  `user:<id>` (never a name);
- `round.optimised`: exactly the shape of docs/rounds.md, built from the logged scores
  (the mean per criterion and proposal, rounded half-even to 6 places), so that
  `amanah allocation replay` solves the same inputs.

Bad input raises Django's `ValidationError` naming the field; a user without the role
raises `RoleRequired`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.funds import selectors as fund_selectors
from amanah.funds.earmarks import Earmark
from amanah.ledger import services as ledger
from amanah.ledger.services import service
from amanah.projects.models import Proposal, ProposalStatus
from amanah.rounds import optimiser
from amanah.rounds.models import (
    Round,
    RoundCriterion,
    RoundEntry,
    RoundPool,
    RoundResult,
    RoundStatus,
    Score,
)
from amanah.rounds.optimiser import Infeasible, RoundError, RoundInputs

__all__ = [
    "MEAN_PLACES",
    "REVIEWER_ROLES",
    "STANDARD_CRITERIA",
    "round_add_proposal",
    "round_create",
    "round_inputs",
    "round_locked",
    "round_open",
    "round_optimise",
    "score_record",
]

REVIEWER_ROLES: tuple[Role, ...] = (Role.SECRETARIAT, Role.MONITOR)
# The reviewers' mean per criterion is rounded half-even to this many places.
MEAN_PLACES = optimiser.PLACES
_QUANTUM = Decimal(1).scaleb(-MEAN_PLACES)
_SHARE_FIELDS = (
    "min_share_by_sector",
    "max_share_by_sector",
    "min_share_by_governorate",
    "max_share_by_governorate",
)


# The rubric: the new-round page prefills it, the demo round uses it. The codes
# and weights are those of the benchmark round (bench/rounds.py).
STANDARD_CRITERIA: tuple[dict[str, str], ...] = (
    {
        "code": "severity",
        "name_en": "Severity of need in the governorate",
        "name_ar": "شدة الحاجة في المحافظة",
        "weight": "0.3",
    },
    {
        "code": "cost_per_beneficiary",
        "name_en": "Cost per beneficiary",
        "name_ar": "الكلفة لكل مستفيد",
        "weight": "0.2",
    },
    {
        "code": "sector_priority",
        "name_en": "Sector priority of the round",
        "name_ar": "أولوية القطاع في الجولة",
        "weight": "0.2",
    },
    {
        "code": "partner_performance",
        "name_en": "Partner performance and risk",
        "name_ar": "أداء الشريك ومخاطره",
        "weight": "0.15",
    },
    {
        "code": "readiness",
        "name_en": "Readiness",
        "name_ar": "الجاهزية",
        "weight": "0.15",
    },
)


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _actor(user: User) -> str:
    return f"user:{user.pk}"


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _invalid(field, _("Give a decimal number, like 0.25."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _invalid(field, _("Give a decimal number, like 0.25.")) from None
    if not number.is_finite():
        raise _invalid(field, _("Give a decimal number, like 0.25."))
    return number + 0


def _round(code_or_round: Round | str | uuid.UUID, *, lock: bool = False) -> Round:
    queryset = Round.objects.select_for_update() if lock else Round.objects.all()
    key = code_or_round.pk if isinstance(code_or_round, Round) else code_or_round
    found = queryset.filter(code=str(key)).first()
    if found is None:
        try:
            found = queryset.filter(pk=uuid.UUID(str(key))).first()
        except ValueError:
            found = None
    if found is None:
        raise _invalid("round", _("There is no such round."), "not_found")
    return found


def round_locked(code_or_round: Round | str | uuid.UUID) -> Round:
    """The round by code, id or row, locked for the caller's transaction (field "round"
    with code "not_found" if there is none)."""
    return _round(code_or_round, lock=True)


# --- creating and opening -------------------------------------------------------------------


def _constraints(
    shares: Mapping[str, Mapping[str, object]], max_per_partner_cents: object
) -> optimiser.Constraints:
    cleaned: dict[str, dict[str, Decimal]] = {}
    for name in _SHARE_FIELDS:
        given = shares.get(name) or {}
        if not isinstance(given, Mapping):
            raise _invalid(name, _("Give a share (a fraction of the envelope) per key."))
        cleaned[name] = {str(k): _decimal(v, name) for k, v in given.items()}
    if max_per_partner_cents is not None and (
        isinstance(max_per_partner_cents, bool) or not isinstance(max_per_partner_cents, int)
    ):
        raise _invalid("max_per_partner_cents", _("Give a whole number of cents."))
    try:
        return optimiser.Constraints(**cleaned, max_per_partner_cents=max_per_partner_cents)
    except RoundError as error:
        field = next((n for n in (*_SHARE_FIELDS, "max_per_partner") if n in str(error)), "")
        field = "max_per_partner_cents" if field == "max_per_partner" else field
        raise _invalid(field or "constraints", str(error)) from None


def _criteria(criteria: Iterable[Mapping[str, Any]]) -> list[tuple[optimiser.Criterion, dict]]:
    found = []
    for item in criteria:
        weight = _decimal(item.get("weight"), "criteria")
        try:
            criterion = optimiser.Criterion(str(item.get("code", "")), weight)
        except RoundError as error:
            raise _invalid("criteria", str(error)) from None
        names = {"name_en": str(item.get("name_en", "")), "name_ar": str(item.get("name_ar", ""))}
        found.append((criterion, names))
    if not found:
        raise _invalid("criteria", _("A round needs at least one criterion."))
    codes = [c.code for c, _names in found]
    if len(set(codes)) != len(codes):
        raise _invalid("criteria", _("Two criteria have the same code."))
    return found


def _pools(pools: Iterable[Mapping[str, Any]]) -> list[optimiser.Pool]:
    found = []
    for item in pools:
        try:
            earmark = Earmark(item.get("sector") or None, item.get("governorate") or None)
        except (ValueError, LookupError) as error:
            raise _invalid("pools", str(error)) from None
        amount = item.get("amount_cents")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise _invalid("pools", _("A pool's amount is a whole number of cents, at least 0."))
        found.append(optimiser.Pool(earmark, amount))
    keys = [pool.earmark.key for pool in found]
    if len(set(keys)) != len(keys):
        raise _invalid("pools", _("Give one pool per earmark."))
    if not found:
        raise _invalid("pools", _("A round needs at least one pool of money."))
    return found


@service
def round_create(
    *,
    code: str,
    title_en: str = "",
    title_ar: str = "",
    currency: str = "USD",
    criteria: Iterable[Mapping[str, Any]],
    pools: Iterable[Mapping[str, Any]],
    min_share_by_sector: Mapping[str, object] | None = None,
    max_share_by_sector: Mapping[str, object] | None = None,
    min_share_by_governorate: Mapping[str, object] | None = None,
    max_share_by_governorate: Mapping[str, object] | None = None,
    max_per_partner_cents: int | None = None,
    actor: User,
) -> Round:
    """A draft round (not logged until it is opened): rubric, pools and constraints."""
    require_role(actor, Role.SECRETARIAT)
    if currency != "USD":
        raise _invalid("currency", _("Rounds are in US dollars."))
    if not code or Round.objects.filter(code=code).exists():
        raise _invalid("code", _("Give a code no other round has, like R-2026-01."))
    if not (title_en or title_ar):
        raise _invalid("title_en", _("Give a title in English or Arabic."))
    rubric = _criteria(criteria)
    money = _pools(pools)
    limits = _constraints(
        {
            "min_share_by_sector": min_share_by_sector or {},
            "max_share_by_sector": max_share_by_sector or {},
            "min_share_by_governorate": min_share_by_governorate or {},
            "max_share_by_governorate": max_share_by_governorate or {},
        },
        max_per_partner_cents,
    )
    shares = limits.to_json()
    row = Round(code=code, title_en=title_en, title_ar=title_ar, currency=currency)
    for name in _SHARE_FIELDS:
        setattr(row, name, shares[name])
    row.max_per_partner_cents = limits.max_per_partner_cents
    row.full_clean(exclude=["created_index"])
    row.save()
    for criterion, names in rubric:
        RoundCriterion.objects.create(
            round=row, code=criterion.code, weight=criterion.weight, **names
        )
    for pool in money:
        RoundPool.objects.create(
            round=row,
            sector=pool.earmark.sector or "",
            governorate=pool.earmark.governorate or "",
            amount_cents=pool.amount_cents,
        )
    return row


def _pools_of(row: Round) -> list[optimiser.Pool]:
    return [optimiser.Pool(p.earmark, p.amount_cents) for p in row.pools.all()]


def _criteria_of(row: Round) -> list[optimiser.Criterion]:
    return [optimiser.Criterion(c.code, c.weight + 0) for c in row.criteria.all()]


def _constraints_of(row: Round) -> optimiser.Constraints:
    return _constraints(
        {name: getattr(row, name) for name in _SHARE_FIELDS}, row.max_per_partner_cents
    )


def _check_money(pools: Iterable[optimiser.Pool]) -> None:
    """Refuse a pool larger than the fund's money free to allocate under its earmark."""
    available = {
        row.earmark.key: row.available.minor
        for row in fund_selectors.fund_pools()
        if row.available.currency == "USD"
    }
    for pool in pools:
        have = available.get(pool.earmark.key, 0)
        if pool.amount_cents > have:
            raise _invalid(
                "pools",
                _(
                    "The pool {earmark} asks for {asked} cents; the fund has {have} cents"
                    " free to allocate under that earmark."
                ).format(earmark=pool.earmark.key, asked=pool.amount_cents, have=have),
                "pool_exceeds_fund",
            )


@service
def round_open(*, round: Round | str, actor: User) -> Round:
    """Open a draft round for proposals and scoring; log `round.opened`."""
    require_role(actor, Role.SECRETARIAT)
    row = _round(round, lock=True)
    if row.status != RoundStatus.DRAFT:
        raise _invalid("round", _("Only a draft round can be opened."), "not_draft")
    pools = _pools_of(row)
    _check_money(pools)
    criteria = list(row.criteria.all())
    row.created_index = ledger.record(
        "round.opened",
        {
            "round": row.code,
            "title_en": row.title_en,
            "title_ar": row.title_ar,
            "currency": row.currency,
            "criteria": [
                {
                    "code": c.code,
                    "name_en": c.name_en,
                    "name_ar": c.name_ar,
                    "weight": _text(c.weight),
                }
                for c in criteria
            ],
            "pools": [pool.to_json() for pool in sorted(pools, key=lambda p: p.earmark.key)],
            "constraints": _constraints_of(row).to_json(),
        },
        actor=_actor(actor),
    ).index
    row.status = RoundStatus.OPEN
    row.save(update_fields=["created_index", "status"])
    return row


# --- proposals and scores ----------------------------------------------------------------------


@service
def round_add_proposal(*, round: Round | str, proposal: Proposal | str, actor: User) -> RoundEntry:
    """Add a submitted proposal to an open round; log `round.proposal.added`."""
    require_role(actor, Role.SECRETARIAT)
    row = _round(round, lock=True)
    if row.status not in (RoundStatus.OPEN, RoundStatus.SCORED):
        raise _invalid("round", _("Proposals are added to an open round only."), "not_open")
    key = proposal.pk if isinstance(proposal, Proposal) else proposal
    try:
        found = Proposal.objects.filter(pk=uuid.UUID(str(key))).first()
    except ValueError:
        found = None
    if found is None or found.status != ProposalStatus.SUBMITTED:
        raise _invalid("proposal", _("Only a submitted proposal can enter a round."), "not_found")
    if RoundEntry.objects.filter(round=row, proposal=found).exists():
        raise _invalid("proposal", _("This proposal is already in the round."), "duplicate")
    index = ledger.record(
        "round.proposal.added",
        {"round": row.code, "proposal": str(found.pk)},
        actor=_actor(actor),
    ).index
    if row.status == RoundStatus.SCORED:
        row.status = RoundStatus.OPEN
        row.save(update_fields=["status"])
    return RoundEntry.objects.create(round=row, proposal=found, log_index=index)


def _fully_scored(row: Round) -> bool:
    codes = {c.pk for c in row.criteria.all()}
    entries = list(row.entries.all())
    scored: dict[int, set[int]] = defaultdict(set)
    for entry_id, criterion_id in Score.objects.filter(entry__round=row).values_list(
        "entry_id", "criterion_id"
    ):
        scored[entry_id].add(criterion_id)
    return bool(entries) and all(scored[e.pk] == codes for e in entries)


@service
def score_record(
    *,
    round: Round | str,
    proposal: Proposal | str,
    criterion: str,
    score: object,
    actor: User,
) -> Score:
    """One reviewer's score (0 to 5, at most 2 decimals) of one proposal on one criterion;
    log `round.scored` with the reviewer as `user:<id>`."""
    require_role(actor, *REVIEWER_ROLES)
    row = _round(round, lock=True)
    if row.status not in (RoundStatus.OPEN, RoundStatus.SCORED):
        raise _invalid("round", _("Only an open round can be scored."), "not_open")
    key = str(proposal.pk if isinstance(proposal, Proposal) else proposal)
    entry = (
        RoundEntry.objects.select_related("proposal__lead")
        .filter(round=row, proposal_id__in=[key] if _is_uuid(key) else [])
        .first()
    )
    if entry is None:
        raise _invalid("proposal", _("This proposal is not in the round."), "not_found")
    if (
        actor.organisation_iati_id
        and actor.organisation_iati_id == entry.proposal.lead.iati_identifier
    ):
        raise _invalid("proposal", _("A partner cannot score its own proposal."), "conflict")
    found = row.criteria.filter(code=criterion).first()
    if found is None:
        raise _invalid("criterion", _("The round's rubric has no such criterion."), "not_found")
    value = _decimal(score, "score")
    if not Decimal(0) <= value <= Decimal(5) or value != value.quantize(Decimal("0.01")):
        raise _invalid("score", _("A score is from 0 to 5, with at most 2 decimals."))
    if Score.objects.filter(entry=entry, criterion=found, reviewer=actor).exists():
        raise _invalid("score", _("You have already scored this proposal on this criterion."))
    index = ledger.record(
        "round.scored",
        {
            "round": row.code,
            "proposal": key,
            "criterion": found.code,
            "score": _text(value),
            "reviewer": _actor(actor),
        },
        actor=_actor(actor),
    ).index
    saved = Score.objects.create(
        entry=entry, criterion=found, reviewer=actor, score=value, log_index=index
    )
    if row.status == RoundStatus.OPEN and _fully_scored(row):
        row.status = RoundStatus.SCORED
        row.save(update_fields=["status"])
    return saved


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


# --- optimising --------------------------------------------------------------------------------


def mean_score(scores: Iterable[Decimal]) -> Decimal:
    """The reviewers' mean, rounded half-even to `MEAN_PLACES` decimals."""
    values = list(scores)
    return (sum(values, Decimal(0)) / len(values)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


def round_inputs(row: Round) -> RoundInputs:
    """The optimiser's inputs from the round's rows: the mean of the logged scores per
    criterion and proposal; cost = the budget's sum; partner = the lead's IATI id."""
    criteria = _criteria_of(row)
    by_entry: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for entry_id, code, value in Score.objects.filter(entry__round=row).values_list(
        "entry_id", "criterion__code", "score"
    ):
        by_entry[entry_id, code].append(value)
    proposals = []
    entries = row.entries.select_related("proposal__lead").prefetch_related(
        "proposal__budget_lines"
    )
    for entry in entries:
        proposal = entry.proposal
        missing = [c.code for c in criteria if not by_entry[entry.pk, c.code]]
        if missing:
            raise _invalid(
                "scores",
                _("Proposal {proposal} has no score yet on: {codes}.").format(
                    proposal=proposal.pk, codes=", ".join(missing)
                ),
                "unscored",
            )
        proposals.append(
            optimiser.Proposal(
                id=str(proposal.pk),
                cost_cents=sum(line.amount_cents for line in proposal.budget_lines.all()),
                sector=proposal.sector,
                governorate=proposal.governorate,
                partner=proposal.lead.iati_identifier,
                beneficiaries=proposal.beneficiaries_total,
                scores={c.code: mean_score(by_entry[entry.pk, c.code]) for c in criteria},
            )
        )
    try:
        return RoundInputs(
            criteria=tuple(criteria),
            pools=tuple(_pools_of(row)),
            proposals=tuple(proposals),
            constraints=_constraints_of(row),
            currency=row.currency,
        )
    except RoundError as error:
        raise _invalid("round", str(error)) from None


_FAMILY_FIELDS = {
    optimiser.SECTOR_SHARES: "sector_shares",
    optimiser.GOVERNORATE_SHARES: "governorate_shares",
    optimiser.PARTNER_CAP: "max_per_partner_cents",
    optimiser.EARMARKS: "pools",
}


@service
def round_optimise(*, round: Round | str, actor: User) -> RoundResult:
    """Select the portfolio of a scored round; log `round.optimised` (docs/rounds.md)."""
    require_role(actor, Role.SECRETARIAT)
    row = _round(round, lock=True)
    if row.status not in (RoundStatus.SCORED, RoundStatus.OPTIMISED):
        raise _invalid(
            "round", _("Only a round whose every proposal is scored can be optimised."), "unscored"
        )
    _check_money(_pools_of(row))
    inputs = round_inputs(row)
    try:
        portfolio = optimiser.optimise(inputs)
    except Infeasible as error:
        families = ", ".join(error.families) or _("several families together")
        raise ValidationError(
            {
                _FAMILY_FIELDS.get(family, "constraints"): ValidationError(
                    _(
                        "No portfolio satisfies the round's constraints ({families}): {detail}"
                    ).format(families=families, detail=str(error)),
                    code="infeasible",
                )
                for family in (error.families or ("constraints",))
            }
        ) from None
    except RoundError as error:
        raise _invalid("round", str(error), "solver") from None
    data = {
        "round": row.code,
        "inputs": inputs.to_json(),
        "result": portfolio.to_json(),
        "solver": optimiser.solver_versions(),
    }
    index = ledger.record("round.optimised", data, actor=_actor(actor)).index
    row.status = RoundStatus.OPTIMISED
    row.save(update_fields=["status"])
    return RoundResult.objects.create(
        round=row,
        inputs=data["inputs"],
        selected=data["result"]["selected"],
        draws=data["result"]["draws"],
        total_score=data["result"]["total_score"],
        greedy=optimiser.greedy(inputs).to_json(),
        solver=data["solver"],
        log_index=index,
    )
