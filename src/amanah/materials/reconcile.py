"""Reconciliation of a project's material from one vendor, pure (no Django), so the
figures can be recomputed from the log alone.

    gap = received - used - in stock - returned - lost - on site within the allowance

`received` is what was allocated to the project, `in stock` what of it is still in the
warehouse, `used` what the lead's staff reported used (verified or not), `returned` and
`lost` what left the project's hands. Whatever remains is with the contractor. Of that,
what was released less than the allowance (`AMANAH_MATERIALS_ON_SITE_DAYS`) ago is "on
site, within the allowance" (`within_allowance`): not yet reported, but not yet late
either. The rest is not accounted for: the gap. A gap beyond `tolerance * received` raises
a flag.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Totals", "beyond_tolerance", "should_raise", "within_allowance"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class Totals:
    received: Decimal = ZERO
    used: Decimal = ZERO
    in_stock: Decimal = ZERO
    returned: Decimal = ZERO
    lost: Decimal = ZERO
    # Released less than the allowance ago and not yet accounted for (`within_allowance`).
    on_site_within_allowance: Decimal = ZERO

    @property
    def with_contractor(self) -> Decimal:
        """Everything released to the contractor and not yet accounted for, late or not."""
        return self.received - self.used - self.in_stock - self.returned - self.lost

    @property
    def gap(self) -> Decimal:
        return self.with_contractor - self.on_site_within_allowance

    @property
    def accounted(self) -> Decimal:
        return self.used + self.in_stock + self.returned + self.lost + self.on_site_within_allowance

    def as_strings(self) -> dict[str, str]:
        return {
            "received": format(self.received, "f"),
            "used": format(self.used, "f"),
            "in_stock": format(self.in_stock, "f"),
            "returned": format(self.returned, "f"),
            "lost": format(self.lost, "f"),
            "gap": format(self.gap, "f"),
        }


def within_allowance(
    releases: Iterable[tuple[datetime.date, Decimal]],
    *,
    with_contractor: Decimal,
    today: datetime.date,
    days: int,
) -> Decimal:
    """How much of what is with the contractor (`with_contractor`) was released fewer than
    `days` days before `today`, given every release as (day, quantity).

    Uses, returns and losses account for the oldest releases first, so what is still with
    the contractor is what was released last: the part of it released within the
    allowance is the smaller of the two, never below zero. With `days` 0 nothing is."""
    if days < 0:
        raise ValueError("the allowance cannot be negative")
    recent = sum((quantity for on, quantity in releases if (today - on).days < days), start=ZERO)
    return max(ZERO, min(with_contractor, recent))


def beyond_tolerance(totals: Totals, tolerance: Decimal) -> bool:
    """Whether the gap (either way) is more than `tolerance` (a fraction) of what was
    received. With nothing received, any gap is beyond it."""
    if tolerance < ZERO:
        raise ValueError("tolerance cannot be negative")
    return abs(totals.gap) > totals.received * tolerance


def should_raise(
    totals: Totals, tolerance: Decimal, *, open_flag: bool, last_resolved_gap: Decimal | None
) -> bool:
    """Whether to raise a flag now: the gap is beyond the tolerance, no flag is open, and
    the gap is larger than the one a monitor last resolved (a resolved gap that has not
    grown is not raised again)."""
    if open_flag or not beyond_tolerance(totals, tolerance):
        return False
    return last_resolved_gap is None or abs(totals.gap) > abs(last_resolved_gap)
