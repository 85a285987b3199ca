"""Money as the fund's books and the public log hold it: an exact amount in one currency.

Pure Python (no Django, no clock, no settings), so the services that write the books and an
outsider recomputing totals from the log apply exactly the same rules.

Three rules make every amount mean one thing:

- An amount is a `Decimal` with no more decimal places than its ISO 4217 currency has minor
  units, and is stored with exactly that many (USD 5 is `5.00`), so equal amounts compare,
  hash and serialise identically. Nothing is rounded without the caller saying how: an
  amount with too many decimals is refused, not rounded.
- Currencies come from the ISO 4217 table (the `iso4217` package), never a table of our own.
  Codes with no minor units (gold, SDR, test codes) and the ISO "fund" codes (USN, CLF, ...)
  are refused: a reconstruction fund receives and pays real money.
- Decimal arithmetic runs in the explicit contexts below, never the thread's global context,
  which any library may change. `_EXACT` traps `Inexact`: adding two amounts or storing one
  must never round silently.

Errors are `MoneyError`, a `ValueError`, with messages a finance officer can act on; the
Django services translate and wrap them.

    MoneyError
    ├── UnknownCurrency        not an active ISO 4217 code
    ├── UnsuitableCurrency     an ISO code the fund cannot hold (XAU, XDR, USN, ...)
    ├── CurrencyMismatch       two currencies where one was needed
    ├── AmountFormatError      text or JSON that is not an amount as we write them
    ├── AmountPrecisionError   more decimal places than the currency has
    ├── AmountOutOfRange       more digits than the books keep
    └── InvalidRate            an exchange rate that cannot be used
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction
from functools import cache

import iso4217

__all__ = [
    "MAX_DIGITS",
    "USD",
    "AmountFormatError",
    "AmountOutOfRange",
    "AmountPrecisionError",
    "Currency",
    "CurrencyMismatch",
    "FxRate",
    "InvalidRate",
    "Money",
    "MoneyError",
    "UnknownCurrency",
    "UnsuitableCurrency",
    "currency",
    "to_usd",
]

USD = "USD"

# Digits an amount may have in all (decimals included). It is also the precision of the
# contexts below, so that any sum of two amounts that fits is computed exactly.
MAX_DIGITS = 38

_TRAPS = [InvalidOperation, DivisionByZero, Overflow]
# Exact arithmetic: any rounding is an error, not a result.
_EXACT = Context(prec=MAX_DIGITS, rounding=ROUND_HALF_EVEN, traps=[*_TRAPS, Inexact])
# Rounding the caller asked for (times); the rounding mode is passed to `quantize`.
_ROUNDING = Context(prec=MAX_DIGITS, rounding=ROUND_HALF_EVEN, traps=_TRAPS)

_BinaryOp = Callable[[Decimal, Decimal], Decimal]

_ROUNDING_MODES = frozenset(
    {
        ROUND_05UP,
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
    }
)

# What we write: optional sign, ASCII digits, optionally a point and more digits, and
# optionally the currency code after a space ("-1234.50", "1234.50 USD").
_AMOUNT_TEXT = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]+))?(?: +([A-Z]{3}))?")
_JSON_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_CODE = re.compile(r"[A-Z]{3}")
_CONVERT_FIRST = ": convert one of them to the other's currency first."


class MoneyError(ValueError):
    """Base of every error about amounts, currencies and exchange rates."""


class UnknownCurrency(MoneyError):
    def __init__(self, code: str) -> None:
        self.code = code
        hint = " (codes are written in capitals)" if code.upper() != code else ""
        super().__init__(f"{code!r} is not an active ISO 4217 currency code{hint}.")


class UnsuitableCurrency(MoneyError):
    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"{code} cannot be a currency of the fund: {reason}.")


class CurrencyMismatch(MoneyError):
    def __init__(self, expected: str, got: str, message: str) -> None:
        self.expected = expected
        self.got = got
        super().__init__(message)


class AmountFormatError(MoneyError):
    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not an amount: {reason}.")


class AmountPrecisionError(MoneyError):
    def __init__(self, amount: str, decimals: int, currency: Currency) -> None:
        self.amount = amount
        self.currency = currency.code
        self.minor_units = currency.minor_units
        allowed = currency.minor_units
        places = "no decimal places" if allowed == 0 else f"at most {allowed} decimal places"
        super().__init__(
            f"{currency.code} ({currency.name}) amounts have {places}; {amount} has {decimals}. "
            "Amounts are never rounded silently: check the amount and its currency."
        )


class AmountOutOfRange(MoneyError):
    def __init__(self, amount: str, currency: str) -> None:
        self.amount = amount
        self.currency = currency
        super().__init__(
            f"{amount} {currency} has more than {MAX_DIGITS} digits, more than the books keep."
        )


class InvalidRate(MoneyError):
    """An exchange rate that is not positive and finite, has no source, or is misapplied."""


@dataclass(frozen=True)
class Currency:
    """An active ISO 4217 currency the fund can hold; `minor_units` is its decimal places."""

    code: str
    minor_units: int
    name: str


@cache
def _fund_codes() -> frozenset[str]:
    """Codes the ISO table marks `IsFund` (USN, CLF, ...): accounting units, not money paid.

    The package's `raw_table` drops that attribute, so it is read from the XML it ships.
    """
    return frozenset(
        (node.findtext("Ccy") or "").strip()
        for node in iso4217.raw_xml.findall("CcyTbl/CcyNtry")
        if (name := node.find("CcyNm")) is not None and name.get("IsFund") == "true"
    )


def currency(code: str) -> Currency:
    """The active ISO 4217 currency `code` (exactly three capitals, e.g. "PKR").

    Raises `UnknownCurrency` for anything else and `UnsuitableCurrency` for codes with no
    minor units (precious metals, SDR, bond units, test codes) and the ISO fund codes.
    """
    if not isinstance(code, str):
        raise TypeError(f"a currency code is a str, not {type(code).__name__}")
    return _lookup(code)


@cache  # behind `currency`, so callers keep its signature for type checking
def _lookup(code: str) -> Currency:
    if not _CODE.fullmatch(code):
        raise UnknownCurrency(code)
    try:
        entry = iso4217.Currency(code)
    except ValueError:
        raise UnknownCurrency(code) from None
    if entry.exponent is None:
        raise UnsuitableCurrency(code, f"{entry.currency_name} has no minor units")
    if code in _fund_codes():
        raise UnsuitableCurrency(code, f"ISO 4217 lists {entry.currency_name} as a fund code")
    return Currency(code=code, minor_units=entry.exponent, name=entry.currency_name)


_currency = currency  # for methods whose `currency` parameter hides the function


def _decimal(value: object, what: str) -> Decimal:
    """`value` as a Decimal: ints are exact, floats and bools are refused as programming errors."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(value).__name__}")
    return Decimal(value)


