"""Figures and dates in the active language: grouped, exact, never through a float."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from amanah.core.formats import format_date, format_money, format_number, format_percent

BOTH = pytest.mark.parametrize("language", ["en", "ar"])


@BOTH
def test_numbers_group_thousands_with_latin_digits_in_both_languages(language: str) -> None:
    # CLDR's "ar" writes Latin digits (its default numbering system is `latn`); when that
    # changes, this test says so and someone decides, rather than pages changing quietly.
    with translation.override(language):
        assert format_number(Decimal("53000000.00")) == "53,000,000.00"
        assert format_number(12345) == "12,345"
        assert format_number(Decimal("-1234.5")) == "-1,234.5"


def test_places_round_half_even_and_only_when_asked() -> None:
    assert format_number(Decimal("1.005"), places=2) == "1.00"
    assert format_number(Decimal("1.015"), places=2) == "1.02"
    assert format_number(Decimal("2.50"), places=0) == "2"
    assert format_number(Decimal("0.1250")) == "0.1250"


@BOTH
def test_money_keeps_the_minor_units_it_was_given(language: str) -> None:
    with translation.override(language):
        assert format_money(Decimal("1234.567"), "JOD") == "1,234.567 JOD"
        assert format_money(Decimal("1250.5"), "USD") == "1,250.50 USD"  # padded, not rounded
        assert format_money(Decimal("5"), "USD") == "5.00 USD"
        assert format_money(Decimal("100"), "JPY") == "100 JPY"


def test_a_38_digit_amount_is_not_rounded_by_the_28_digit_default_context() -> None:
    amount = Decimal("123456789012345678901234567890123456.78")

    assert format_money(amount, "USD").replace(",", "") == f"{amount} USD"


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        format_number(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_number(True)


def test_percent_and_dates_follow_the_language() -> None:
    day = datetime.date(2026, 1, 5)
    with translation.override("en"):
        assert format_percent(Decimal("0.425")) == "42.5%"
        assert format_percent(Decimal("0.12345"), places=1) == "12.3%"
        assert format_date(day) == "January 5, 2026"
    with translation.override("ar"):
        assert format_percent(Decimal("1")) == "100%"
        assert format_date(day) == "5 يناير 2026"


def test_the_template_filters() -> None:
    template = Template(
        "{% load amanah_format %}{{ n|number }} {{ n|number:1 }} {{ amount|money:'JOD' }} "
        "{{ missing|money }} {{ day|date_local }}"
    )
    context = Context(
        {"n": Decimal("1234.56"), "amount": Decimal("7.250"), "day": datetime.date(2026, 1, 5)}
    )
    with translation.override("en"):
        assert template.render(context) == "1,234.56 1,234.6 7.250 JOD — January 5, 2026"
