"""Double entry, generically: postings to accounts that balance, and the trial balance.

Every movement of the fund's money is a `PostingSet`: debits and credits that sum to zero
in each currency. Then money is never created or lost by a bug in one service: whatever
the chart of accounts (defined by the `funds` app, not here), the books as a whole always
sum to zero, and a `TrialBalance` rebuilt from the log by anyone must show the same.

Sign convention: a positive amount is a debit, a negative amount a credit.

Account codes are colon-separated segments, general to specific, so that everything about
one project sits under one prefix: "fund:cash", "donor:PK:receivable",
"project:3f2a...:allocated".

Pure Python (no Django), like `money`. Errors are `PostingError`, a `ValueError`:

    PostingError
    ├── InvalidAccount       an account code that is not one
    ├── ZeroPosting          a posting of nothing
    └── InvalidPostingSet    postings that do not make an entry
        ├── Unbalanced       some currency does not sum to zero
        └── DuplicateAccount one account twice in one currency
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from amanah.funds.money import Money

__all__ = [
    "MAX_ACCOUNT_LENGTH",
    "DuplicateAccount",
    "InvalidAccount",
    "InvalidPostingSet",
    "Posting",
    "PostingError",
    "PostingSet",
    "TrialBalance",
    "Unbalanced",
    "ZeroPosting",
    "balanced",
    "reversal",
    "trial_balance",
    "validate_account",
]

MAX_ACCOUNT_LENGTH = 200
# Upper case is allowed for ISO codes ("donor:PK:receivable"); codes are case-sensitive.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class PostingError(ValueError):
    """Base of every error about accounts, postings and entries."""


class InvalidAccount(PostingError):
    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"{code!r} is not an account code: {reason}.")


class ZeroPosting(PostingError):
    def __init__(self, account: str, amount: Money) -> None:
        self.account = account
        self.amount = amount
        super().__init__(f"A posting of {amount} to {account} moves nothing; leave it out.")


class InvalidPostingSet(PostingError):
    """Postings that cannot be one entry in the books."""


class Unbalanced(InvalidPostingSet):
    def __init__(self, imbalances: Mapping[str, Decimal]) -> None:
        # currency -> debits minus credits, for each currency that does not sum to zero
        self.imbalances = dict(imbalances)
        parts = [
            f"{code} debits exceed credits by {amount:f}"
            if amount > 0
            else f"{code} credits exceed debits by {amount.copy_negate():f}"
            for code, amount in sorted(self.imbalances.items())
        ]
        super().__init__(f"The postings do not balance: {'; '.join(parts)}.")


class DuplicateAccount(InvalidPostingSet):
    def __init__(self, account: str, currency: str) -> None:
        self.account = account
        self.currency = currency
        super().__init__(
            f"{account} appears more than once in {currency} in one entry; "
            "post its net amount once."
        )


def validate_account(code: str) -> str:
    """`code` if it is an account code, else `InvalidAccount` saying what is wrong.

    At least two segments, each starting with a letter or digit and then letters, digits,
    "_", "." or "-"; at most `MAX_ACCOUNT_LENGTH` characters in all.
    """
    if not isinstance(code, str):
        raise TypeError(f"an account code is a str, not {type(code).__name__}")
    if not code:
        raise InvalidAccount(code, "it is empty")
    if len(code) > MAX_ACCOUNT_LENGTH:
        raise InvalidAccount(code, f"it is longer than {MAX_ACCOUNT_LENGTH} characters")
    segments = code.split(":")
    if len(segments) < 2:
        raise InvalidAccount(code, 'it needs at least two segments, e.g. "fund:cash"')
    for segment in segments:
        if not _SEGMENT.fullmatch(segment):
            raise InvalidAccount(code, _why_not_segment(segment))
    return code


def _why_not_segment(segment: str) -> str:
    if not segment:
        return "it has an empty segment (two colons together, or one at an end)"
    return (
        f"segment {segment!r} must start with a letter or digit and hold only ASCII "
        'letters, digits, "_", "." and "-"'
    )


@dataclass(frozen=True)
class Posting:
    """`amount` debited (positive) or credited (negative) to `account`."""

    account: str
    amount: Money

    def __post_init__(self) -> None:
        validate_account(self.account)
        if not isinstance(self.amount, Money):
            raise TypeError(f"a posting's amount is Money, not {type(self.amount).__name__}")
        if self.amount.is_zero():
            raise ZeroPosting(self.account, self.amount)

    def reversed(self) -> Posting:
        return Posting(self.account, -self.amount)


@dataclass(frozen=True)
class PostingSet:
    """One entry in the books: postings that sum to zero in each currency.

    No description and no date: those belong to the entry that carries the set (and to the
    log). Order is kept as given. An account appears at most once per currency, so the
    entry reads one way only; several movements on one account are netted by the caller.
    """

    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.postings, tuple):
            raise TypeError("postings must be a tuple; use balanced() for any iterable")
        if len(self.postings) < 2:
            raise InvalidPostingSet(
                f"An entry needs at least two postings, a debit and a credit; "
                f"this one has {len(self.postings)}."
            )
        sums: dict[str, Money] = {}
        seen: set[tuple[str, str]] = set()
        for posting in self.postings:
            if not isinstance(posting, Posting):
                raise TypeError(f"expected a Posting, not {type(posting).__name__}")
            code = posting.amount.currency
            if (posting.account, code) in seen:
                raise DuplicateAccount(posting.account, code)
            seen.add((posting.account, code))
            sums[code] = sums.get(code, Money.zero(code)) + posting.amount
        off = {code: total.amount for code, total in sums.items() if not total.is_zero()}
        if off:
            raise Unbalanced(off)

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(p.amount.currency for p in self.postings)


def balanced(postings: Iterable[Posting]) -> PostingSet:
    """The `PostingSet` of `postings`, or `InvalidPostingSet` if they are not one entry."""
    return PostingSet(tuple(postings))


def reversal(posting_set: PostingSet) -> PostingSet:
    """The entry that undoes `posting_set`: every amount negated.

    Corrections are new entries, never edits: the log keeps both, and the books net to
    what they would have been without the mistake.
    """
    return PostingSet(tuple(p.reversed() for p in posting_set.postings))


@dataclass(frozen=True)
class TrialBalance:
    """Each account's balance (debits minus credits) in each currency.

    `balances[currency][account]`; an account whose postings net to zero is listed at zero,
    since it has been used. Because every entry balances, `totals()` is zero in every
    currency; a trial balance that did not would prove the books corrupt.
    """

    balances: Mapping[str, Mapping[str, Decimal]]

    def totals(self) -> dict[str, Decimal]:
        """The sum of all accounts, per currency: zero in each, for books kept in balance."""
        return {code: _sum(code, accounts.values()) for code, accounts in self._items()}

    def balance(self, account: str) -> dict[str, Decimal]:
        """The balance of `account` in each currency it has been posted in."""
        validate_account(account)
        return {code: accounts[account] for code, accounts in self._items() if account in accounts}

    def balance_under(self, prefix: str) -> dict[str, Decimal]:
        """The summed balance of every account under `prefix`, per currency.

        `prefix` is whole segments ending in ":" ("project:abc:"), so "project:ab:" never
        picks up "project:abc:allocated".
        """
        _validate_prefix(prefix)
        result: dict[str, Decimal] = {}
        for code, accounts in self._items():
            found = [amount for account, amount in accounts.items() if account.startswith(prefix)]
            if found:
                result[code] = _sum(code, found)
        return result

    def _items(self) -> list[tuple[str, Mapping[str, Decimal]]]:
        return sorted(self.balances.items())


def _sum(currency: str, amounts: Iterable[Decimal]) -> Decimal:
    """An exact sum: `Money` adds without rounding and refuses what it cannot hold."""
    total = Money.zero(currency)
    for amount in amounts:
        total += Money(amount, currency)
    return total.amount


def _validate_prefix(prefix: str) -> None:
    if not isinstance(prefix, str):
        raise TypeError(f"an account prefix is a str, not {type(prefix).__name__}")
    if not prefix.endswith(":"):
        raise InvalidAccount(prefix, 'a prefix ends with ":", e.g. "project:abc:"')
    for segment in prefix[:-1].split(":"):
        if not _SEGMENT.fullmatch(segment):
            raise InvalidAccount(prefix, _why_not_segment(segment))


def trial_balance(posting_sets: Iterable[PostingSet]) -> TrialBalance:
    """The trial balance of the books made of `posting_sets`, in any order."""
    totals: dict[str, dict[str, Money]] = {}
    for posting_set in posting_sets:
        for posting in posting_set.postings:
            accounts = totals.setdefault(posting.amount.currency, {})
            previous = accounts.get(posting.account)
            accounts[posting.account] = (
                posting.amount if previous is None else previous + posting.amount
            )
    balances = {
        code: MappingProxyType({account: accounts[account].amount for account in sorted(accounts)})
        for code, accounts in sorted(totals.items())
    }
    return TrialBalance(MappingProxyType(balances))
