"""The allocation optimiser: which proposals a round funds, and from which pools.

Pure Python with numpy and SciPy (no Django, no clock, no settings), so the server that
recommends a portfolio and an outsider replaying the round from the log
(`amanah allocation replay`) solve exactly the same programme.

The programme. One binary x_i per proposal (funded or not) and one continuous draw
f_{c,p} >= 0 per *cell* c (a sector and governorate pair some proposal is in) and pool p
whose earmark allows that cell. Maximise the total weighted score sum_i w_i x_i, where
w_i = sum over criteria of weight x the proposal's (mean) score, subject to

- flow: for every cell, sum_p f_{c,p} = sum_{i in c} cost_i x_i; for every pool,
  sum_c f_{c,p} <= its amount. Proposals of one cell may draw from exactly the same pools,
  so this is the per-proposal flow aggregated without loss: the cell's draws can always be
  split among its proposals (done exactly, in cents, by `_split`);
- shares: ceil(min_share x envelope) <= funded cost in a sector (or governorate)
  <= floor(max_share x envelope), the envelope being the sum of the pools. Costs are whole
  cents, so these integer bounds are exactly the Decimal shares;
- partners: the funded cost of one partner <= max_per_partner_cents.

Determinism. Proposals are sorted by id, cells and pools by key, before anything is built;
HiGHS runs with fixed options (`mip_rel_gap=0`, default presolve, a generous time limit),
and the MIP solver of HiGHS is deterministic for one input. SciPy's `milp` does not expose
HiGHS's `threads` option (it refuses options it does not know), so it cannot be pinned.
What the solver returns is then only the *selection*: the reported score is recomputed in
Decimal, and the draws in cents come from an exact integer flow computed here, not from
HiGHS's floats, so they do not depend on the solver's version at all.

Ties. Among portfolios with the same total score, the optimiser prefers the one whose
proposals have the smallest sum of ranks (position by id, from 1): earlier ids win. It does
so with a tie term added to each proposal's objective coefficient,

    t_i = q * rank_i / (n (n + 1)),

where q = 10^-k is the quantum of the weighted scores (every w_i is a multiple of q).
Over any portfolio sum_i t_i x_i <= q / 2 < q, so the tie term can never make a
lower-scoring portfolio win (exact scores differ by at least q). A term preferring the
lower total cost first was tried and dropped: spreading every coefficient by its cost made
HiGHS about twice as slow on the 10,000-proposal benchmark, for ties that, at that size,
lie below what HiGHS resolves anyway. HiGHS proves optimality up to its tolerances (an
objective within about 1e-6 relative of the bound counts as optimal, even with
`mip_rel_gap=0`), so in a large round the tie term, and scores within that tolerance, are
decided by HiGHS's deterministic search: the same inputs and solver give the same answer,
and the log records the solver's version for a replay that disagrees.

Errors are `RoundError`, a `ValueError`:

    RoundError
    ├── InvalidRound   inputs that do not make a round (unknown sector, bad decimal, ...)
    ├── Infeasible     no portfolio satisfies the constraints; names the families at fault
    └── SolverError    HiGHS did not prove optimality, or its answer fails the exact check
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, Inexact, InvalidOperation
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from amanah.funds.earmarks import Earmark, drawing_order
from amanah.funds.money import MoneyError, currency
from amanah.reference.geography import UnknownGovernorate, governorate
from amanah.reference.sectors import UnknownSector, sector

__all__ = [
    "FAMILIES",
    "PLACES",
    "Constraints",
    "Criterion",
    "Infeasible",
    "InvalidRound",
    "Pool",
    "Portfolio",
    "Proposal",
    "RoundError",
    "RoundInputs",
    "SolverError",
    "greedy",
    "optimise",
    "solver_versions",
    "violations",
]

# Decimal places a weight or a score may have: the caller rounds a mean, saying how.
PLACES = 6
# Exact arithmetic for weighted scores: any rounding is an error, not a result.
_EXACT = Context(prec=80, traps=[InvalidOperation, Inexact])
_DECIMAL_TEXT = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")

SECTOR_SHARES = "sector shares"
GOVERNORATE_SHARES = "governorate shares"
PARTNER_CAP = "partner cap"
EARMARKS = "earmarks"
# The constraint families, in the order an `Infeasible` error names them.
FAMILIES = (SECTOR_SHARES, GOVERNORATE_SHARES, PARTNER_CAP, EARMARKS)

OPTIMAL = "optimal"
GREEDY = "greedy"
_TIME_LIMIT = 600.0  # seconds: generous, so that a logged round is always proven optimal


class RoundError(ValueError):
    """Base of every error about a round's inputs or its solution."""


