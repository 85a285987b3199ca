"""Where each donor's money went: contributions traced to the allocations they funded.

An allocation draws from earmark pools (`AllocationDraw`). A pool holds the money of every
donor who paid into it, so a draw is traced to donors like this:
- only one donor had paid into the pool when the allocation was prepared: the money is
  that donor's, exactly ("traced");
- several had: each donor's share is in proportion to what it had paid into the pool by
  then, in US dollars at each payment's own rate ("pro rata"), and the page says so.
Conversions change a pool's currency, not whose money it is, so pools are followed by
earmark across currencies. Shares are split to the cent with the largest remainders, so
they always add up to the allocation's USD equivalent.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from amanah.funds.models import Allocation, AllocationDraw, Contribution, MoveStatus
from amanah.funds.money import USD, Money

__all__ = ["PRO_RATA", "TRACED", "TraceRow", "fund_trace"]

TRACED, PRO_RATA = "traced", "pro_rata"


@dataclass(frozen=True)
class TraceRow:
    donor: str  # IATI identifier
    allocation: uuid.UUID
    project_code: str
    project_title: str
    earmark: str  # the pool's key, e.g. housing.PS0270 or any.any
    usd: Money
    method: str  # TRACED or PRO_RATA


def _split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` cents split in proportion to `weights`, to the cent, by largest remainder."""
    whole = sum(weights.values())
    exact = {key: Fraction(total * weight, whole) for key, weight in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}
    left = total - sum(shares.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[key] += 1
    return shares


def fund_trace(*, donor: str | None = None) -> list[TraceRow]:
    """Every approved allocation's money, traced to the donors it came from (only
    `donor`'s rows if given), newest allocation first."""
    allocations = list(
        Allocation.objects.filter(status=MoveStatus.APPROVED)
        .select_related("project")
        .order_by("-approved_index")
    )
    draws: dict[uuid.UUID, list[AllocationDraw]] = defaultdict(list)
    for draw in AllocationDraw.objects.filter(allocation__in=allocations).order_by("id"):
        draws[draw.allocation_id].append(draw)
    # pool key -> [(log index, donor, USD cents)] of contributions in force, in log order
    paid: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for row in (
        Contribution.objects.filter(reversed_index__isnull=True)
        .order_by("log_index")
        .values(
            "log_index",
            "donor__iati_identifier",
            "usd_minor",
            "earmark_sector",
            "earmark_governorate",
        )
    ):
        key = f"{row['earmark_sector'] or 'any'}.{row['earmark_governorate'] or 'any'}"
        paid[key].append((row["log_index"], row["donor__iati_identifier"], row["usd_minor"]))

    rows: list[TraceRow] = []
    for allocation in allocations:
        if allocation.usd_minor is None:
            continue
        for draw in draws[allocation.id]:
            key = draw.earmark.key
            before: dict[str, int] = defaultdict(int)
            for index, who, cents in paid[key]:
                if index < allocation.reserved_index:
                    before[who] += cents
            if not before:
                continue
            draw_cents = round(
                Fraction(allocation.usd_minor * draw.amount_minor, allocation.amount_minor)
            )
            method = TRACED if len(before) == 1 else PRO_RATA
            for who, cents in sorted(_split(draw_cents, before).items()):
                if donor is not None and who != donor:
                    continue
                rows.append(
                    TraceRow(
                        donor=who,
                        allocation=allocation.id,
                        project_code=allocation.project.code,
                        project_title=allocation.project.title,
                        earmark=key,
                        usd=Money.from_minor(cents, USD),
                        method=method,
                    )
                )
    return rows
