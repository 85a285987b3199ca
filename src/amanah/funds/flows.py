"""Each movement of the fund's money as the posting set it makes.

The services post exactly these sets, and the audit rebuilds the books from the log by
calling the same functions with the amounts the log holds; so the books the server keeps
and the books anyone recomputes cannot follow different rules.

The humanitarian funding vocabulary (OCHA FTS, IATI): a pledge (not binding, so it posts
nothing), a commitment (a signed agreement), a paid contribution; an allocation from the
fund to a project, a disbursement of a tranche to the partner, expenditure the partner
reports, and a refund of what was not spent. Allocations and disbursements wait for the
board: the money is reserved when the motion is opened, moved when it executes, and
released if the motion is withdrawn.
"""

from __future__ import annotations

from collections.abc import Sequence

from amanah.funds import chart
from amanah.funds.earmarks import Earmark
from amanah.funds.money import Money
from amanah.funds.postings import Posting, PostingSet, balanced, reversal

__all__ = [
    "Draw",
    "allocation_approve",
    "allocation_release",
    "allocation_reserve",
    "commitment",
    "contribution",
    "conversion",
    "disbursement_approve",
    "disbursement_release",
    "disbursement_reserve",
    "expenditure",
    "refund",
]

# Money drawn from (or returned to) the pool of one earmark.
Draw = tuple[Earmark, Money]


def _positive(amount: Money, what: str) -> None:
    if amount.is_zero() or amount.is_negative():
        raise ValueError(f"{what} must be more than zero, not {amount}")


def _move(debit: str, credit: str, amount: Money) -> list[Posting]:
    """Move `amount` from `credit`'s side to `debit`'s: debit one account, credit the other."""
    return [Posting(debit, amount), Posting(credit, -amount)]


def commitment(donor: str, amount: Money, earmark: Earmark) -> PostingSet:
    """A signed agreement: the donor owes the fund `amount`, for `earmark`."""
    _positive(amount, "A commitment")
    return balanced(
        _move(chart.donor_receivable(donor), chart.fund_account("committed", earmark), amount)
    )


def contribution(donor: str, amount: Money, earmark: Earmark, *, committed: bool) -> PostingSet:
    """Money received. Against a commitment it settles the receivable and the committed
    money becomes available; without one it is available at once."""
    _positive(amount, "A contribution")
    available = chart.fund_account("available", earmark)
    if not committed:
        return balanced(_move(chart.CASH, available, amount))
    return balanced(
        _move(chart.CASH, chart.donor_receivable(donor), amount)
        + _move(chart.fund_account("committed", earmark), available, amount)
    )


def conversion(sold: Money, bought: Money, earmark: Earmark) -> PostingSet:
    """The fund's bank sells `sold` for `bought`: the earmark's available money changes
    currency with the cash. Each currency balances by itself; the bank's rate is the
    ratio of the two amounts."""
    _positive(sold, "The amount sold")
    _positive(bought, "The amount bought")
    if sold.currency == bought.currency:
        raise ValueError(
            f"A conversion sells one currency for another, not {sold.currency} for itself"
        )
    available = chart.fund_account("available", earmark)
    return balanced(_move(available, chart.CASH, sold) + _move(chart.CASH, available, bought))


def _one_currency(draws: Sequence[Draw], what: str) -> None:
    if not draws:
        raise ValueError(f"{what} draws on no money")
    if len({money.currency for _earmark, money in draws}) != 1:
        raise ValueError(f"{what} draws in one currency only")
    for _earmark, money in draws:
        _positive(money, what)
    if len({earmark for earmark, _money in draws}) != len(draws):
        raise ValueError(f"{what} draws on each earmark's pool once")


def allocation_reserve(draws: Sequence[Draw]) -> PostingSet:
    """An allocation motion is opened: its money leaves the available pools, set aside."""
    _one_currency(draws, "An allocation")
    postings: list[Posting] = []
    for earmark, money in draws:
        postings += _move(
            chart.fund_account("available", earmark),
            chart.fund_account("reserved", earmark),
            money,
        )
    return balanced(postings)


def allocation_release(draws: Sequence[Draw]) -> PostingSet:
    """The allocation motion was withdrawn: its money is available again."""
    return reversal(allocation_reserve(draws))


def allocation_approve(allocation: str, draws: Sequence[Draw]) -> PostingSet:
    """The board executed the allocation: the reserved money is the project's to disburse."""
    _one_currency(draws, "An allocation")
    undisbursed = chart.allocation_account(allocation, "undisbursed")
    postings: list[Posting] = []
    for earmark, money in draws:
        postings.append(Posting(chart.fund_account("reserved", earmark), money))
    total = sum((money for _earmark, money in draws[1:]), draws[0][1])
    postings.append(Posting(undisbursed, -total))
    return balanced(postings)


def disbursement_reserve(allocation: str, amount: Money) -> PostingSet:
    """A disbursement motion is opened: the tranche is set aside from what is left."""
    _positive(amount, "A disbursement")
    return balanced(
        _move(
            chart.allocation_account(allocation, "undisbursed"),
            chart.allocation_account(allocation, "reserved"),
            amount,
        )
    )


def disbursement_release(allocation: str, amount: Money) -> PostingSet:
    """The disbursement motion was withdrawn: the tranche is the allocation's again."""
    return reversal(disbursement_reserve(allocation, amount))


def disbursement_approve(allocation: str, amount: Money) -> PostingSet:
    """The board executed the disbursement: cash goes to the partner as an advance."""
    _positive(amount, "A disbursement")
    return balanced(
        _move(
            chart.allocation_account(allocation, "reserved"),
            chart.allocation_account(allocation, "disbursed"),
            amount,
        )
        + _move(chart.allocation_account(allocation, "advance"), chart.CASH, amount)
    )


def expenditure(allocation: str, amount: Money) -> PostingSet:
    """The partner reports spending part of its advance."""
    _positive(amount, "Expenditure")
    return balanced(
        _move(
            chart.allocation_account(allocation, "spent"),
            chart.allocation_account(allocation, "advance"),
            amount,
        )
    )


def refund(allocation: str, returns: Sequence[Draw]) -> PostingSet:
    """The partner returns unspent money; it goes back to the pools it was drawn from."""
    _one_currency(returns, "A refund")
    total = sum((money for _earmark, money in returns[1:]), returns[0][1])
    postings = _move(chart.CASH, chart.allocation_account(allocation, "advance"), total)
    postings.append(Posting(chart.allocation_account(allocation, "disbursed"), total))
    for earmark, money in returns:
        postings.append(Posting(chart.fund_account("available", earmark), -money))
    return balanced(postings)