def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _plain(value: Decimal) -> str:
    """Plain notation, never scientific: `format(Decimal("1E+3"), "f")` is "1000"."""
    return format(value, "f")


@dataclass(frozen=True)
class Money:
    """An exact amount of one currency. Positive or negative; zero is `Money.zero(code)`.

    Construction validates and normalises: `Money(Decimal("5"), "USD").amount` is
    `Decimal("5.00")`. Arithmetic mixes currencies never, and rounds only in `times`,
    with the rounding the caller names.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount = _decimal(self.amount, "an amount")
        ccy = currency(self.currency)
        if not amount.is_finite():
            raise AmountFormatError(str(amount), "an amount must be a finite number")
        try:
            stored = amount.quantize(_unit(ccy.minor_units), context=_EXACT)
        except Inexact:
            decimals = -int(amount.as_tuple().exponent)
            raise AmountPrecisionError(_plain(amount), decimals, ccy) from None
        except InvalidOperation:
            raise AmountOutOfRange(_plain(amount), ccy.code) from None
        # -0.00 equals 0.00 but would serialise differently: keep one zero.
        object.__setattr__(self, "amount", stored.copy_abs() if stored.is_zero() else stored)

    @property
    def minor(self) -> int:
        """The amount in the currency's minor units (cents, fils, ...): how the database
        stores it, so that sums there are exact integer sums on SQLite as on PostgreSQL."""
        return int(self.amount.scaleb(currency(self.currency).minor_units, context=_EXACT))

    @classmethod
    def from_minor(cls, units: int, currency_code: str) -> Money:
        """The amount `units` minor units of `currency_code` make: 1250 USD cents is 12.50."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise TypeError(f"minor units must be an int, not {type(units).__name__}")
        places = currency(currency_code).minor_units
        return cls(Decimal(units).scaleb(-places, context=_EXACT), currency_code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """An amount as a person or a CSV file writes it: "1234.50", "-3", "+0.5".

        Surrounding whitespace is ignored; a trailing currency code ("1234.50 PKR") is
        accepted if it is `currency`. Thousands separators, decimal commas and exponents
        are refused rather than guessed at ("1.000" might mean one thousand), and so are
        more decimals than the currency has, even zeros.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        stripped = text.strip()
        match = _AMOUNT_TEXT.fullmatch(stripped)
        if match is None:
            raise AmountFormatError(text, _why_not_amount(stripped))
        sign, whole, decimals, code = match.groups()
        if code is not None and code != currency:
            raise CurrencyMismatch(
                currency, code, f"{stripped!r} is in {code}, but a {currency} amount was expected."
            )
        ccy = _currency(currency)
        if decimals is not None and len(decimals) > ccy.minor_units:
            raise AmountPrecisionError(stripped, len(decimals), ccy)
        return cls(Decimal(f"{sign}{whole}.{decimals or '0'}"), currency)

    @classmethod
    def from_json(cls, obj: object) -> Money:
        """The inverse of `to_json`, accepting only its exact output.

        What the log holds has one spelling, so "12.5", "+12.50" or "012.50" are refused:
        two spellings of one amount would hash differently in the log.
        """
        if not isinstance(obj, Mapping) or set(obj) != {"amount", "currency"}:
            raise AmountFormatError(
                repr(obj), 'expected exactly {"amount": "<digits>", "currency": "<code>"}'
            )
        amount, code = obj["amount"], obj["currency"]
        if not isinstance(amount, str) or not isinstance(code, str):
            raise AmountFormatError(repr(obj), "amount and currency must be strings")
        if not _JSON_AMOUNT.fullmatch(amount):
            raise AmountFormatError(amount, _why_not_amount(amount))
        money = cls(Decimal(amount), code)
        if money.to_json()["amount"] != amount:
            raise AmountFormatError(
                amount, f"the canonical form of this {code} amount is {money.to_json()['amount']}"
            )
        return money

    def to_json(self) -> dict[str, str]:
        """{"amount": "12.50", "currency": "USD"}: the amount as a string, so no JSON reader
        turns it into a float, in plain notation with exactly the currency's decimals."""
        return {"amount": _plain(self.amount), "currency": self.currency}

    def __str__(self) -> str:
        return f"{_plain(self.amount)} {self.currency}"

    def is_zero(self) -> bool:
        return self.amount.is_zero()

    def is_negative(self) -> bool:
        return self.amount < 0

    def times(self, factor: Decimal | int, rounding: str) -> Money:
        """This amount multiplied by `factor`, rounded to the currency's decimals with
        `rounding` (one of the decimal module's ROUND_* constants).

        Not `*`: every multiplication that may round says how, where it is written.
        """
        factor = _decimal(factor, "a factor")
        if not factor.is_finite():
            raise ValueError("a factor must be a finite number")
        if rounding not in _ROUNDING_MODES:
            raise ValueError(f"{rounding!r} is not a rounding mode of the decimal module")
        # Precision enough for the exact product; the only rounding is the quantize below.
        digits = len(self.amount.as_tuple().digits) + len(factor.as_tuple().digits)
        exact = Context(prec=digits, traps=[*_TRAPS, Inexact]).multiply(self.amount, factor)
        places = currency(self.currency).minor_units
        try:
            rounded = exact.quantize(_unit(places), rounding=rounding, context=_ROUNDING)
        except InvalidOperation:
            raise AmountOutOfRange(_plain(exact), self.currency) from None
        return Money(rounded, self.currency)

    def _same(self, other: Money, doing: str) -> None:
        if other.currency != self.currency:
            message = doing.format(mine=self.currency, theirs=other.currency)
            raise CurrencyMismatch(self.currency, other.currency, message + _CONVERT_FIRST)

    def _exact(self, value: Decimal) -> Money:
        return Money(value, self.currency)

    # The operators take `Money` so that mypy flags `money + 1`; at run time anything else
    # still gets NotImplemented, and so a TypeError.

    def __add__(self, other: Money) -> Money:
        if _not_money(other):
            return NotImplemented
        self._same(other, "Cannot add {theirs} to {mine}")
        return self._exact(_checked(_EXACT.add, self.amount, other.amount, self.currency))

    def __sub__(self, other: Money) -> Money:
        if _not_money(other):
            return NotImplemented
        self._same(other, "Cannot subtract {theirs} from {mine}")
        return self._exact(_checked(_EXACT.subtract, self.amount, other.amount, self.currency))

    def __neg__(self) -> Money:
        return self._exact(_EXACT.minus(self.amount))

    def __abs__(self) -> Money:
        return self._exact(_EXACT.abs(self.amount))

    def _compare(self, other: Money) -> int:
        self._same(other, "Cannot compare {mine} with {theirs}")
        return (self.amount > other.amount) - (self.amount < other.amount)

    def __lt__(self, other: Money) -> bool:
        return NotImplemented if _not_money(other) else self._compare(other) < 0

    def __le__(self, other: Money) -> bool:
        return NotImplemented if _not_money(other) else self._compare(other) <= 0

    def __gt__(self, other: Money) -> bool:
        return NotImplemented if _not_money(other) else self._compare(other) > 0

    def __ge__(self, other: Money) -> bool:
        return NotImplemented if _not_money(other) else self._compare(other) >= 0


def _not_money(value: object) -> bool:
    return not isinstance(value, Money)


def _checked(op: _BinaryOp, a: Decimal, b: Decimal, code: str) -> Decimal:
    try:
        return op(a, b)
    except (Inexact, InvalidOperation, Overflow):
        raise AmountOutOfRange(f"{_plain(a)} and {_plain(b)}", code) from None


def _why_not_amount(text: str) -> str:
    """The reason a finance officer needs, for text that did not match `_AMOUNT_TEXT`."""
    if not text:
        return "it is empty"
    if "," in text or "'" in text or "_" in text or re.search(r"[0-9]\s+[0-9]", text):
        return "write it without thousands separators and with a point for decimals, e.g. 1234.50"
    if re.search(r"[0-9][eE][+-]?[0-9]", text):
        return "write it in full, without an exponent, e.g. 1500 rather than 1.5e3"
    if re.search(r"[^\x00-\x7f]", text):
        return "use the digits 0-9 and a point for decimals, e.g. 1234.50"
    return "use digits, an optional leading sign and a point for decimals, e.g. -1234.50"


@dataclass(frozen=True)
class FxRate:
    """How many units of `currency` one US dollar bought `on` a date, per `source`.

    Quoted as the UN Operational Rates of Exchange quote them: PKR 278.50 means
    1 USD = 278.50 PKR. A USD rate exists only as the identity, 1.
    """

    currency: str
    on: datetime.date
    units_per_usd: Decimal
    source: str

    def __post_init__(self) -> None:
        currency(self.currency)
        if isinstance(self.on, datetime.datetime) or not isinstance(self.on, datetime.date):
            raise TypeError(f"a rate's date must be a datetime.date, not {type(self.on).__name__}")
        rate = _decimal(self.units_per_usd, "units_per_usd")
        if not rate.is_finite() or rate <= 0:
            raise InvalidRate(
                f"The {self.currency} rate on {self.on.isoformat()} must be a positive number, "
                f"not {rate}."
            )
        if self.currency == USD and rate != 1:
            raise InvalidRate(f"A US dollar is 1 USD, so a USD rate must be 1, not {rate}.")
        if not isinstance(self.source, str) or not self.source.strip():
            raise InvalidRate(
                f"The {self.currency} rate on {self.on.isoformat()} needs a source, "
                "e.g. 'UN operational rates of exchange'."
            )
        object.__setattr__(self, "units_per_usd", rate)


def to_usd(money: Money, rate: FxRate) -> Money:
    """`money` in US dollars at `rate`: the exact quotient amount / units_per_usd, rounded
    half-to-even to whole cents.

    The division is done in exact rational arithmetic, so the cents do not depend on any
    decimal precision, and the only rounding is the final one. USD totals are sums of these
    per-item rounded conversions, never a conversion of a sum: anyone recomputing a total
    from the amounts and rates in the log gets the same cents, item by item.
    """
    if rate.currency != money.currency:
        raise CurrencyMismatch(
            money.currency,
            rate.currency,
            f"A {rate.currency} exchange rate cannot convert an amount in {money.currency}.",
        )
    if money.currency == USD:
        return money
    places = currency(USD).minor_units
    cents = round(Fraction(money.amount) / Fraction(rate.units_per_usd) * 10**places)
    return Money(Decimal(f"{cents}E-{places}"), USD)
