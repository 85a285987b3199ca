"""Money: ISO 4217 currencies, exact amounts, parsing, JSON and conversion to US dollars.

No database: `amanah.funds.money` is pure, and these tests keep it honest.
"""

from __future__ import annotations

import datetime
import decimal
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import iso4217
import pytest
from hypothesis import given
from hypothesis import strategies as st

from amanah.funds.money import (
    MAX_DIGITS,
    AmountFormatError,
    AmountOutOfRange,
    AmountPrecisionError,
    Currency,
    CurrencyMismatch,
    FxRate,
    InvalidRate,
    Money,
    MoneyError,
    UnknownCurrency,
    UnsuitableCurrency,
    currency,
    to_usd,
)

DAY = datetime.date(2025, 3, 1)


def usd(text: str) -> Money:
    return Money(Decimal(text), "USD")


def _suitable(code: str) -> bool:
    try:
        currency(code)
    except MoneyError:
        return False
    return True


# Every currency the fund can hold, from the package's own table.
SUITABLE = sorted({c.code for c in iso4217.Currency if _suitable(c.code)})


@st.composite
def moneys(draw: st.DrawFn, codes: list[str] = SUITABLE) -> Money:
    code = draw(st.sampled_from(codes))
    places = currency(code).minor_units
    bound = Decimal(10) ** 15
    amount = draw(st.decimals(min_value=-bound, max_value=bound, places=places, allow_nan=False))
    return Money(amount, code)


# --- currencies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "minor_units"),
    [("JPY", 0), ("JOD", 3), ("KWD", 3)]
    + [(c, 2) for c in ("USD", "PKR", "IDR", "TRY", "EGP", "QAR", "SAR")],
)
def test_minor_units_come_from_the_iso_table(code: str, minor_units: int) -> None:
    found = currency(code)
    assert found == Currency(code, minor_units, iso4217.Currency(code).currency_name)
    assert found.minor_units == iso4217.Currency(code).exponent


def test_every_suitable_currency_matches_the_package() -> None:
    assert len(SUITABLE) > 150
    for code in SUITABLE:
        assert currency(code).minor_units == iso4217.Currency(code).exponent


@pytest.mark.parametrize("code", ["ZZZ", "usd", "US", "USDX", "", "EUR "])
def test_unknown_currency_names_the_code(code: str) -> None:
    with pytest.raises(UnknownCurrency) as caught:
        currency(code)
    assert caught.value.code == code
    assert repr(code) in str(caught.value)


def test_lower_case_code_gets_a_hint() -> None:
    with pytest.raises(UnknownCurrency, match="capitals"):
        currency("usd")


@pytest.mark.parametrize("code", ["XAU", "XAG", "XDR", "XTS", "XXX", "XUA"])
def test_codes_without_minor_units_are_refused(code: str) -> None:
    with pytest.raises(UnsuitableCurrency, match="no minor units") as caught:
        currency(code)
    assert caught.value.code == code
    assert str(caught.value).startswith(f"{code} cannot be a currency of the fund")


@pytest.mark.parametrize("code", ["USN", "CLF", "BOV", "UYI"])
def test_iso_fund_codes_are_refused(code: str) -> None:
    with pytest.raises(UnsuitableCurrency, match="fund code"):
        currency(code)


def test_currency_code_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        currency(840)  # type: ignore[arg-type]  # the point of the test


def test_errors_are_value_errors() -> None:
    for error in (UnknownCurrency, AmountFormatError, CurrencyMismatch, InvalidRate):
        assert issubclass(error, MoneyError)
    assert issubclass(MoneyError, ValueError)


# --- construction ---------------------------------------------------------------------------


def test_amount_is_normalised_to_the_minor_units() -> None:
    assert usd("5").amount.as_tuple() == Decimal("5.00").as_tuple()
    assert Money(Decimal("7"), "JOD").to_json() == {"amount": "7.000", "currency": "JOD"}
    assert Money(Decimal("7.0"), "JPY").to_json() == {"amount": "7", "currency": "JPY"}
    assert usd("5") == usd("5.000")
    assert hash(usd("5")) == hash(usd("5.0"))
    assert len({usd("5"), usd("5.00"), Money(Decimal(5), "USD")}) == 1


def test_negative_zero_is_zero() -> None:
    zero = usd("-0.00")
    assert zero.to_json() == {"amount": "0.00", "currency": "USD"}
    assert str(-Money.zero("USD")) == "0.00 USD"


def test_ints_are_accepted() -> None:
    # Typed code passes a Decimal; an int is exact, so it is accepted at run time too.
    assert Money(12, "KWD").amount == Decimal("12.000")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [1.5, True, "1.50", None])
