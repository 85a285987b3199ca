"""Numbers, money and dates as the active language writes them, from CLDR via Babel.

Every figure is a `Decimal` (or an `int`) from start to finish: a float is refused, because
it cannot hold most decimal amounts exactly. Nothing is rounded unless the caller asks for a
number of places; an amount keeps every decimal it was given, so a Jordanian dinar amount
keeps its three.

Digits. The site's Arabic is `ar`, not a regional variant, and CLDR's `ar` locale names the
Latin digits (`latn`) as its default numbering system, with "," between thousands and "."
before decimals: "53,000,000.00". The regional locales that default to Arabic-Indic digits
(`ar_EG`, `ar_PS`, ...) would not help either: Babel swaps in their separators (U+066C, U+066B)
but not their digits, and writes a mix no one reads. So we follow the locale, and the
locale says Latin digits; a test pins it, so a change in CLDR is noticed, not shipped.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, localcontext
from functools import cache

import iso4217
from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent
from django.utils import timezone
from django.utils.translation import get_language, to_locale

__all__ = ["format_date", "format_money", "format_number", "format_percent"]

_FALLBACK = "en"


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(_FALLBACK)


def _active() -> Locale:
    return _locale(get_language() or _FALLBACK)


def _exact(value: Decimal | int) -> Decimal:
    # bool is an int; a flag shown as "1" is a bug, as is a float's binary fraction.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"a figure is a Decimal or an int, not {type(value).__name__}")
    figure = Decimal(value)
    if not figure.is_finite():
        raise ValueError(f"{figure} is not a figure")
    return figure


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _pattern(places: int, suffix: str = "") -> str:
    return "#,##0" + ("." + "0" * places if places else "") + suffix


def _decimal(value: Decimal, places: int) -> str:
    # Babel normalises the value in the thread's decimal context, which keeps 28 digits:
    # give it room for every digit we hold, so that a large amount is never rounded.
    with localcontext() as context:
        context.prec = max(context.prec, len(value.as_tuple().digits) + places + 2)
        return _babel_decimal(
            value, format=_pattern(places), locale=_active(), numbering_system="default"
        )


def format_number(value: Decimal | int, places: int | None = None) -> str:
    """`value` with its thousands grouped: 1234567.5 -> "1,234,567.5".

    With `places`, rounded half-even to that many decimals; without, exactly as given.
    """
    figure = _exact(value)
    return _decimal(figure, _places(figure) if places is None else places)


def format_money(amount: Decimal | int, currency: str) -> str:
    """`amount` and its ISO 4217 code: "1,250.50 USD", "1,234.567 JOD".

    Never rounded: the amount keeps its own decimals, padded with zeros to the currency's
    minor units when it has fewer ("5" USD -> "5.00 USD").
    """
    figure = _exact(amount)
    return f"{_decimal(figure, max(_places(figure), _minor_units(currency)))} {currency}"


def format_percent(ratio: Decimal | int, places: int | None = None) -> str:
    """A ratio as a percentage, with the locale's percent sign: 0.425 -> "42.5%".

    With `places`, the percentage is rounded half-even to that many decimals.
    """
    figure = _exact(ratio)
    percentage = figure.scaleb(2)
    shown = max(0, _places(percentage)) if places is None else places
    with localcontext() as context:
        context.prec = max(context.prec, len(percentage.as_tuple().digits) + shown + 2)
        # Both our languages put the sign after the number ("#,##0%" in CLDR).
        return _babel_percent(
            figure, format=_pattern(shown, "%"), locale=_active(), numbering_system="default"
        )


def format_date(value: datetime.date) -> str:
    """A day in words: "January 5, 2026", "5 يناير 2026" (a datetime shows its date)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return _babel_date(value, format="long", locale=_active())


@cache
def _minor_units(code: str) -> int:
    try:
        exponent = iso4217.Currency(code).exponent
    except ValueError:
        return 0
    return exponent or 0
