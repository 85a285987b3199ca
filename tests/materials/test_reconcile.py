"""The pure reconciliation, on hand-built numbers."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from amanah.materials.reconcile import Totals, beyond_tolerance, should_raise

TWO_PERCENT = D("0.02")


def test_the_gap_is_received_less_everything_accounted_for() -> None:
    totals = Totals(received=D(100), used=D(70), in_stock=D(10), returned=D(5), lost=D(3))
    assert totals.gap == D(12)
    assert totals.accounted == D(88)
    assert totals.as_strings() == {
        "received": "100",
        "used": "70",
        "in_stock": "10",
        "returned": "5",
        "lost": "3",
        "gap": "12",
    }


def test_nothing_moved_is_no_gap() -> None:
    assert Totals().gap == 0
    assert not beyond_tolerance(Totals(), TWO_PERCENT)


@pytest.mark.parametrize(
    ("used", "beyond"),
    [("98", False), ("98.001", False), ("97.999", True), ("90", True), ("100", False)],
)
def test_the_tolerance_is_a_fraction_of_what_was_received(used: str, beyond: bool) -> None:
    assert beyond_tolerance(Totals(received=D(100), used=D(used)), TWO_PERCENT) is beyond


def test_an_overreport_is_a_gap_too() -> None:
    # Only possible from the log's figures if a report was wrong; flagged either way.
    assert beyond_tolerance(Totals(received=D(10), used=D(11)), TWO_PERCENT)


def test_a_zero_tolerance_flags_any_gap() -> None:
    assert beyond_tolerance(Totals(received=D(1), used=D("0.999")), D(0))
    with pytest.raises(ValueError, match="negative"):
        beyond_tolerance(Totals(), D(-1))


def test_should_raise() -> None:
    gap5 = Totals(received=D(100), used=D(95))
    assert should_raise(gap5, TWO_PERCENT, open_flag=False, last_resolved_gap=None)
    assert not should_raise(gap5, TWO_PERCENT, open_flag=True, last_resolved_gap=None)
    assert not should_raise(gap5, TWO_PERCENT, open_flag=False, last_resolved_gap=D(5))
    assert should_raise(gap5, TWO_PERCENT, open_flag=False, last_resolved_gap=D(4))
    within = Totals(received=D(100), used=D(99))
    assert not should_raise(within, TWO_PERCENT, open_flag=False, last_resolved_gap=None)