def test_floats_bools_and_text_are_refused(amount: object) -> None:
    with pytest.raises(TypeError, match="Decimal or an int"):
        Money(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_amounts_are_refused(amount: str) -> None:
    with pytest.raises(AmountFormatError, match="finite"):
        Money(Decimal(amount), "USD")


@pytest.mark.parametrize(
    ("amount", "code", "places"),
    [("1.001", "USD", "at most 2"), ("0.5", "JPY", "no decimal"), ("1.0001", "KWD", "at most 3")],
)
def test_extra_decimals_are_refused_not_rounded(amount: str, code: str, places: str) -> None:
    with pytest.raises(AmountPrecisionError) as caught:
        Money(Decimal(amount), code)
    error = caught.value
    assert (error.currency, error.minor_units) == (code, currency(code).minor_units)
    assert str(error).startswith(f"{code} ({currency(code).name}) amounts have {places}")
    assert amount in str(error)


def test_unknown_currency_is_refused_on_construction() -> None:
    with pytest.raises(UnknownCurrency):
        Money(Decimal(1), "ABC")


def test_amounts_beyond_the_books_precision_are_refused() -> None:
    assert usd("9" * (MAX_DIGITS - 2)).amount == Decimal("9" * (MAX_DIGITS - 2) + ".00")
    with pytest.raises(AmountOutOfRange, match="38 digits"):
        usd("9" * (MAX_DIGITS - 1))


def test_global_decimal_context_is_not_used() -> None:
    big = "1" * 35
    with decimal.localcontext(decimal.Context(prec=5, traps=[decimal.Inexact])):
        total = usd(big) + usd("0.01")
    assert total.amount == Decimal(big + ".01")


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.50", "1234.50"),
        ("-3", "-3.00"),
        ("+3.1", "3.10"),
        ("  12 ", "12.00"),
        ("\t0.05\n", "0.05"),
        ("007", "7.00"),
        ("12.50 USD", "12.50"),
    ],
)
def test_parse_accepts_plain_amounts(text: str, expected: str) -> None:
    assert Money.parse(text, "USD").to_json()["amount"] == expected


@pytest.mark.parametrize("text", ["1,234.50", "1 234.50", "1'234.50", "1_234.50", "12,5"])
def test_parse_refuses_separators(text: str) -> None:
    with pytest.raises(AmountFormatError, match="without thousands separators") as caught:
        Money.parse(text, "USD")
    assert caught.value.text == text


@pytest.mark.parametrize("text", ["1e3", "1.5E+3", "2E-2"])
def test_parse_refuses_exponents(text: str) -> None:
    with pytest.raises(AmountFormatError, match="without an exponent"):
        Money.parse(text, "USD")


@pytest.mark.parametrize("text", ["١٢٣", "12٫5"])
def test_parse_refuses_other_digits(text: str) -> None:
    with pytest.raises(AmountFormatError, match="digits 0-9"):
        Money.parse(text, "USD")


@pytest.mark.parametrize(
    "text", ["abc", ".5", "5.", "--5", "+-5", "5-", "NaN", "Infinity", "$5", "0x10", "5 usd"]
)
def test_parse_refuses_non_amounts(text: str) -> None:
    with pytest.raises(AmountFormatError, match="is not an amount"):
        Money.parse(text, "USD")


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_refuses_empty_text(text: str) -> None:
    with pytest.raises(AmountFormatError, match="it is empty"):
        Money.parse(text, "USD")


def test_parse_refuses_extra_decimals_even_zeros() -> None:
    # "1.000" may be a European one thousand: refuse rather than read it as one dollar.
    with pytest.raises(AmountPrecisionError, match=r"1\.000 has 3") as caught:
        Money.parse("1.000", "USD")
    assert caught.value.minor_units == 2
    with pytest.raises(AmountPrecisionError, match="no decimal places"):
        Money.parse("100.0", "JPY")
    assert Money.parse("1.000", "KWD").amount == Decimal("1.000")


def test_parse_refuses_another_currency_code() -> None:
    with pytest.raises(CurrencyMismatch, match="is in EUR, but a USD amount was expected"):
        Money.parse("12.50 EUR", "USD")


def test_parse_refuses_unknown_currency() -> None:
    with pytest.raises(UnknownCurrency):
        Money.parse("1", "ABC")


def test_parse_refuses_non_text() -> None:
    with pytest.raises(TypeError):
        Money.parse(Decimal(1), "USD")  # type: ignore[arg-type]


# --- JSON ------------------------------------------------------------------------------------


def test_to_json_is_plain_notation() -> None:
    assert Money(Decimal("1E+6"), "USD").to_json() == {"amount": "1000000.00", "currency": "USD"}
    assert Money(Decimal("1E+6"), "JPY").to_json() == {"amount": "1000000", "currency": "JPY"}
    assert str(Money(Decimal("-1E+2"), "JOD")) == "-100.000 JOD"


