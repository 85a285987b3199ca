"""The fund's chart of accounts, one set per currency.

Where the money is (debit balances):
    donor:<D>:receivable        committed by donor D in a signed agreement, not yet paid
    fund:cash                   in the fund's bank accounts
    allocation:<A>:advance      disbursed to the partner, not yet reported spent
    allocation:<A>:spent        reported spent by the partner (expenditure)
What it is for (credit balances):
    fund:committed:<E>          committed under earmark E, not yet paid
    fund:available:<E>          paid under earmark E, free to allocate
    fund:reserved:<E>           set aside for an allocation motion the board has not decided
    allocation:<A>:undisbursed  allocated by the board, not yet disbursed
    allocation:<A>:reserved     set aside for a disbursement motion not yet decided
    allocation:<A>:disbursed    disbursed, net of refunds

Only paid money is available: a commitment becomes available as it is paid. So the fund
never allocates money it has not received, and available money is always backed by cash.

A balance is "debit positive". No account may end a posting set on the wrong side of zero:
that single rule is what stops an allocation exceeding its earmark's available money, a
disbursement exceeding what its allocation has left, and a report of more spending than
was advanced. The services check it under row locks; the audit checks it again on replay.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum

from amanah.funds.earmarks import Earmark

__all__ = [
    "CASH",
    "Side",
    "allocation_account",
    "donor_receivable",
    "fund_account",
    "normal_side",
    "on_normal_side",
]

CASH = "fund:cash"


class Side(Enum):
    DEBIT = "debit"
    CREDIT = "credit"


_FUND_POOLS = ("committed", "available", "reserved")
_ALLOCATION_DEBIT = ("advance", "spent")
_ALLOCATION_CREDIT = ("undisbursed", "reserved", "disbursed")


def donor_receivable(donor: str) -> str:
    return f"donor:{donor}:receivable"


def fund_account(pool: str, earmark: Earmark) -> str:
    if pool not in _FUND_POOLS:
        raise ValueError(f"{pool!r} is not a fund pool; use one of {', '.join(_FUND_POOLS)}")
    return f"fund:{pool}:{earmark.key}"


def allocation_account(allocation: str, part: str) -> str:
    if part not in _ALLOCATION_DEBIT + _ALLOCATION_CREDIT:
        raise ValueError(f"{part!r} is not an account of an allocation")
    return f"allocation:{allocation}:{part}"


_PATTERNS: tuple[tuple[re.Pattern[str], Side], ...] = (
    (re.compile(r"donor:[^:]+:receivable"), Side.DEBIT),
    (re.compile(re.escape(CASH)), Side.DEBIT),
    (re.compile(r"fund:(committed|available|reserved):[^:.]+\.[^:.]+"), Side.CREDIT),
    (re.compile(r"allocation:[^:]+:(advance|spent)"), Side.DEBIT),
    (re.compile(r"allocation:[^:]+:(undisbursed|reserved|disbursed)"), Side.CREDIT),
)


def normal_side(account: str) -> Side:
    """The side this account's balance lives on; ValueError for an account not in the chart."""
    for pattern, side in _PATTERNS:
        if pattern.fullmatch(account):
            return side
    raise ValueError(f"{account!r} is not an account of the fund's chart")


def on_normal_side(account: str, balance: Decimal) -> bool:
    """Whether a debit-positive `balance` is allowed for `account`."""
    return balance >= 0 if normal_side(account) is Side.DEBIT else balance <= 0
