"""Minor units: how the database stores amounts, as exact integers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amanah.funds.money import Money


@pytest.mark.parametrize(
    ("amount", "code", "minor"),
    [("1234.50", "USD", 123450), ("3.125", "JOD", 3125), ("-7", "JPY", -7), ("0", "PKR", 0)],
)
def test_minor_units_follow_the_currency(amount: str, code: str, minor: int) -> None:
    money = Money(Decimal(amount), code)
    assert money.minor == minor
    assert Money.from_minor(minor, code) == money


@given(st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from(["USD", "JOD", "JPY"]))
def test_minor_units_round_trip(units: int, code: str) -> None:
    assert Money.from_minor(units, code).minor == units


@pytest.mark.parametrize("units", [1.5, True, "12"])
def test_minor_units_must_be_an_int(units: object) -> None:
    with pytest.raises(TypeError, match="minor units must be an int"):
        Money.from_minor(units, "USD")  # type: ignore[arg-type]