@pytest.mark.parametrize(
    "obj",
    [
        None,
        "12.50 USD",
        ["12.50", "USD"],
        {"amount": "12.50"},
        {"amount": "12.50", "currency": "USD", "note": "x"},
        {"amount": 12.5, "currency": "USD"},
        {"amount": "12.50", "currency": 840},
    ],
)
def test_from_json_refuses_wrong_shapes(obj: object) -> None:
    with pytest.raises(AmountFormatError):
        Money.from_json(obj)


@pytest.mark.parametrize(
    ("amount", "canonical"),
    [("12.5", "12.50"), ("012.50", "12.50"), ("-0.00", "0.00"), ("12", "12.00")],
)
def test_from_json_refuses_non_canonical_amounts(amount: str, canonical: str) -> None:
    with pytest.raises(AmountFormatError, match=f"canonical form .* is {canonical}"):
        Money.from_json({"amount": amount, "currency": "USD"})


@pytest.mark.parametrize("amount", ["+12.50", "1e3", " 12.50", "12.50 USD", "1,000.00"])
def test_from_json_refuses_non_amounts(amount: str) -> None:
    with pytest.raises(AmountFormatError) as caught:
        Money.from_json({"amount": amount, "currency": "USD"})
    assert caught.value.text == amount


def test_from_json_refuses_bad_currency_and_precision() -> None:
    with pytest.raises(UnknownCurrency):
        Money.from_json({"amount": "1.00", "currency": "usd"})
    with pytest.raises(AmountPrecisionError):
        Money.from_json({"amount": "1.005", "currency": "USD"})


# --- arithmetic ------------------------------------------------------------------------------


def test_arithmetic_within_one_currency() -> None:
    assert usd("10.25") + usd("0.75") == usd("11")
    assert usd("10") - usd("12.5") == usd("-2.5")
    assert -usd("3") == usd("-3")
    assert abs(usd("-3")) == usd("3")
    assert sum([usd("1"), usd("2")], Money.zero("USD")) == usd("3")
    assert usd("1") < usd("2") <= usd("2")
    assert usd("3") > usd("2") >= usd("2")
    assert Money.zero("JPY").is_zero()
    assert not usd("0.01").is_zero()
    assert usd("-0.01").is_negative()
    assert not Money.zero("USD").is_negative()


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda a, b: a + b, "Cannot add EUR to USD"),
        (lambda a, b: a - b, "Cannot subtract EUR from USD"),
        (lambda a, b: a < b, "Cannot compare USD with EUR"),
        (lambda a, b: a >= b, "Cannot compare USD with EUR"),
    ],
)
def test_mixing_currencies_is_refused(operation: object, message: str) -> None:
    with pytest.raises(CurrencyMismatch, match=message) as caught:
        operation(usd("1"), Money(Decimal(1), "EUR"))  # type: ignore[operator]
    assert (caught.value.expected, caught.value.got) == ("USD", "EUR")


def test_different_currencies_are_unequal_not_an_error() -> None:
    assert usd("1") != Money(Decimal(1), "EUR")