class InvalidRound(RoundError):
    """Inputs that do not make a round; the message names the field."""


class Infeasible(RoundError):
    """No portfolio satisfies the constraints. `families` are the constraint families of
    which relaxing any one alone makes the round feasible (empty: only several together)."""

    def __init__(self, families: Sequence[str]) -> None:
        self.families = tuple(families)
        if self.families:
            which = " or ".join(self.families)
            detail = f"relaxing the {which} alone would make it feasible"
        else:
            detail = "no single family of constraints is at fault; several conflict"
        super().__init__(f"No portfolio satisfies the round's constraints: {detail}.")


class SolverError(RoundError):
    """HiGHS stopped without proving optimality, or its answer fails the exact check."""


# --- inputs ------------------------------------------------------------------------------


def _text(value: Decimal) -> str:
    """The one spelling of a non-negative decimal: plain, no trailing zeros ("0.3", "100")."""
    return format(value.normalize(), "f")


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _decimal(value: object, what: str, *, at_most_one: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidRound(f"{what} must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise InvalidRound(f"{what} must be a finite number >= 0, not {number}")
    if _places(number) > PLACES:
        raise InvalidRound(f"{what} has more than {PLACES} decimal places: {number}")
    if at_most_one and number > 1:
        raise InvalidRound(f"{what} is a fraction of the envelope, at most 1, not {number}")
    return number + 0  # -0 -> 0


def _decimal_from_json(value: object, what: str) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL_TEXT.fullmatch(value):
        raise InvalidRound(f"{what}: {value!r} is not a decimal as rounds write them")
    return Decimal(value)


def _count(value: object, what: str, *, positive: bool) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRound(f"{what} must be an int, not {type(value).__name__}")
    if value < (1 if positive else 0):
        raise InvalidRound(f"{what} must be {'> 0' if positive else '>= 0'}, not {value}")
    return value


def _name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or value != value.strip():
        raise InvalidRound(f"{what} must be a non-empty string without surrounding spaces")
    return value


@dataclass(frozen=True)
class Criterion:
    """One line of the rubric: a criterion code and its weight."""

    code: str
    weight: Decimal

    def __post_init__(self) -> None:
        _name(self.code, "a criterion's code")
        object.__setattr__(self, "weight", _decimal(self.weight, f"weight of {self.code}"))

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "weight": _text(self.weight)}


@dataclass(frozen=True)
class Proposal:
    """A proposal as the round scores it; `scores` are the means of the reviewers' scores
    per criterion code, rounded by the caller to at most `PLACES` decimals."""

    id: str
    cost_cents: int
    sector: str
    governorate: str  # OCHA P-code
    partner: str  # IATI organisation identifier
    beneficiaries: int
    scores: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        _name(self.id, "a proposal's id")
        _count(self.cost_cents, f"cost_cents of {self.id}", positive=True)
        _count(self.beneficiaries, f"beneficiaries of {self.id}", positive=False)
        _name(self.partner, f"partner of {self.id}")
        try:
            sector(self.sector)
            governorate(self.governorate)
        except (UnknownSector, UnknownGovernorate) as error:
            raise InvalidRound(f"proposal {self.id}: {error}") from None
        if not isinstance(self.scores, Mapping):
            raise InvalidRound(f"scores of {self.id} must be a mapping of criterion codes")
        scores = {
            _name(code, f"a criterion code in {self.id}"): _decimal(
                score, f"score of {self.id} on {code}"
            )
            for code, score in sorted(self.scores.items())
        }
        object.__setattr__(self, "scores", MappingProxyType(scores))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cost_cents": self.cost_cents,
            "sector": self.sector,
            "governorate": self.governorate,
            "partner": self.partner,
            "beneficiaries": self.beneficiaries,
            "scores": {code: _text(score) for code, score in self.scores.items()},
        }


