"""Each movement of the fund's money as the posting set it makes.

No database: `amanah.funds.flows` is pure. Every expected posting is written out by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amanah.funds import flows
from amanah.funds.chart import normal_side, on_normal_side
from amanah.funds.earmarks import FLEXIBLE, Earmark
from amanah.funds.money import Money
from amanah.funds.postings import PostingSet, trial_balance

HOUSING_KY = Earmark("housing", "PS0270")
HOUSING = Earmark("housing")
KY = Earmark(governorate="PS0270")
A = "a1"


def money(amount: str, code: str = "USD") -> Money:
    return Money(Decimal(amount), code)


def as_rows(postings: PostingSet) -> list[tuple[str, str, str]]:
    return [(p.account, str(p.amount.amount), p.amount.currency) for p in postings.postings]


def assert_balanced(postings: PostingSet) -> None:
    for code in postings.currencies:
        total = sum(p.amount.amount for p in postings.postings if p.amount.currency == code)
        assert total == 0
    for posting in postings.postings:
        normal_side(posting.account)  # every account is in the chart


# --- each movement ---------------------------------------------------------------------------


def test_commitment() -> None:
    postings = flows.commitment("PK", money("1000000", "PKR"), HOUSING_KY)

    assert as_rows(postings) == [
        ("donor:PK:receivable", "1000000.00", "PKR"),
        ("fund:committed:housing.PS0270", "-1000000.00", "PKR"),
    ]
    assert_balanced(postings)


def test_contribution_without_a_commitment_is_available_at_once() -> None:
    postings = flows.contribution("QA", money("500", "QAR"), FLEXIBLE, committed=False)

    assert as_rows(postings) == [
        ("fund:cash", "500.00", "QAR"),
        ("fund:available:any.any", "-500.00", "QAR"),
    ]
    assert_balanced(postings)


def test_contribution_against_a_commitment_settles_it() -> None:
    postings = flows.contribution("JO", money("12.345", "JOD"), HOUSING, committed=True)

    assert as_rows(postings) == [
        ("fund:cash", "12.345", "JOD"),
        ("donor:JO:receivable", "-12.345", "JOD"),
        ("fund:committed:housing.any", "12.345", "JOD"),
        ("fund:available:housing.any", "-12.345", "JOD"),
    ]
    assert_balanced(postings)


def test_conversion_moves_cash_and_available_money_in_each_currency() -> None:
    postings = flows.conversion(money("278500", "PKR"), money("1000", "USD"), KY)

    assert as_rows(postings) == [
        ("fund:available:any.PS0270", "278500.00", "PKR"),
        ("fund:cash", "-278500.00", "PKR"),
        ("fund:cash", "1000.00", "USD"),
        ("fund:available:any.PS0270", "-1000.00", "USD"),
    ]
    assert_balanced(postings)


def test_allocation_reserve_sets_aside_each_draw() -> None:
    postings = flows.allocation_reserve([(HOUSING_KY, money("300")), (FLEXIBLE, money("200"))])

    assert as_rows(postings) == [
        ("fund:available:housing.PS0270", "300.00", "USD"),
        ("fund:reserved:housing.PS0270", "-300.00", "USD"),
        ("fund:available:any.any", "200.00", "USD"),
        ("fund:reserved:any.any", "-200.00", "USD"),
    ]
    assert_balanced(postings)


def test_allocation_release_undoes_the_reserve() -> None:
    draws = [(HOUSING_KY, money("300")), (FLEXIBLE, money("200"))]

    assert as_rows(flows.allocation_release(draws)) == [
        ("fund:available:housing.PS0270", "-300.00", "USD"),
        ("fund:reserved:housing.PS0270", "300.00", "USD"),
        ("fund:available:any.any", "-200.00", "USD"),
        ("fund:reserved:any.any", "200.00", "USD"),
    ]


def test_allocation_approve_moves_reserved_money_to_the_allocation() -> None:
    postings = flows.allocation_approve(
        A, [(HOUSING_KY, money("300")), (HOUSING, money("0.01")), (FLEXIBLE, money("200"))]
    )

    assert as_rows(postings) == [
        ("fund:reserved:housing.PS0270", "300.00", "USD"),
        ("fund:reserved:housing.any", "0.01", "USD"),
        ("fund:reserved:any.any", "200.00", "USD"),
        ("allocation:a1:undisbursed", "-500.01", "USD"),
    ]
    assert_balanced(postings)


def test_disbursement_reserve_and_release() -> None:
    reserve = flows.disbursement_reserve(A, money("150"))
    release = flows.disbursement_release(A, money("150"))

    assert as_rows(reserve) == [
        ("allocation:a1:undisbursed", "150.00", "USD"),
        ("allocation:a1:reserved", "-150.00", "USD"),
    ]
    assert as_rows(release) == [
        ("allocation:a1:undisbursed", "-150.00", "USD"),
        ("allocation:a1:reserved", "150.00", "USD"),
    ]
    assert_balanced(reserve)


def test_disbursement_approve_pays_the_partner_an_advance() -> None:
    postings = flows.disbursement_approve(A, money("150"))

    assert as_rows(postings) == [
        ("allocation:a1:reserved", "150.00", "USD"),
        ("allocation:a1:disbursed", "-150.00", "USD"),
        ("allocation:a1:advance", "150.00", "USD"),
        ("fund:cash", "-150.00", "USD"),
    ]
    assert_balanced(postings)


def test_expenditure_turns_advance_into_spending() -> None:
    postings = flows.expenditure(A, money("90.50"))

    assert as_rows(postings) == [
        ("allocation:a1:spent", "90.50", "USD"),
        ("allocation:a1:advance", "-90.50", "USD"),
    ]
    assert_balanced(postings)


def test_refund_returns_cash_to_the_pools_drawn_from() -> None:
    postings = flows.refund(A, [(HOUSING_KY, money("40")), (FLEXIBLE, money("19.50"))])

    assert as_rows(postings) == [
        ("fund:cash", "59.50", "USD"),
        ("allocation:a1:advance", "-59.50", "USD"),
        ("allocation:a1:disbursed", "59.50", "USD"),
        ("fund:available:housing.PS0270", "-40.00", "USD"),
        ("fund:available:any.any", "-19.50", "USD"),
    ]
    assert_balanced(postings)


# --- refusals --------------------------------------------------------------------------------

NON_POSITIVE = [money("0"), money("-1")]


@pytest.mark.parametrize("amount", NON_POSITIVE, ids=str)
def test_single_amount_flows_refuse_zero_and_negative(amount: Money) -> None:
    calls: list[Callable[[], PostingSet]] = [
        lambda: flows.commitment("PK", amount, FLEXIBLE),
        lambda: flows.contribution("PK", amount, FLEXIBLE, committed=False),
        lambda: flows.contribution("PK", amount, FLEXIBLE, committed=True),
        lambda: flows.conversion(amount, money("1", "PKR"), FLEXIBLE),
        lambda: flows.conversion(money("1", "PKR"), amount, FLEXIBLE),
        lambda: flows.disbursement_reserve(A, amount),
        lambda: flows.disbursement_release(A, amount),
        lambda: flows.disbursement_approve(A, amount),
        lambda: flows.expenditure(A, amount),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="more than zero"):
            call()


@pytest.mark.parametrize("amount", NON_POSITIVE, ids=str)
def test_draw_flows_refuse_zero_and_negative_draws(amount: Money) -> None:
    draws = [(HOUSING, money("5")), (FLEXIBLE, amount)]
    calls: list[Callable[[], PostingSet]] = [
        lambda: flows.allocation_reserve(draws),
        lambda: flows.allocation_release(draws),
        lambda: flows.allocation_approve(A, draws),
        lambda: flows.refund(A, draws),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="more than zero"):
            call()


def test_draw_flows_refuse_mixed_currencies_duplicate_earmarks_and_nothing() -> None:
    mixed = [(HOUSING, money("5")), (FLEXIBLE, money("5", "PKR"))]
    twice = [(HOUSING, money("5")), (HOUSING, money("6"))]
    makers: list[Callable[[Sequence[flows.Draw]], PostingSet]] = [
        flows.allocation_reserve,
        flows.allocation_release,
        lambda d: flows.allocation_approve(A, d),
        lambda d: flows.refund(A, d),
    ]
    for make in makers:
        with pytest.raises(ValueError, match="in one currency only"):
            make(mixed)
        with pytest.raises(ValueError, match="each earmark's pool once"):
            make(twice)
        with pytest.raises(ValueError, match="draws on no money"):
            make([])


def test_conversion_refuses_one_currency_for_itself() -> None:
    with pytest.raises(ValueError, match="not USD for itself"):
        flows.conversion(money("10"), money("11"), FLEXIBLE)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([HOUSING_KY, HOUSING, KY, FLEXIBLE]),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda d: d[0],
    )
)
def test_reserve_then_release_nets_every_account_to_zero(
    raw: list[tuple[Earmark, Decimal]],
) -> None:
    draws = [(earmark, money(str(amount))) for earmark, amount in raw]

    books = trial_balance([flows.allocation_reserve(draws), flows.allocation_release(draws)])

    assert set(books.balances["USD"].values()) == {Decimal(0)}


# --- a whole lifecycle -----------------------------------------------------------------------


def test_lifecycle_keeps_the_books_balanced_and_on_their_normal_sides() -> None:
    """Commitment, contribution, reserve, approve, disbursement reserve, approve,
    expenditure and refund, in PKR and USD."""
    draws = [(HOUSING_KY, money("700")), (FLEXIBLE, money("300"))]
    sets = [
        flows.commitment("PK", money("557000", "PKR"), HOUSING_KY),
        flows.contribution("PK", money("557000", "PKR"), HOUSING_KY, committed=True),
        flows.conversion(money("278500", "PKR"), money("1000", "USD"), HOUSING_KY),
        flows.contribution("US", money("500", "USD"), FLEXIBLE, committed=False),
        flows.allocation_reserve(draws),
        flows.allocation_approve(A, draws),
        flows.disbursement_reserve(A, money("600")),
        flows.disbursement_approve(A, money("600")),
        flows.expenditure(A, money("450")),
        flows.refund(A, [(HOUSING_KY, money("100"))]),
    ]

    books = trial_balance(sets)

    assert books.totals() == {"PKR": Decimal(0), "USD": Decimal(0)}
    for accounts in books.balances.values():
        for account, balance in accounts.items():
            assert on_normal_side(account, balance), (account, balance)
    assert books.balances["PKR"] == {
        "donor:PK:receivable": Decimal(0),
        "fund:available:housing.PS0270": Decimal("-278500.00"),
        "fund:cash": Decimal("278500.00"),
        "fund:committed:housing.PS0270": Decimal(0),
    }
    assert books.balances["USD"] == {
        "allocation:a1:advance": Decimal("50.00"),
        "allocation:a1:disbursed": Decimal("-500.00"),
        "allocation:a1:reserved": Decimal(0),
        "allocation:a1:spent": Decimal("450.00"),
        "allocation:a1:undisbursed": Decimal("-400.00"),
        "fund:available:any.any": Decimal("-200.00"),
        "fund:available:housing.PS0270": Decimal("-400.00"),
        "fund:cash": Decimal("1000.00"),
        "fund:reserved:any.any": Decimal(0),
        "fund:reserved:housing.PS0270": Decimal(0),
    }