def test_no_arithmetic_with_bare_numbers() -> None:
    with pytest.raises(TypeError):
        usd("1") + Decimal(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        usd("1") * 2  # type: ignore[operator]
    with pytest.raises(TypeError):
        usd("1") < 2  # type: ignore[operator]  # noqa: B015


def test_sum_beyond_the_books_precision_is_refused() -> None:
    big = usd("9" * (MAX_DIGITS - 2))
    with pytest.raises(AmountOutOfRange):
        big + big


def test_times_rounds_as_asked() -> None:
    assert usd("10.01").times(Decimal("0.5"), ROUND_HALF_UP) == usd("5.01")
    assert usd("10.01").times(Decimal("0.5"), ROUND_HALF_EVEN) == usd("5.00")
    assert usd("10.01").times(Decimal("0.5"), ROUND_DOWN) == usd("5.00")
    assert Money(Decimal(333), "JPY").times(3, ROUND_HALF_EVEN).amount == Decimal(999)
    # A long factor is multiplied exactly before the one rounding.
    factor = Decimal("0." + "3" * 60)
    assert usd("3").times(factor, ROUND_HALF_EVEN) == usd("1.00")


@pytest.mark.parametrize("factor", [0.5, True, "2"])
def test_times_refuses_floats(factor: object) -> None:
    with pytest.raises(TypeError):
        usd("1").times(factor, ROUND_HALF_EVEN)  # type: ignore[arg-type]


def test_times_refuses_non_finite_factor_and_unknown_rounding() -> None:
    with pytest.raises(ValueError, match="finite"):
        usd("1").times(Decimal("Infinity"), ROUND_HALF_EVEN)
    with pytest.raises(ValueError, match="not a rounding mode"):
        usd("1").times(2, "ROUND_SOMETIMES")


def test_times_beyond_the_books_precision_is_refused() -> None:
    with pytest.raises(AmountOutOfRange):
        usd("9" * 30).times(Decimal(10) ** 10, ROUND_HALF_EVEN)


# --- exchange rates --------------------------------------------------------------------------


def pkr_rate(units: str = "278.50") -> FxRate:
    return FxRate("PKR", DAY, Decimal(units), "UN operational rates of exchange")


def test_to_usd_divides_and_rounds_half_even_to_cents() -> None:
    assert to_usd(Money(Decimal("1000000"), "PKR"), pkr_rate()) == usd("3590.66")
    # 0.125 and 0.375 are exact halves: half-even goes to the even cent.
    assert to_usd(Money(Decimal("1.25"), "PKR"), pkr_rate("10")) == usd("0.12")
    assert to_usd(Money(Decimal("3.75"), "PKR"), pkr_rate("10")) == usd("0.38")
    assert to_usd(Money(Decimal("-1.25"), "PKR"), pkr_rate("10")) == usd("-0.12")
    kwd = FxRate("KWD", DAY, Decimal("0.308"), "UN")
    assert to_usd(Money(Decimal("1.000"), "KWD"), kwd) == usd("3.25")


def test_to_usd_rounds_the_exact_quotient_once() -> None:
    # 1 / 39.999...9 (45 nines) is just above 0.025. Divided at 38 digits it would read
    # 0.025 exactly and round half-even to 0.02; rounded once, exactly, it is 0.03.
    units = Decimal("39." + "9" * 45)
    assert Fraction(1) / Fraction(units) > Fraction(1, 40)
    naive = decimal.Context(prec=38).divide(Decimal(1), units)
    assert naive.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Decimal("0.02")
    assert to_usd(Money(Decimal(1), "JPY"), FxRate("JPY", DAY, units, "test")) == usd("0.03")


def test_usd_to_usd_is_the_identity() -> None:
    rate = FxRate("USD", DAY, Decimal(1), "definition")
    assert to_usd(usd("12.34"), rate) == usd("12.34")


def test_usd_rate_other_than_one_is_refused() -> None:
    with pytest.raises(InvalidRate, match=r"a USD rate must be 1, not 1\.01"):
        FxRate("USD", DAY, Decimal("1.01"), "oops")


def test_rate_of_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch, match=r"A PKR exchange rate cannot convert .* in EGP"):
        to_usd(Money(Decimal(1), "EGP"), pkr_rate())


@pytest.mark.parametrize("units", ["0", "-278.5", "NaN", "Infinity"])
def test_rate_must_be_positive_and_finite(units: str) -> None:
    with pytest.raises(InvalidRate, match="PKR rate on 2025-03-01 must be a positive number"):
        pkr_rate(units)


@pytest.mark.parametrize("source", ["", "   ", None])
def test_rate_needs_a_source(source: object) -> None:
    with pytest.raises(InvalidRate, match="needs a source"):
        FxRate("PKR", DAY, Decimal("278.5"), source)  # type: ignore[arg-type]


def test_rate_fields_are_checked() -> None:
    with pytest.raises(TypeError, match=r"datetime\.date"):
        FxRate("PKR", datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC), Decimal(1), "UN")
    with pytest.raises(TypeError, match="Decimal or an int"):
        FxRate("PKR", DAY, 278.5, "UN")  # type: ignore[arg-type]
    with pytest.raises(UnsuitableCurrency):
        FxRate("XAU", DAY, Decimal("0.0004"), "UN")
    assert FxRate("JPY", DAY, 150, "UN").units_per_usd == Decimal(150)  # type: ignore[arg-type]


# --- properties ------------------------------------------------------------------------------


@given(moneys())
def test_json_round_trips(money: Money) -> None:
    assert Money.from_json(money.to_json()) == money
    assert Money.from_json(money.to_json()).to_json() == money.to_json()


@given(moneys())
def test_parse_reads_what_str_writes(money: Money) -> None:
    assert Money.parse(str(money), money.currency) == money
    assert Money.parse(money.to_json()["amount"], money.currency) == money


@given(st.data())
def test_addition_is_exact(data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(SUITABLE))
    a, b = data.draw(moneys([code])), data.draw(moneys([code]))
    assert (a + b).amount == a.amount + b.amount
    assert a + b - b == a
    assert a - b == -(b - a)


rates = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("1000000"), places=4, allow_nan=False
).filter(lambda d: d > 0)


@given(st.data(), rates)
def test_to_usd_is_monotonic(data: st.DataObject, units: Decimal) -> None:
    a = data.draw(moneys(["PKR"]))
    b = data.draw(moneys(["PKR"]))
    low, high = sorted([a, b])
    rate = FxRate("PKR", DAY, units, "test")
    assert to_usd(low, rate) <= to_usd(high, rate)
