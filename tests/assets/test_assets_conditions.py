"""The pure rules: current condition, damaged again, and the tally per governorate; and
the server's table (selectors) agrees with them."""

from __future__ import annotations

import datetime

import pytest
from assets_factories import DAY, GAZA, build
from hypothesis import given
from hypothesis import strategies as st

from amanah.assets import conditions, selectors, services
from amanah.assets.conditions import Assessed

D = datetime.date


def test_the_latest_day_wins_then_the_later_log_index() -> None:
    history = [
        Assessed(D(2026, 3, 1), 10, "destroyed"),
        Assessed(D(2026, 2, 1), 20, "moderate"),
        Assessed(D(2026, 3, 1), 5, "severe"),
    ]
    assert conditions.current(history) == history[0]
    assert conditions.current([]) is None


def test_damaged_again_needs_damage_after_a_restoration() -> None:
    restored = Assessed(D(2026, 5, 1), 3, "restored")
    assert not conditions.damaged_again([Assessed(D(2026, 1, 1), 1, "destroyed"), restored])
    assert conditions.damaged_again([restored, Assessed(D(2026, 9, 1), 9, "severe")])
    # "Possible damage" is not confirmed damage.
    assert not conditions.damaged_again([restored, Assessed(D(2026, 9, 1), 9, "possible")])


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["PS0255", "PS0260"]),
            st.lists(
                st.builds(
                    Assessed,
                    st.dates(D(2024, 1, 1), D(2026, 12, 31)),
                    st.integers(0, 10_000),
                    st.sampled_from(conditions.CONDITIONS),
                ),
                max_size=4,
            ),
        ),
        max_size=20,
    )
)
def test_every_asset_is_counted_exactly_once(assets: list[tuple[str, list[Assessed]]]) -> None:
    table = conditions.tally(assets, ["PS0255", "PS0260", "PS0275"])
    assert sum(t.assets for t in table.values()) == len(assets)
    assert table["PS0275"].assets == 0
    assert sum(t.not_assessed for t in table.values()) == sum(1 for _, h in assets if not h)


@pytest.mark.django_db
def test_the_servers_table_counts_current_conditions_by_governorate() -> None:
    s = build()
    services.asset_assess(
        asset=s.school,
        assessed_on=DAY,
        condition="destroyed",
        method="remote",
        source="UNOSAT",
        actor=s.secretariat,
    )
    services.asset_register(
        code="AS-GZA-H-1", name_en="Block 7", kind="housing", governorate=GAZA, actor=s.monitor
    )
    table = selectors.damage_by_governorate()
    assert table.by_governorate[GAZA].as_dict() == {
        "destroyed": 1,
        "severe": 0,
        "moderate": 0,
        "possible": 0,
        "undamaged": 0,
        "restored": 0,
        "not_assessed": 1,
        "damaged": 1,
        "damaged_again": 0,
        "assets": 2,
    }
    assert [t.assets for t in table.by_governorate.values()] == [0, 2, 0, 0, 0]
    assert table.total.assets == 2
    assert selectors.damage_by_governorate("school").total.assets == 1
