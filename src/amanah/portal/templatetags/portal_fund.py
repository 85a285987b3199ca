"""Formatting for the fund's pages: amounts, earmarks, sectors and governorates in the
active language. Amounts stay `Decimal` to the end; `amanah.core.formats` (CLDR, through
Babel) writes the digits and separators."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amanah.core.formats import format_money, format_number
from amanah.funds.earmarks import ANY, Earmark
from amanah.funds.models import FxRate
from amanah.funds.money import Money
from amanah.reference.geography import UnknownGovernorate, governorate
from amanah.reference.sectors import UnknownSector, sector

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    """`1,250.50 USD`, with every decimal the amount has (a JOD amount keeps three)."""
    return "—" if value is None else format_money(value.amount, value.currency)


@register.filter
def usd(value: Decimal) -> str:
    """A USD figure, without its code (the table says USD): `1,250.50`."""
    return format_number(value, places=2)


@register.filter
def percent(value: Decimal) -> str:
    """A percentage's number, as computed (the template writes the sign)."""
    return format_number(value)


@register.filter
def rate(value: FxRate) -> str:
    """Units per US dollar, as logged, with no digit added or dropped."""
    return format_number(Decimal(value.units_per_usd))


def _language() -> str:
    return get_language() or "en"


@register.filter
def sector_name(code: str | None) -> str:
    if not code or code == ANY:
        return _("Not earmarked")
    try:
        return sector(code).name(_language())
    except UnknownSector:
        return code


@register.filter
def governorate_name(pcode: str | None) -> str:
    if not pcode or pcode == ANY:
        return _("Not earmarked")
    try:
        return governorate(pcode).name(_language())
    except UnknownGovernorate:
        return pcode


@register.filter
def earmark(value: Earmark) -> str:
    """`Housing and shelter · Khan Younis`, `Any sector · Gaza`, or `Not earmarked`."""
    if value.is_flexible:
        return _("Not earmarked")
    language = _language()
    what = sector(value.sector).name(language) if value.sector else _("Any sector")
    where = governorate(value.governorate).name(language) if value.governorate else _("anywhere")
    return f"{what} · {where}"


@register.filter
def earmark_key(key: str) -> str:
    """`earmark` for a pool's key, like `housing.PS0270`."""
    return earmark(Earmark.from_key(key))


@register.filter
def month(key: str) -> datetime.date:
    """`2026-01` as the first day of that month, for `|date:"YEAR_MONTH_FORMAT"`."""
    year, number = key.split("-")
    return datetime.date(int(year), int(number), 1)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
