"""Double entry: account codes, balanced posting sets, reversals and the trial balance.

No database: `amanah.funds.postings` is pure.
"""

from __future__ import annotations

from decimal import Decimal
from random import Random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from amanah.funds.money import Money, currency
from amanah.funds.postings import (
    MAX_ACCOUNT_LENGTH,
    DuplicateAccount,
    InvalidAccount,
    InvalidPostingSet,
    Posting,
    PostingError,
    PostingSet,
    TrialBalance,
    Unbalanced,
    ZeroPosting,
    balanced,
    reversal,
    trial_balance,
    validate_account,
)

PROJECT = "project:3f2a9c"


def money(amount: str, code: str = "USD") -> Money:
    return Money(Decimal(amount), code)


def post(account: str, amount: str, code: str = "USD") -> Posting:
    return Posting(account, money(amount, code))


def pledge(amount: str = "100") -> PostingSet:
    return balanced([post("donor:PK:receivable", amount), post("fund:pledged", f"-{amount}")])


# --- account codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "fund:cash",
        "donor:PK:receivable",
        f"{PROJECT}:allocated",
        "a:b",
        "bank:acc-01.usd_main:x",
        "x:" + "y" * (MAX_ACCOUNT_LENGTH - 2),
    ],
)
def test_valid_account_codes(code: str) -> None:
    assert validate_account(code) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "it is empty"),
        ("fund", "at least two segments"),
        ("fund:", "an empty segment"),
        (":cash", "an empty segment"),
        ("fund::cash", "an empty segment"),
        ("fund:_cash", "segment '_cash' must start with a letter or digit"),
        ("fund:ca sh", "segment 'ca sh'"),
        ("fund:caché", "segment 'caché'"),
        ("fund:cash/usd", "segment 'cash/usd'"),
        ("x:" + "y" * (MAX_ACCOUNT_LENGTH - 1), f"longer than {MAX_ACCOUNT_LENGTH} characters"),
    ],
)
def test_invalid_account_codes_say_why(code: str, reason: str) -> None:
    with pytest.raises(InvalidAccount) as caught:
        validate_account(code)
    assert caught.value.code == code
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{code!r} is not an account code: ")


def test_account_code_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        validate_account(None)  # type: ignore[arg-type]


def test_errors_are_value_errors() -> None:
    assert issubclass(PostingError, ValueError)
    assert issubclass(Unbalanced, InvalidPostingSet)
    assert issubclass(DuplicateAccount, InvalidPostingSet)


# --- postings --------------------------------------------------------------------------------


def test_zero_posting_is_refused() -> None:
    with pytest.raises(ZeroPosting) as caught:
        post("fund:cash", "0")
    assert caught.value.account == "fund:cash"
    assert str(caught.value) == "A posting of 0.00 USD to fund:cash moves nothing; leave it out."


def test_posting_needs_money_and_a_valid_account() -> None:
    with pytest.raises(TypeError, match="Money"):
        Posting("fund:cash", Decimal(1))  # type: ignore[arg-type]
    with pytest.raises(InvalidAccount):
        post("cash", "1")


# --- posting sets ----------------------------------------------------------------------------


def test_balanced_set_keeps_its_order() -> None:
    entry = pledge()
    assert [p.account for p in entry.postings] == ["donor:PK:receivable", "fund:pledged"]
    assert entry == PostingSet(entry.postings)
    assert entry.currencies == frozenset({"USD"})


def test_multi_currency_set_balances_per_currency() -> None:
    entry = balanced(
        [
            post("fund:cash", "100"),
            post("fx:position", "-100"),
            post("fx:position", "27850", "PKR"),
            post("fund:cash", "-27850", "PKR"),
        ]
    )
    assert entry.currencies == frozenset({"USD", "PKR"})


@pytest.mark.parametrize("count", [0, 1])
def test_set_needs_two_postings(count: int) -> None:
    with pytest.raises(InvalidPostingSet, match=f"a debit and a credit; this one has {count}"):
        balanced([post("fund:cash", "1")][:count])


def test_unbalanced_set_names_each_currency() -> None:
    with pytest.raises(Unbalanced) as caught:
        balanced(
            [
                post("fund:cash", "100"),
                post("fund:pledged", "-90"),
                post("fund:cash", "5", "JOD"),
                post("fund:pledged", "-7", "JOD"),
            ]
        )
    assert caught.value.imbalances == {"USD": Decimal("10.00"), "JOD": Decimal("-2.000")}
    assert str(caught.value) == (
        "The postings do not balance: JOD credits exceed debits by 2.000; "
        "USD debits exceed credits by 10.00."
    )


def test_one_currency_balancing_does_not_excuse_another() -> None:
    with pytest.raises(Unbalanced) as caught:
        balanced([post("fund:cash", "1"), post("fund:pledged", "-1", "EUR")])
    assert set(caught.value.imbalances) == {"USD", "EUR"}


def test_same_account_twice_in_one_currency_is_refused() -> None:
    with pytest.raises(DuplicateAccount) as caught:
        balanced([post("fund:cash", "1"), post("fund:cash", "1"), post("fund:pledged", "-2")])
    assert (caught.value.account, caught.value.currency) == ("fund:cash", "USD")
    assert "fund:cash appears more than once in USD" in str(caught.value)


def test_same_account_in_two_currencies_is_fine() -> None:
    entry = balanced(
        [
            post("fund:cash", "1"),
            post("fund:fx", "-1"),
            post("fund:cash", "-1", "EUR"),
            post("fund:fx", "1", "EUR"),
        ]
    )
    assert len(entry.postings) == 4


