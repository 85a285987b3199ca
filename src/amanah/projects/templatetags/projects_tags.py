"""Filters for the projects' pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from amanah.core.formats import format_number

register = template.Library()


@register.filter
def level(policy: dict[str, Any], name: str) -> Any:
    """`policy|level:"low"`: one level's row of a policy."""
    return policy.get(name)


@register.filter
def usd(cents: int) -> str:
    """US cents as dollars in the active language: 25000000 -> "250,000.00"."""
    return format_number(Decimal(int(cents)).scaleb(-2))
