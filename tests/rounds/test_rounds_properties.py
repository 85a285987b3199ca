"""Properties: the inputs' JSON reads back identically, and the optimum is never below
the greedy baseline and always satisfies every constraint."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from roundmaker import GAZA, KHAN_YOUNIS, RAFAH

from amanah.funds.earmarks import FLEXIBLE, Earmark
from amanah.rounds.optimiser import (
    Constraints,
    Criterion,
    Infeasible,
    Pool,
    Proposal,
    RoundInputs,
    greedy,
    optimise,
    violations,
)
from amanah.transparency import canonical_json

CODES = ("need", "readiness")
decimals = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False).map(
    lambda d: d.normalize()
)
shares = st.decimals(min_value=0, max_value=Decimal("0.6"), places=2).map(lambda d: d + 0)


@st.composite
def rounds(draw: st.DrawFn, max_proposals: int = 8) -> RoundInputs:
    count = draw(st.integers(0, max_proposals))
    proposals = tuple(
        Proposal(
            id=f"P-{n}",
            cost_cents=draw(st.integers(1, 500)),
            sector=draw(st.sampled_from(["housing", "health"])),
            governorate=draw(st.sampled_from([GAZA, RAFAH, KHAN_YOUNIS])),
            partner=draw(st.sampled_from(["XM-1", "XM-2"])),
            beneficiaries=draw(st.integers(0, 1000)),
            scores={code: draw(decimals) for code in CODES},
        )
        for n in range(count)
    )
    earmarks = draw(
        st.lists(
            st.sampled_from([FLEXIBLE, Earmark("housing", None), Earmark(None, RAFAH)]),
            unique=True,
            min_size=1,
        )
    )
    return RoundInputs(
        criteria=tuple(Criterion(code, draw(decimals)) for code in CODES),
        pools=tuple(Pool(e, draw(st.integers(0, 1500))) for e in earmarks),
        proposals=proposals,
        constraints=Constraints(
            max_share_by_sector=draw(
                st.dictionaries(st.just("housing"), shares.map(lambda s: s + Decimal("0.3")))
            ),
            min_share_by_governorate=draw(
                st.dictionaries(st.just(KHAN_YOUNIS), shares.map(lambda s: s / 4))
            ),
            max_per_partner_cents=draw(st.none() | st.integers(0, 1500)),
        ),
    )


@given(rounds(max_proposals=20))
def test_inputs_read_back_identically_from_their_canonical_json(inputs: RoundInputs) -> None:
    logged = canonical_json(inputs.to_json())

    import json

    again = RoundInputs.from_json(json.loads(logged))

    assert again == inputs
    assert canonical_json(again.to_json()) == logged


@settings(max_examples=60, deadline=None)
@given(rounds())
def test_the_optimum_is_never_below_greedy(inputs: RoundInputs) -> None:
    baseline = greedy(inputs)
    try:
        best = optimise(inputs)
    except Infeasible:
        # Only minimum shares can make a round infeasible; greedy ignores them.
        assert violations(inputs, baseline.selected)
        return

    assert not violations(inputs, best.selected)
    if not violations(inputs, baseline.selected):
        assert best.total_score >= baseline.total_score
    for pid, draws in best.draws.items():
        cost = next(p.cost_cents for p in inputs.proposals if p.id == pid)
        assert sum(draws.values()) == cost
    for pool in inputs.pools:
        drawn = sum(d.get(pool.earmark.key, 0) for d in best.draws.values())
        assert drawn <= pool.amount_cents
