"""Checking a service's input field by field, so a form shows every problem at once.

problems = Problems()
lat = coordinate(value, "latitude", 90, problems)
...
problems.check()        # one ValidationError naming every field with a problem
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["Problems", "coordinate"]


class Problems:
    """Collects every field's problem, so a form shows them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def coordinate(value: object, field: str, bound: int, problems: Problems) -> Decimal | None:
    """Decimal degrees to the micro-degree, within ±`bound`; None if not given."""
    if value in (None, ""):
        return None
    number = None
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    # copy_abs, not abs(): exact, so 1e9999999 cannot overflow the context.
    if number is None or not number.is_finite() or number.copy_abs() > bound:
        problems.add(
            field, _("Give the coordinate in decimal degrees, like 31.5017."), "coordinate"
        )
        return None
    return number.quantize(Decimal("0.000001"))
