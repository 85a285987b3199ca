"""The optimiser on rounds small enough to check by hand: the optimum, each constraint
family binding in turn, infeasibility, determinism and the tie-break."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from roundmaker import GAZA, KHAN_YOUNIS, RAFAH, proposal, round_of

from amanah.funds.earmarks import FLEXIBLE, Earmark
from amanah.rounds.optimiser import (
    EARMARKS,
    GOVERNORATE_SHARES,
    PARTNER_CAP,
    SECTOR_SHARES,
    Constraints,
    Criterion,
    Infeasible,
    InvalidRound,
    Pool,
    Proposal,
    RoundInputs,
    greedy,
    optimise,
    violations,
)


def test_a_knapsack_takes_the_best_pair_not_the_best_single() -> None:
    # 1000 cents: a (600, 5) alone scores 5; b + c (500 + 500, 4 + 4) score 8.
    inputs = round_of(proposal("a", 600, "5"), proposal("b", 500, "4"), proposal("c", 500, "4"))

    best = optimise(inputs)

    assert best.selected == ("b", "c")
    assert best.total_score == Decimal(8)
    assert best.status == "optimal"
    assert best.draws == {"b": {"any.any": 500}, "c": {"any.any": 500}}
    assert greedy(inputs).selected == ("a",)


def test_the_score_is_the_weighted_sum_of_the_criteria_kept_exact() -> None:
    rubric = (Criterion("need", Decimal("0.7")), Criterion("readiness", Decimal("0.3")))
    scored = Proposal(
        "a", 100, "health", GAZA, "XM-1", 50, {"need": Decimal("3.33"), "readiness": Decimal(2)}
    )
    inputs = RoundInputs(criteria=rubric, pools=(Pool(FLEXIBLE, 100),), proposals=(scored,))

    assert optimise(inputs).total_score == Decimal("2.931")  # 0.7 x 3.33 + 0.3 x 2


def test_a_maximum_sector_share_binds() -> None:
    inputs = round_of(
        proposal("a", 500, "9", sector="housing"),
        proposal("b", 500, "8", sector="housing"),
        proposal("c", 500, "1", sector="health"),
        constraints=Constraints(max_share_by_sector={"housing": Decimal("0.5")}),
    )

    assert optimise(inputs).selected == ("a", "c")


def test_a_minimum_sector_share_binds() -> None:
    inputs = round_of(
        proposal("a", 500, "9", sector="housing"),
        proposal("b", 500, "8", sector="housing"),
        proposal("c", 400, "1", sector="health"),
        constraints=Constraints(min_share_by_sector={"health": Decimal("0.4")}),
    )

    best = optimise(inputs)

    assert best.selected == ("a", "c")
    assert greedy(inputs).selected == ("a", "b")  # greedy leaves health short
    assert violations(inputs, greedy(inputs).selected) == ["sector health: 0 cents < minimum 400"]


def test_governorate_shares_bind() -> None:
    inputs = round_of(
        proposal("a", 300, "9", governorate=GAZA),
        proposal("b", 300, "8", governorate=GAZA),
        proposal("c", 300, "2", governorate=RAFAH),
        proposal("d", 300, "1", governorate=KHAN_YOUNIS),
        constraints=Constraints(
            max_share_by_governorate={GAZA: Decimal("0.3")},
            min_share_by_governorate={KHAN_YOUNIS: Decimal("0.3")},
        ),
    )

    assert optimise(inputs).selected == ("a", "c", "d")


def test_the_partner_cap_binds() -> None:
    inputs = round_of(
        proposal("a", 400, "9", partner="XM-1"),
        proposal("b", 400, "8", partner="XM-1"),
        proposal("c", 400, "1", partner="XM-2"),
        constraints=Constraints(max_per_partner_cents=500),
    )

    assert optimise(inputs).selected == ("a", "c")
    assert greedy(inputs).selected == ("a", "c")


def test_earmarked_pools_fund_only_what_they_allow() -> None:
    # 600 for housing anywhere, 400 for anything in Rafah: the two best (health in Gaza)
    # fit no pool; housing takes its pool, and Rafah's money funds the health project there.
    inputs = round_of(
        proposal("a", 300, "9", sector="health", governorate=GAZA),
        proposal("b", 600, "5", sector="housing", governorate=RAFAH),
        proposal("c", 400, "4", sector="health", governorate=RAFAH),
        pools={Earmark("housing", None): 600, Earmark(None, RAFAH): 400},
    )

    best = optimise(inputs)

    assert best.selected == ("b", "c")
    assert best.draws == {"b": {"housing.any": 600}, "c": {f"any.{RAFAH}": 400}}


def test_draws_use_the_most_specific_money_first_and_split_to_the_cent() -> None:
    inputs = round_of(
        proposal("a", 333, "5", sector="housing", governorate=RAFAH),
        proposal("b", 333, "5", sector="housing", governorate=RAFAH),
        pools={FLEXIBLE: 1000, Earmark("housing", RAFAH): 500},
    )

    best = optimise(inputs)

    assert best.draws == {
        "a": {f"housing.{RAFAH}": 333},
        "b": {"any.any": 166, f"housing.{RAFAH}": 167},
    }
    assert sum(sum(d.values()) for d in best.draws.values()) == 666


def test_a_flow_the_greedy_order_would_miss_is_found() -> None:
    # Housing in Gaza could use either pool; drawing it from housing money would leave
    # nothing for housing in Rafah. The exact flow sends it to Gaza's money.
    inputs = round_of(
        proposal("a", 500, "5", sector="housing", governorate=GAZA),
        proposal("b", 500, "5", sector="housing", governorate=RAFAH),
        pools={Earmark("housing", None): 500, Earmark(None, GAZA): 500},
    )

    best = optimise(inputs)

    assert best.selected == ("a", "b")
    assert best.draws == {"a": {f"any.{GAZA}": 500}, "b": {"housing.any": 500}}


@pytest.mark.parametrize(
    ("constraints", "pools", "family"),
    [
        (Constraints(min_share_by_sector={"health": Decimal("0.5")}), None, SECTOR_SHARES),
        (Constraints(min_share_by_governorate={RAFAH: Decimal("0.5")}), None, GOVERNORATE_SHARES),
        (
            Constraints(min_share_by_sector={"housing": Decimal("0.8")}, max_per_partner_cents=500),
            None,
            PARTNER_CAP,
        ),
        (
            Constraints(min_share_by_sector={"housing": Decimal("0.5")}),
            {Earmark("health", None): 1000},
            EARMARKS,
        ),
    ],
)
def test_infeasible_rounds_name_the_family_at_fault(
    constraints: Constraints, pools: dict[Earmark, int] | None, family: str
) -> None:
    inputs = round_of(
        proposal("a", 500, "5"), proposal("b", 400, "5"), pools=pools, constraints=constraints
    )

    with pytest.raises(Infeasible) as raised:
        optimise(inputs)

    assert family in raised.value.families
    assert "No portfolio satisfies the round's constraints" in str(raised.value)


def test_conflicting_families_are_said_to_conflict() -> None:
    inputs = round_of(
        # No health project and none in Rafah: relaxing either family alone is not enough.
        proposal("a", 500, "5", sector="housing", governorate=GAZA),
        constraints=Constraints(
            min_share_by_sector={"health": Decimal("0.5")},
            min_share_by_governorate={RAFAH: Decimal("0.5")},
        ),
    )

    with pytest.raises(Infeasible, match="several conflict"):
        optimise(inputs)


def _random_round(seed: int, size: int = 30) -> RoundInputs:
    rng = random.Random(seed)  # noqa: S311 (a seeded instance, not a secret)
    return round_of(
        *(
            proposal(
                f"p{n:02d}",
                rng.randint(50, 400),
                str(rng.randint(0, 50) / 10),
                sector=rng.choice(["housing", "health", "wash"]),
                governorate=rng.choice([GAZA, RAFAH, KHAN_YOUNIS]),
                partner=rng.choice(["XM-1", "XM-2", "XM-3"]),
            )
            for n in range(size)
        ),
        pools={FLEXIBLE: 1500, Earmark("housing", None): 800, Earmark(None, RAFAH): 700},
        constraints=Constraints(
            max_share_by_sector={"housing": Decimal("0.4")},
            min_share_by_governorate={KHAN_YOUNIS: Decimal("0.2")},
            max_per_partner_cents=1500,
        ),
    )


def test_the_same_inputs_in_any_order_give_the_same_portfolio() -> None:
    inputs = _random_round(7)
    shuffled = list(inputs.proposals)
    random.Random(1).shuffle(shuffled)  # noqa: S311
    again = RoundInputs(
        criteria=inputs.criteria,
        pools=tuple(reversed(inputs.pools)),
        proposals=tuple(shuffled),
        constraints=inputs.constraints,
    )

    first = optimise(inputs)

    assert again == inputs
    assert optimise(inputs) == first
    assert optimise(again) == first
    assert not violations(inputs, first.selected)


def test_ties_go_to_the_earlier_ids() -> None:
    # Every pair of these scores 8 and fits; the tie term prefers the smallest id ranks.
    inputs = round_of(
        proposal("d", 500, "4"),
        proposal("c", 500, "4"),
        proposal("b", 500, "4"),
        proposal("a", 500, "4"),
    )

    assert optimise(inputs).selected == ("a", "b")


def test_the_tie_term_never_outweighs_a_real_difference() -> None:
    # z is last by id but scores one quantum more than a: the score wins.
    inputs = round_of(proposal("a", 600, "4.00"), proposal("z", 600, "4.01"))

    assert optimise(inputs).selected == ("z",)


def test_inputs_refuse_what_is_not_a_round() -> None:
    with pytest.raises(InvalidRound, match="not a sector"):
        proposal("a", 100, "1", sector="bridges")
    with pytest.raises(InvalidRound, match="more than 6 decimal places"):
        proposal("a", 100, "1.0000001")
    with pytest.raises(InvalidRound, match="same id"):
        round_of(proposal("a", 100, "1"), proposal("a", 200, "1"))
    with pytest.raises(InvalidRound, match="exceeds"):
        Constraints(
            min_share_by_sector={"health": Decimal("0.5")},
            max_share_by_sector={"health": Decimal("0.4")},
        )
    with pytest.raises(InvalidRound, match="scored on"):
        RoundInputs(
            criteria=(Criterion("need", Decimal(1)), Criterion("readiness", Decimal(1))),
            pools=(),
            proposals=(proposal("a", 100, "1"),),
        )
