"""The chart of accounts: account names and the side each balance lives on.

No database: `amanah.funds.chart` is pure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from amanah.funds.chart import (
    CASH,
    Side,
    allocation_account,
    donor_receivable,
    fund_account,
    normal_side,
    on_normal_side,
)
from amanah.funds.earmarks import FLEXIBLE, Earmark
from amanah.funds.postings import validate_account

HOUSING_KY = Earmark("housing", "PS0270")

DEBITS = [
    donor_receivable("PK"),
    donor_receivable("qatar-fund.1"),
    CASH,
    allocation_account("a1", "advance"),
    allocation_account("a1", "spent"),
]
CREDITS = [
    fund_account("committed", HOUSING_KY),
    fund_account("available", FLEXIBLE),
    fund_account("reserved", Earmark(governorate="PS0275")),
    allocation_account("a1", "undisbursed"),
    allocation_account("a1", "reserved"),
    allocation_account("a1", "disbursed"),
]


def test_account_names() -> None:
    assert CASH == "fund:cash"
    assert donor_receivable("PK") == "donor:PK:receivable"
    assert fund_account("available", HOUSING_KY) == "fund:available:housing.PS0270"
    assert fund_account("committed", FLEXIBLE) == "fund:committed:any.any"
    assert allocation_account("3f2a", "undisbursed") == "allocation:3f2a:undisbursed"


@pytest.mark.parametrize("account", DEBITS + CREDITS)
def test_every_chart_account_is_a_valid_account_code(account: str) -> None:
    assert validate_account(account) == account


@pytest.mark.parametrize("account", DEBITS)
def test_debit_accounts(account: str) -> None:
    assert normal_side(account) is Side.DEBIT
    assert on_normal_side(account, Decimal("0.01"))
    assert on_normal_side(account, Decimal(0))
    assert not on_normal_side(account, Decimal("-0.01"))


@pytest.mark.parametrize("account", CREDITS)
def test_credit_accounts(account: str) -> None:
    assert normal_side(account) is Side.CREDIT
    assert on_normal_side(account, Decimal("-0.01"))
    assert on_normal_side(account, Decimal(0))
    assert not on_normal_side(account, Decimal("0.01"))


@pytest.mark.parametrize("pool", ["pledged", "cash", "Available", ""])
def test_fund_account_refuses_other_pools(pool: str) -> None:
    with pytest.raises(ValueError, match="is not a fund pool"):
        fund_account(pool, FLEXIBLE)


@pytest.mark.parametrize("part", ["cash", "committed", "Spent", ""])
def test_allocation_account_refuses_other_parts(part: str) -> None:
    with pytest.raises(ValueError, match="is not an account of an allocation"):
        allocation_account("a1", part)


@pytest.mark.parametrize(
    "account",
    [
        "fund:pledged",
        "fund:cash:usd",
        "fund:available",
        "fund:available:housing",  # an earmark key has a sector and a governorate
        "fund:available:housing.PS0270.x",
        "fund:available:a:b.c",
        "donor:PK",
        "donor:PK:payable",
        "donor:a:b:receivable",
        "allocation:a1:cash",
        "allocation:a:b:advance",
        "project:p1:allocated",
        "xfund:cash",
        "fund:cashx",
    ],
)
def test_accounts_outside_the_chart_are_refused(account: str) -> None:
    with pytest.raises(ValueError, match="is not an account of the fund's chart"):
        normal_side(account)
    with pytest.raises(ValueError, match="is not an account of the fund's chart"):
        on_normal_side(account, Decimal(0))
