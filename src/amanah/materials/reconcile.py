"""Reconciliation of a project's material from one vendor, pure (no Django), so the
figures can be recomputed from the log alone.

    gap = received - used - in stock - returned - lost

`received` is what was allocated to the project, `in stock` what of it is still in the
warehouse, `used` what the lead's staff reported used (verified or not), `returned` and
`lost` what left the project's hands. Whatever remains is with the contractor and not
accounted for: the gap. A gap beyond `tolerance * received` raises a flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Totals", "beyond_tolerance", "should_raise"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class Totals:
    received: Decimal = ZERO
    used: Decimal = ZERO
    in_stock: Decimal = ZERO
    returned: Decimal = ZERO
    lost: Decimal = ZERO

    @property
    def gap(self) -> Decimal:
        return self.received - self.used - self.in_stock - self.returned - self.lost

    @property
    def accounted(self) -> Decimal:
        return self.used + self.in_stock + self.returned + self.lost

    def as_strings(self) -> dict[str, str]:
        return {
            "received": format(self.received, "f"),
            "used": format(self.used, "f"),
            "in_stock": format(self.in_stock, "f"),
            "returned": format(self.returned, "f"),
            "lost": format(self.lost, "f"),
            "gap": format(self.gap, "f"),
        }


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