@dataclass(frozen=True)
class Pool:
    """Money the round may use, under one earmark."""

    earmark: Earmark
    amount_cents: int

    def __post_init__(self) -> None:
        if not isinstance(self.earmark, Earmark):
            raise InvalidRound(f"a pool's earmark must be an Earmark, not {self.earmark!r}")
        _count(self.amount_cents, f"amount_cents of pool {self.earmark.key}", positive=False)

    def to_json(self) -> dict[str, Any]:
        return {"earmark": self.earmark.key, "amount_cents": self.amount_cents}


def _no_shares() -> Mapping[str, Decimal]:
    return MappingProxyType({})


_SHARE_FIELDS = (
    "min_share_by_sector",
    "max_share_by_sector",
    "min_share_by_governorate",
    "max_share_by_governorate",
)


@dataclass(frozen=True)
class Constraints:
    """Shares are fractions of the envelope; a sector or governorate not named is free."""

    min_share_by_sector: Mapping[str, Decimal] = field(default_factory=_no_shares)
    max_share_by_sector: Mapping[str, Decimal] = field(default_factory=_no_shares)
    min_share_by_governorate: Mapping[str, Decimal] = field(default_factory=_no_shares)
    max_share_by_governorate: Mapping[str, Decimal] = field(default_factory=_no_shares)
    max_per_partner_cents: int | None = None

    def __post_init__(self) -> None:
        for name in _SHARE_FIELDS:
            check = sector if name.endswith("sector") else governorate
            shares = getattr(self, name)
            if not isinstance(shares, Mapping):
                raise InvalidRound(f"{name} must be a mapping")
            cleaned = {}
            for key, share in sorted(shares.items()):
                try:
                    check(key)
                except (UnknownSector, UnknownGovernorate) as error:
                    raise InvalidRound(f"{name}: {error}") from None
                cleaned[key] = _decimal(share, f"{name}[{key}]", at_most_one=True)
            object.__setattr__(self, name, MappingProxyType(cleaned))
        for low, high in (_SHARE_FIELDS[:2], _SHARE_FIELDS[2:]):
            lows, highs = getattr(self, low), getattr(self, high)
            for key in sorted(set(lows) & set(highs)):
                if lows[key] > highs[key]:
                    raise InvalidRound(f"{low}[{key}] {lows[key]} exceeds {high} {highs[key]}")
        if self.max_per_partner_cents is not None:
            _count(self.max_per_partner_cents, "max_per_partner_cents", positive=False)

    def to_json(self) -> dict[str, Any]:
        shares: dict[str, Any] = {
            name: {key: _text(share) for key, share in getattr(self, name).items()}
            for name in _SHARE_FIELDS
        }
        return {**shares, "max_per_partner_cents": self.max_per_partner_cents}


def _sorted_unique(items: Iterable[Any], key: str, what: str) -> tuple[Any, ...]:
    ordered = tuple(sorted(items, key=lambda item: getattr(item, key)))
    keys = [getattr(item, key) for item in ordered]
    for before, after in pairwise(keys):
        if before == after:
            raise InvalidRound(f"two {what} have the same {key}: {before}")
    return ordered


