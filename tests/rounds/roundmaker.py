"""Small rounds for the optimiser's tests: every amount in cents, every score a Decimal."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from amanah.funds.earmarks import FLEXIBLE, Earmark
from amanah.rounds.optimiser import Constraints, Criterion, Pool, Proposal, RoundInputs

NORTH, GAZA, KHAN_YOUNIS, RAFAH = "PS0255", "PS0260", "PS0270", "PS0275"
RUBRIC = (Criterion("need", Decimal(1)),)


def proposal(
    pid: str,
    cost: int,
    score: str,
    *,
    sector: str = "housing",
    governorate: str = GAZA,
    partner: str = "XM-DAC-1",
) -> Proposal:
    return Proposal(pid, cost, sector, governorate, partner, 100, {"need": Decimal(score)})


def round_of(
    *proposals: Proposal,
    pools: Mapping[Earmark, int] | None = None,
    constraints: Constraints | None = None,
) -> RoundInputs:
    return RoundInputs(
        criteria=RUBRIC,
        pools=tuple(Pool(e, amount) for e, amount in (pools or {FLEXIBLE: 1000}).items()),
        proposals=proposals,
        constraints=constraints or Constraints(),
    )
