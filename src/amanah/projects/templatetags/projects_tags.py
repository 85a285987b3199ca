"""Filters for the projects' pages."""

from __future__ import annotations

from typing import Any

from django import template

from amanah.projects.selectors import cents_text

register = template.Library()


@register.filter
def level(policy: dict[str, Any], name: str) -> Any:
    """`policy|level:"low"`: one level's row of a policy."""
    return policy.get(name)


@register.filter
def usd(cents: int) -> str:
    """US cents as dollars: 25000000 -> "250000.00"."""
    return cents_text(int(cents))