@dataclass(frozen=True)
class RoundInputs:
    """Everything the optimiser reads, in canonical order (criteria by code, pools by
    earmark key, proposals by id), whatever order they were given in."""

    criteria: tuple[Criterion, ...]
    pools: tuple[Pool, ...]
    proposals: tuple[Proposal, ...]
    constraints: Constraints = field(default_factory=Constraints)
    currency: str = "USD"

    def __post_init__(self) -> None:
        try:
            if currency(self.currency).minor_units != 2:
                raise InvalidRound(f"amounts are in cents; {self.currency} has no cents")
        except MoneyError as error:
            raise InvalidRound(f"currency: {error}") from None
        criteria = _sorted_unique(self.criteria, "code", "criteria")
        pools = tuple(sorted(self.pools, key=lambda pool: pool.earmark.key))
        for before, after in pairwise(pools):
            if before.earmark == after.earmark:
                raise InvalidRound(f"two pools have the earmark {before.earmark.key}")
        proposals = _sorted_unique(self.proposals, "id", "proposals")
        codes = {criterion.code for criterion in criteria}
        for proposal in proposals:
            if set(proposal.scores) != codes:
                raise InvalidRound(
                    f"proposal {proposal.id} is scored on {sorted(proposal.scores)},"
                    f" the rubric has {sorted(codes)}"
                )
        object.__setattr__(self, "criteria", criteria)
        object.__setattr__(self, "pools", pools)
        object.__setattr__(self, "proposals", proposals)

    @property
    def envelope_cents(self) -> int:
        return sum(pool.amount_cents for pool in self.pools)

    def weighted_score(self, proposal: Proposal) -> Decimal:
        """sum(weight x score), exactly."""
        total = Decimal(0)
        for criterion in self.criteria:
            product = _EXACT.multiply(criterion.weight, proposal.scores[criterion.code])
            total = _EXACT.add(total, product)
        return total

    def to_json(self) -> dict[str, Any]:
        """Strings, ints and (for no partner cap) null only, in canonical order: RFC 8785
        bytes of this are what the log holds, and `from_json` reads them back identically."""
        return {
            "currency": self.currency,
            "criteria": [criterion.to_json() for criterion in self.criteria],
            "pools": [pool.to_json() for pool in self.pools],
            "constraints": self.constraints.to_json(),
            "proposals": [proposal.to_json() for proposal in self.proposals],
        }

    @classmethod
    def from_json(cls, obj: object) -> RoundInputs:
        """The inverse of `to_json`, accepting only its exact output (one spelling per
        value, lists in canonical order), so that what is replayed is what was logged."""
        top = _object(obj, "inputs", {"currency", "criteria", "pools", "constraints", "proposals"})
        try:
            inputs = cls(
                criteria=tuple(_criterion(item) for item in _list(top["criteria"], "criteria")),
                pools=tuple(_pool(item) for item in _list(top["pools"], "pools")),
                proposals=tuple(_proposal(item) for item in _list(top["proposals"], "proposals")),
                constraints=_constraints(top["constraints"]),
                currency=top["currency"],
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, InvalidRound):
                raise
            raise InvalidRound(f"inputs: {error}") from None
        if inputs.to_json() != obj:
            raise InvalidRound("inputs are not in canonical form (order or spelling)")
        return inputs