def test_posting_set_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="tuple"):
        PostingSet([post("a:b", "1"), post("a:c", "-1")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Posting"):
        PostingSet((post("a:b", "1"), ("a:c", money("-1"))))  # type: ignore[arg-type]


def test_reversal_negates_every_amount() -> None:
    undo = reversal(pledge("40.25"))
    assert undo.postings == (
        post("donor:PK:receivable", "-40.25"),
        post("fund:pledged", "40.25"),
    )
    assert reversal(undo) == pledge("40.25")


# --- trial balance ---------------------------------------------------------------------------


def books() -> TrialBalance:
    return trial_balance(
        [
            pledge("100"),
            balanced([post("fund:cash", "100"), post("donor:PK:receivable", "-100")]),
            balanced([post(f"{PROJECT}:allocated", "60"), post("fund:cash", "-60")]),
            balanced([post(f"{PROJECT}:spent", "25"), post(f"{PROJECT}:allocated", "-25")]),
            balanced([post(f"{PROJECT}9:allocated", "10"), post("fund:cash", "-10")]),
            balanced(
                [post(f"{PROJECT}:allocated", "500", "JOD"), post("fund:cash", "-500", "JOD")]
            ),
        ]
    )


def test_trial_balance_per_account_and_currency() -> None:
    tb = books()
    assert dict(tb.balances["USD"]) == {
        "donor:PK:receivable": Decimal("0.00"),
        "fund:cash": Decimal("30.00"),
        "fund:pledged": Decimal("-100.00"),
        f"{PROJECT}9:allocated": Decimal("10.00"),
        f"{PROJECT}:allocated": Decimal("35.00"),
        f"{PROJECT}:spent": Decimal("25.00"),
    }
    assert tb.totals() == {"JOD": Decimal("0.000"), "USD": Decimal("0.00")}


def test_balance_of_one_account() -> None:
    tb = books()
    assert tb.balance(f"{PROJECT}:allocated") == {"JOD": Decimal("500"), "USD": Decimal("35")}
    assert tb.balance("fund:unused") == {}
    with pytest.raises(InvalidAccount):
        tb.balance("fund")


def test_balance_under_a_prefix_takes_whole_segments() -> None:
    tb = books()
    # project:3f2a9c9 is another project: a prefix matches whole segments only.
    assert tb.balance_under(f"{PROJECT}:") == {"JOD": Decimal("500"), "USD": Decimal("60")}
    assert tb.balance_under("project:") == {"JOD": Decimal("500"), "USD": Decimal("70")}
    assert tb.balance_under("nobody:") == {}


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [(PROJECT, 'a prefix ends with ":"'), ("project::", "empty segment"), ("pro ject:", "segment")],
)
def test_balance_under_refuses_bad_prefixes(prefix: str, reason: str) -> None:
    with pytest.raises(InvalidAccount) as caught:
        books().balance_under(prefix)
    assert reason in caught.value.reason


def test_trial_balance_of_nothing_is_empty() -> None:
    tb = trial_balance([])
    assert tb.totals() == {}
    assert tb.balance_under("fund:") == {}


# --- properties ------------------------------------------------------------------------------

CODES = ["USD", "JPY", "JOD", "PKR", "EGP"]
_ALNUM = "abcxyzPK0123456789"
segments = st.builds(
    str.__add__, st.sampled_from(_ALNUM), st.text(alphabet=_ALNUM + "_.-", max_size=5)
)
# A few top-level segments, so accounts often share a prefix as real charts do.
accounts = st.builds(
    lambda top, rest: ":".join([top, *rest]),
    st.sampled_from(["fund", "donor", "project", "bank"]),
    st.lists(segments, min_size=1, max_size=2),
)


@st.composite
def one_currency(draw: st.DrawFn, code: str) -> list[Posting]:
    places = currency(code).minor_units
    amount = st.decimals(
        min_value=Decimal(-(10**9)), max_value=Decimal(10**9), places=places, allow_nan=False
    ).filter(lambda d: not d.is_zero())
    amounts = draw(st.lists(amount, min_size=1, max_size=3))
    last = -sum(amounts, Decimal(0))
    assume(not last.is_zero())
    size = len(amounts) + 1
    names = draw(st.lists(accounts, min_size=size, max_size=size, unique=True))
    return [Posting(a, Money(x, code)) for a, x in zip(names, [*amounts, last], strict=True)]


@st.composite
def posting_sets(draw: st.DrawFn) -> PostingSet:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))
    postings = [p for code in codes for p in draw(one_currency(code))]
    return balanced(draw(st.permutations(postings)))


@given(st.lists(posting_sets(), max_size=5))
def test_books_of_balanced_sets_total_zero(entries: list[PostingSet]) -> None:
    tb = trial_balance(entries)
    assert all(total.is_zero() for total in tb.totals().values())
    assert set(tb.totals()) == {p.amount.currency for e in entries for p in e.postings}
    # Every account is under its first segment, so those subtotals add up to the total.
    for code, by_account in tb.balances.items():
        tops = {account.split(":")[0] + ":" for account in by_account}
        subtotals = [tb.balance_under(top)[code] for top in tops]
        assert sum(subtotals, Decimal(0)).is_zero()


@given(st.lists(posting_sets(), min_size=1, max_size=5))
def test_reversals_leave_every_account_at_zero(entries: list[PostingSet]) -> None:
    tb = trial_balance([*entries, *map(reversal, entries)])
    for by_account in tb.balances.values():
        assert all(balance.is_zero() for balance in by_account.values())


@given(st.lists(posting_sets(), max_size=5), st.randoms(use_true_random=False))
def test_trial_balance_ignores_entry_order(entries: list[PostingSet], rng: Random) -> None:
    shuffled = list(entries)
    rng.shuffle(shuffled)
    assert trial_balance(shuffled) == trial_balance(entries)
