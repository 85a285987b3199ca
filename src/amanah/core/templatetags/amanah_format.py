"""Figures and dates in the active language, for any page: `{% load amanah_format %}`.

    {{ count|number }}            12,345
    {{ share|number:1 }}          42.5  (rounded half-even to one decimal)
    {{ pledge|money }}            1,250.50 USD  (anything with `amount` and `currency`)
    {{ amount|money:"JOD" }}      1,234.567 JOD (a bare Decimal and its currency)
    {{ day|date_local }}          January 5, 2026 / 5 يناير 2026

An empty value (None, "") shows as a dash, so a missing figure never reads as zero.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Protocol

from django import template

from amanah.core.formats import format_date, format_money, format_number

register = template.Library()

_NOTHING = "—"


class _Amount(Protocol):
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...


@register.filter
def number(value: Decimal | int | None, places: int | None = None) -> str:
    if value is None or value == "":
        return _NOTHING
    return format_number(value, None if places is None else int(places))


@register.filter
def money(value: _Amount | Decimal | int | None, currency: str | None = None) -> str:
    if value is None or value == "":
        return _NOTHING
    if isinstance(value, Decimal | int):
        if not currency:
            raise TypeError("a bare amount needs its currency: {{ amount|money:'USD' }}")
        return format_money(value, currency)
    return format_money(value.amount, value.currency)


@register.filter
def date_local(value: datetime.date | None) -> str:
    return _NOTHING if value is None else format_date(value)