def _object(obj: object, what: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != keys:
        raise InvalidRound(f"{what} must be an object with exactly the keys {sorted(keys)}")
    return obj


def _list(obj: object, what: str) -> list[Any]:
    if not isinstance(obj, list):
        raise InvalidRound(f"{what} must be a list")
    return obj


def _criterion(obj: object) -> Criterion:
    item = _object(obj, "a criterion", {"code", "weight"})
    return Criterion(item["code"], _decimal_from_json(item["weight"], "weight"))


def _pool(obj: object) -> Pool:
    item = _object(obj, "a pool", {"earmark", "amount_cents"})
    if not isinstance(item["earmark"], str):
        raise InvalidRound("a pool's earmark must be a key like housing.PS0270")
    return Pool(Earmark.from_key(item["earmark"]), item["amount_cents"])


def _proposal(obj: object) -> Proposal:
    keys = {"id", "cost_cents", "sector", "governorate", "partner", "beneficiaries", "scores"}
    item = _object(obj, "a proposal", keys)
    scores = item["scores"]
    if not isinstance(scores, dict):
        raise InvalidRound(f"scores of {item['id']!r} must be an object")
    return Proposal(
        id=item["id"],
        cost_cents=item["cost_cents"],
        sector=item["sector"],
        governorate=item["governorate"],
        partner=item["partner"],
        beneficiaries=item["beneficiaries"],
        scores={code: _decimal_from_json(s, f"score {code}") for code, s in scores.items()},
    )


def _constraints(obj: object) -> Constraints:
    item = _object(obj, "constraints", {*_SHARE_FIELDS, "max_per_partner_cents"})
    shares = {}
    for name in _SHARE_FIELDS:
        if not isinstance(item[name], dict):
            raise InvalidRound(f"{name} must be an object")
        shares[name] = {k: _decimal_from_json(v, f"{name}[{k}]") for k, v in item[name].items()}
    return Constraints(**shares, max_per_partner_cents=item["max_per_partner_cents"])


# --- the result --------------------------------------------------------------------------


@dataclass(frozen=True)
class Portfolio:
    """The proposals funded (ids, sorted), what each draws from which pool (proposal id ->
    earmark key -> cents, non-zero draws only), the exact total weighted score, and how it
    was found (`optimal` or `greedy`)."""

    selected: tuple[str, ...]
    draws: Mapping[str, Mapping[str, int]]
    total_score: Decimal
    status: str

    def to_json(self) -> dict[str, Any]:
        """The `result` of a `round.optimised` entry (docs/rounds.md)."""
        return {
            "selected": list(self.selected),
            "draws": {pid: dict(pools) for pid, pools in self.draws.items()},
            "total_score": _text(self.total_score),
        }


def solver_versions() -> dict[str, str]:
    """SciPy's and HiGHS's versions, for the log (a replay names them if it disagrees)."""
    import scipy

    try:  # a private module of SciPy: the version is informative, never required
        from scipy.optimize._highspy import _core

        highs = (
            f"{_core.HIGHS_VERSION_MAJOR}.{_core.HIGHS_VERSION_MINOR}.{_core.HIGHS_VERSION_PATCH}"
        )
    except (ImportError, AttributeError):
        highs = "unknown"
    return {"scipy": str(scipy.__version__), "highs": highs}


# --- exact checks and draws, in integers ----------------------------------------------------


def _bounds(shares: Mapping[str, Decimal], envelope: int, *, low: bool) -> dict[str, int]:
    """Share bounds in whole cents: funded costs are integers, so cost >= min x E is
    cost >= ceil(min x E), and cost <= max x E is cost <= floor(max x E)."""
    rounding = math.ceil if low else math.floor
    return {key: rounding(_EXACT.multiply(share, envelope)) for key, share in shares.items()}


def violations(inputs: RoundInputs, selected: Iterable[str]) -> list[str]:
    """Every constraint a selection breaks, computed exactly (integers, Decimal shares)."""
    chosen = set(selected)
    by_id = {proposal.id: proposal for proposal in inputs.proposals}
    found = [f"{pid} is not a proposal of the round" for pid in sorted(chosen - set(by_id))]
    funded = [by_id[pid] for pid in sorted(chosen & set(by_id))]
    envelope, limits = inputs.envelope_cents, inputs.constraints
    for what, attr, low, high in (
        ("sector", "sector", limits.min_share_by_sector, limits.max_share_by_sector),
        (
            "governorate",
            "governorate",
            limits.min_share_by_governorate,
            limits.max_share_by_governorate,
        ),
    ):
        spent: dict[str, int] = defaultdict(int)
        for proposal in funded:
            spent[getattr(proposal, attr)] += proposal.cost_cents
        for key, bound in _bounds(low, envelope, low=True).items():
            if spent[key] < bound:
                found.append(f"{what} {key}: {spent[key]} cents < minimum {bound}")
        for key, bound in _bounds(high, envelope, low=False).items():
            if spent[key] > bound:
                found.append(f"{what} {key}: {spent[key]} cents > maximum {bound}")
    if limits.max_per_partner_cents is not None:
        per_partner: dict[str, int] = defaultdict(int)
        for proposal in funded:
            per_partner[proposal.partner] += proposal.cost_cents
        for partner, spent_cents in sorted(per_partner.items()):
            if spent_cents > limits.max_per_partner_cents:
                found.append(
                    f"partner {partner}: {spent_cents} cents > cap {limits.max_per_partner_cents}"
                )
    if _draws(inputs, funded) is None:
        found.append("the pools' earmarks cannot fund this selection")
    return found


def _draws(inputs: RoundInputs, funded: Sequence[Proposal]) -> dict[str, dict[str, int]] | None:
    """Exact draws in cents for `funded`, or None if the pools cannot fund it.

    An integer min-cost flow from cells to pools (a pool costs its place in the fund's
    `drawing_order`: most specific money first, flexible money last), then each cell's
    draws split among its proposals by id. Integral capacities give an integral flow, so
    a selection the LP could fund is funded here to the cent, with no rounding at all.
    """
    demand: dict[tuple[str, str], int] = defaultdict(int)
    for proposal in funded:
        demand[proposal.sector, proposal.governorate] += proposal.cost_cents
    cells = sorted(demand)
    flow = _min_cost_flow(cells, [demand[c] for c in cells], inputs.pools)
    if flow is None:
        return None
    return _split(cells, flow, funded)


def _min_cost_flow(
    cells: Sequence[tuple[str, str]], demands: Sequence[int], pools: Sequence[Pool]
) -> list[dict[str, int]] | None:
    """Successive shortest paths (Bellman-Ford, fixed edge order) on source -> cells ->
    pools -> sink; per cell, earmark key -> cents. None when not every demand is met."""
    source, sink = 0, len(cells) + len(pools) + 1
    graph: list[list[int]] = [[] for _ in range(sink + 1)]
    # edges as parallel lists: head, residual capacity, cost; edge e ^ 1 is its reverse
    head: list[int] = []
    capacity: list[int] = []
    cost: list[int] = []

    def edge(a: int, b: int, cap: int, price: int) -> int:
        for node, to, c, p in ((a, b, cap, price), (b, a, 0, -price)):
            graph[node].append(len(head))
            head.append(to)
            capacity.append(c)
            cost.append(p)
        return len(head) - 2

    cell_pool: list[dict[str, int]] = []
    for c, ((sector_code, pcode), need) in enumerate(zip(cells, demands, strict=True), 1):
        edge(source, c, need, 0)
        order = [earmark.key for earmark in drawing_order(sector_code, pcode)]
        edges = {}
        for p, pool in enumerate(pools, len(cells) + 1):
            if pool.earmark.allows(sector_code, pcode):
                edges[pool.earmark.key] = edge(c, p, need, order.index(pool.earmark.key))
        cell_pool.append(edges)
    for p, pool in enumerate(pools, len(cells) + 1):
        edge(p, sink, pool.amount_cents, 0)
    missing = sum(demands)
    while missing:
        distance: list[int | None] = [None] * (sink + 1)
        via = [-1] * (sink + 1)
        distance[source] = 0
        for _ in range(sink + 1):
            changed = False
            for node in range(sink + 1):
                here = distance[node]
                if here is None:
                    continue
                for e in graph[node]:
                    there = distance[head[e]]
                    if capacity[e] > 0 and (there is None or here + cost[e] < there):
                        distance[head[e]], via[head[e]] = here + cost[e], e
                        changed = True
            if not changed:
                break
        if distance[sink] is None:
            return None
        path, node = [], sink
        while node != source:
            path.append(via[node])
            node = head[via[node] ^ 1]
        push = min(missing, *(capacity[e] for e in path))
        for e in path:
            capacity[e] -= push
            capacity[e ^ 1] += push
        missing -= push
    return [{key: capacity[e ^ 1] for key, e in edges.items()} for edges in cell_pool]


def _split(
    cells: Sequence[tuple[str, str]], flow: Sequence[Mapping[str, int]], funded: Sequence[Proposal]
) -> dict[str, dict[str, int]]:
    """Each cell's draws, shared out to its proposals by id, pools in drawing order."""
    left: dict[tuple[str, str], list[tuple[str, int]]] = {
        cell: [
            (earmark.key, drawn[earmark.key])
            for earmark in drawing_order(*cell)
            if drawn.get(earmark.key, 0)
        ]
        for cell, drawn in zip(cells, flow, strict=True)
    }
    draws: dict[str, dict[str, int]] = {}
    for proposal in sorted(funded, key=lambda p: p.id):
        need, mine = proposal.cost_cents, {}
        queue = left[proposal.sector, proposal.governorate]
        while need:
            key, available = queue[0]
            take = min(need, available)
            mine[key] = take
            need -= take
            if take == available:
                queue.pop(0)
            else:
                queue[0] = (key, available - take)
        draws[proposal.id] = dict(sorted(mine.items()))
    return draws


def _portfolio(inputs: RoundInputs, funded: Sequence[Proposal], status: str) -> Portfolio:
    draws = _draws(inputs, funded)
    if draws is None:  # callers only pass fundable selections
        raise SolverError("the pools' earmarks cannot fund the selection")
    total = Decimal(0)
    for proposal in funded:
        total = _EXACT.add(total, inputs.weighted_score(proposal))
    return Portfolio(
        selected=tuple(sorted(p.id for p in funded)),
        draws=MappingProxyType({pid: MappingProxyType(d) for pid, d in sorted(draws.items())}),
        total_score=total,
        status=status,
    )


# --- the mixed-integer programme ---------------------------------------------------------


@dataclass
class _Rows:
    """A sparse constraint matrix built row by row: lb <= A x <= ub."""

    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def add(self, terms: Iterable[tuple[int, float]], low: float, high: float) -> None:
        row = len(self.lower)
        for col, value in terms:
            self.rows.append(row)
            self.cols.append(col)
            self.values.append(value)
        self.lower.append(low)
        self.upper.append(high)

    def constraint(self, width: int) -> LinearConstraint:
        matrix = coo_array(
            (np.array(self.values), (np.array(self.rows), np.array(self.cols))),
            shape=(len(self.lower), width),
        ).tocsr()
        return LinearConstraint(matrix, np.array(self.lower), np.array(self.upper))


def _objective(inputs: RoundInputs) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Minimise -w_i + t_i (module docstring: the tie term sums to less than the quantum)."""
    scores = [inputs.weighted_score(p) for p in inputs.proposals]
    quantum = float(Decimal(1).scaleb(-max((_places(s) for s in scores), default=0)))
    n = len(scores)
    return np.array(
        [-float(score) + quantum * (rank + 1) / (n * (n + 1)) for rank, score in enumerate(scores)]
    )


def _programme(inputs: RoundInputs, families: frozenset[str]) -> tuple[int, _Rows]:
    """The constraint rows of the enabled `families`; returns (number of variables, rows)."""
    proposals, n = inputs.proposals, len(inputs.proposals)
    rows, envelope, limits = _Rows(), inputs.envelope_cents, inputs.constraints
    width = n
    if EARMARKS in families:
        members: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, proposal in enumerate(proposals):
            members[proposal.sector, proposal.governorate].append(i)
        by_pool: dict[int, list[int]] = defaultdict(list)
        for cell in sorted(members):
            draws = []
            for p, pool in enumerate(inputs.pools):
                if pool.earmark.allows(*cell):
                    by_pool[p].append(width)
                    draws.append((width, 1.0))
                    width += 1
            funded = [(i, -float(proposals[i].cost_cents)) for i in members[cell]]
            rows.add(draws + funded, 0.0, 0.0)
        for p, pool in enumerate(inputs.pools):
            rows.add(((f, 1.0) for f in by_pool[p]), -np.inf, float(pool.amount_cents))
    for family, attr, low, high in (
        (SECTOR_SHARES, "sector", limits.min_share_by_sector, limits.max_share_by_sector),
        (
            GOVERNORATE_SHARES,
            "governorate",
            limits.min_share_by_governorate,
            limits.max_share_by_governorate,
        ),
    ):
        if family not in families:
            continue
        lows, highs = _bounds(low, envelope, low=True), _bounds(high, envelope, low=False)
        for key in sorted(set(lows) | set(highs)):
            terms = [
                (i, float(p.cost_cents)) for i, p in enumerate(proposals) if getattr(p, attr) == key
            ]
            rows.add(terms, float(lows.get(key, -np.inf)), float(highs.get(key, np.inf)))
    cap = limits.max_per_partner_cents
    if PARTNER_CAP in families and cap is not None:
        by_partner: dict[str, list[int]] = defaultdict(list)
        for i, proposal in enumerate(proposals):
            by_partner[proposal.partner].append(i)
        for partner in sorted(by_partner):
            terms = [(i, float(proposals[i].cost_cents)) for i in by_partner[partner]]
            if sum(proposals[i].cost_cents for i in by_partner[partner]) > cap:
                rows.add(terms, -np.inf, float(cap))
    return width, rows


def _solve(
    inputs: RoundInputs, families: frozenset[str], time_limit: float
) -> tuple[int, np.ndarray[Any, np.dtype[np.float64]] | None]:
    """(SciPy's milp status, the proposals' x) for the programme with `families`."""
    n = len(inputs.proposals)
    width, rows = _programme(inputs, families)
    c = np.zeros(width)
    c[:n] = _objective(inputs)
    integrality = np.zeros(width)
    integrality[:n] = 1
    upper = np.full(width, np.inf)
    upper[:n] = 1.0
    result = milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.zeros(width), upper),
        constraints=[rows.constraint(width)] if rows.lower else None,
        options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True},
    )
    x = None if result.x is None else np.asarray(result.x[:n], dtype=np.float64)
    return int(result.status), x


def optimise(inputs: RoundInputs, *, time_limit: float = _TIME_LIMIT) -> Portfolio:
    """The portfolio of maximum total weighted score under every constraint of the round,
    proven optimal by HiGHS; ties broken as the module docstring says.

    Raises `Infeasible` (naming the constraint families at fault) when no portfolio
    satisfies the constraints, `SolverError` when HiGHS does not prove optimality within
    `time_limit` seconds or its selection fails the exact check of `violations`.
    """
    if not inputs.proposals:
        if violations(inputs, ()):
            raise Infeasible(_culprits(inputs, time_limit))
        return _portfolio(inputs, (), OPTIMAL)
    status, x = _solve(inputs, frozenset(FAMILIES), time_limit)
    if status == 2:
        raise Infeasible(_culprits(inputs, time_limit))
    if status != 0 or x is None:
        raise SolverError(f"HiGHS did not prove a portfolio optimal (milp status {status})")
    funded = [p for p, value in zip(inputs.proposals, x, strict=True) if value > 0.5]
    broken = violations(inputs, (p.id for p in funded))
    if broken:
        raise SolverError("HiGHS's selection fails the exact check: " + "; ".join(broken))
    return _portfolio(inputs, funded, OPTIMAL)


def _culprits(inputs: RoundInputs, time_limit: float) -> list[str]:
    """The families of which dropping any one alone makes the programme feasible."""
    if not inputs.proposals:  # only minimum shares can fail, and HiGHS needs a variable
        broken = {
            SECTOR_SHARES if line.startswith("sector") else GOVERNORATE_SHARES
            for line in violations(inputs, ())
        }
        return sorted(broken) if len(broken) == 1 else []
    found = []
    for family in FAMILIES:
        status, _ = _solve(inputs, frozenset(FAMILIES) - {family}, time_limit)
        if status in (0, 1):
            found.append(family)
    return found


# --- the baseline ------------------------------------------------------------------------


def greedy(inputs: RoundInputs) -> Portfolio:
    """The baseline: proposals by weighted score, highest first (ties by id), each funded
    if the maximum shares, the partner cap and the pools still allow it.

    Pools are drawn greedily, most specific money first (`drawing_order`), and a proposal
    the remaining eligible money cannot cover is skipped. Minimum shares are NOT
    guaranteed: greedy never goes back to fund a sector or governorate it left short.
    """
    envelope, limits = inputs.envelope_cents, inputs.constraints
    caps = {
        "sector": _bounds(limits.max_share_by_sector, envelope, low=False),
        "governorate": _bounds(limits.max_share_by_governorate, envelope, low=False),
    }
    spent: dict[tuple[str, str], int] = defaultdict(int)
    remaining = {pool.earmark.key: pool.amount_cents for pool in inputs.pools}
    ranked = sorted(inputs.proposals, key=lambda p: (-inputs.weighted_score(p), p.id))
    funded: list[Proposal] = []
    draws: dict[str, dict[str, int]] = {}
    for proposal in ranked:
        cost = proposal.cost_cents
        if any(
            spent[attr, getattr(proposal, attr)] + cost > bounds[getattr(proposal, attr)]
            for attr, bounds in caps.items()
            if getattr(proposal, attr) in bounds
        ):
            continue
        partner = limits.max_per_partner_cents
        if partner is not None and spent["partner", proposal.partner] + cost > partner:
            continue
        keys = [e.key for e in drawing_order(proposal.sector, proposal.governorate)]
        eligible = [key for key in keys if key in remaining]
        if sum(remaining[key] for key in eligible) < cost:
            continue
        mine, need = {}, cost
        for key in eligible:
            take = min(need, remaining[key])
            if take:
                mine[key], remaining[key], need = take, remaining[key] - take, need - take
        draws[proposal.id] = dict(sorted(mine.items()))
        for attr in ("sector", "governorate", "partner"):
            spent[attr, getattr(proposal, attr)] += cost
        funded.append(proposal)
    total = Decimal(0)
    for proposal in funded:
        total = _EXACT.add(total, inputs.weighted_score(proposal))
    return Portfolio(
        selected=tuple(sorted(p.id for p in funded)),
        draws=MappingProxyType({pid: MappingProxyType(d) for pid, d in sorted(draws.items())}),
        total_score=total,
        status=GREEDY,
    )
