"""The public access metrics: by day and crossing, never per consignment, and only for
days that ended at least `AMANAH_ACCESS_PUBLIC_DELAY` ago.

Only published events count (those `access_publish_due` has logged), so every event
behind a figure is in the log. A figure is counted on the (UTC) day of its event, at the
consignment's crossing:
- trucks requested, cleared (all trucks of a clearance, the cleared ones of a partial
  one), crossed and turned back, on the day of that event;
- the denial rate: denied consignments over all consignments decided (cleared, partly
  cleared or denied) that day, as a fraction with 4 decimals; none without decisions;
- time from request to clearance, for the consignments cleared (fully or partly) that
  day, and from clearance to crossing, for those that crossed that day: the median (the
  middle value; the mean of the two middle values for an even count) and the 90th
  percentile by the nearest-rank method (the value at rank ceil(0.9 n) in ascending
  order), computed exactly on whole seconds, then given in hours rounded half-even to
  0.1 h (6 minutes: a day with one consignment does not give its timing to the second);
- items rejected: per day, crossing, category, reason and unit, the number of rejections
  and the quantity;
- days each crossing was closed, from the crossing's stated days.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils import timezone

from amanah.access.models import ConsignmentEvent, Crossing, CrossingDay
from amanah.access.replay import denial_rate
from amanah.access.services import public_delay

__all__ = [
    "AccessMetrics",
    "DayRow",
    "RejectedRow",
    "access_metrics",
    "days_csv",
    "median",
    "percentile_nearest_rank",
    "rejected_csv",
]

HOUR = Decimal(3600)
_TENTH = Decimal("0.1")


def median(values: Sequence[int]) -> Decimal | None:
    """The middle value, or the mean of the two middle values; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2


def percentile_nearest_rank(values: Sequence[int], percent: int) -> Decimal | None:
    """The value at rank ceil(percent/100 * n) of the ascending values (1-based)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent * len(ordered) / 100))
    return Decimal(ordered[rank - 1])


def hours(seconds: Decimal | None) -> Decimal | None:
    return None if seconds is None else (seconds / HOUR).quantize(_TENTH, ROUND_HALF_EVEN)


@dataclass
class DayRow:
    date: datetime.date
    crossing: str
    open: bool | None = None
    trucks_requested: int = 0
    trucks_cleared: int = 0
    trucks_crossed: int = 0
    trucks_turned_back: int = 0
    decided: int = 0
    denied: int = 0
    to_clearance: list[int] = field(default_factory=list)  # seconds
    to_crossing: list[int] = field(default_factory=list)

    @property
    def denial_rate(self) -> Decimal | None:
        return denial_rate(self.denied, self.decided)

    def durations(self) -> dict[str, Decimal | None]:
        return {
            "request_to_clearance_median_hours": hours(median(self.to_clearance)),
            "request_to_clearance_p90_hours": hours(percentile_nearest_rank(self.to_clearance, 90)),
            "clearance_to_crossing_median_hours": hours(median(self.to_crossing)),
            "clearance_to_crossing_p90_hours": hours(percentile_nearest_rank(self.to_crossing, 90)),
        }

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date,
            "crossing": self.crossing,
            "open": self.open,
            "trucks_requested": self.trucks_requested,
            "trucks_cleared": self.trucks_cleared,
            "trucks_crossed": self.trucks_crossed,
            "trucks_turned_back": self.trucks_turned_back,
            "consignments_decided": self.decided,
            "consignments_denied": self.denied,
            "denial_rate": self.denial_rate,
            **self.durations(),
        }


@dataclass(frozen=True)
class RejectedRow:
    date: datetime.date
    crossing: str
    category: str
    reason: str
    unit: str
    rejections: int
    quantity: Decimal

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date,
            "crossing": self.crossing,
            "category": self.category,
            "reason": self.reason,
            "unit": self.unit,
            "rejections": self.rejections,
            "quantity": self.quantity,
        }


@dataclass
class AccessMetrics:
    until: datetime.date | None  # the last day published (None: nothing yet)
    days: list[DayRow]
    rejected: list[RejectedRow]
    closed_days: dict[str, int]  # crossing code -> days stated closed
    crossings: list[Crossing]

    def totals_by_day(self) -> list[DayRow]:
        """All crossings together, day by day (for the trend charts)."""
        merged: dict[datetime.date, DayRow] = {}
        for row in self.days:
            total = merged.setdefault(row.date, DayRow(row.date, ""))
            total.trucks_requested += row.trucks_requested
            total.trucks_cleared += row.trucks_cleared
            total.trucks_crossed += row.trucks_crossed
            total.trucks_turned_back += row.trucks_turned_back
            total.decided += row.decided
            total.denied += row.denied
            total.to_clearance += row.to_clearance
            total.to_crossing += row.to_crossing
        return [merged[day] for day in sorted(merged)]


def last_public_day(now: datetime.datetime | None = None) -> datetime.date:
    """The last day whose end is at least the delay ago."""
    moment = (now or timezone.now()).astimezone(datetime.UTC)
    return (moment - public_delay()).date() - datetime.timedelta(days=1)


def _seconds(later: datetime.datetime, earlier: datetime.datetime) -> int:
    return int((later - earlier).total_seconds())


def access_metrics(
    *,
    now: datetime.datetime | None = None,
    since: datetime.date | None = None,
    crossing: str | None = None,
) -> AccessMetrics:
    until = last_public_day(now)
    events = ConsignmentEvent.objects.filter(
        published_index__isnull=False, occurred_at__date__lte=until
    )
    statuses = CrossingDay.objects.filter(date__lte=until)
    if crossing:
        events = events.filter(consignment__crossing__code=crossing)
        statuses = statuses.filter(crossing__code=crossing)
    rows: dict[tuple[datetime.date, str], DayRow] = {}

    def row(day: datetime.date, code: str) -> DayRow:
        return rows.setdefault((day, code), DayRow(day, code))

    times: dict[object, dict[str, datetime.datetime]] = defaultdict(dict)
    listed = events.order_by("occurred_at", "log_index").values_list(
        "consignment_id",
        "consignment__crossing__code",
        "consignment__trucks",
        "kind",
        "occurred_at",
        "trucks",
        "rejected",
    )
    rejected: dict[tuple[datetime.date, str, str, str, str], list[Decimal]] = defaultdict(list)
    for consignment, code, requested, kind, at, trucks, items in listed:
        times[consignment][kind] = at
        day = at.astimezone(datetime.UTC).date()
        if since is not None and day < since:
            continue
        target = row(day, code)
        if kind == "requested":
            target.trucks_requested += requested
        elif kind in ("cleared", "partly_cleared", "denied"):
            target.decided += 1
            if kind == "denied":
                target.denied += 1
            else:
                target.trucks_cleared += trucks or 0
                target.to_clearance.append(_seconds(at, times[consignment]["requested"]))
        elif kind == "crossed":
            target.trucks_crossed += trucks or 0
            cleared = times[consignment].get("cleared") or times[consignment]["partly_cleared"]
            target.to_crossing.append(_seconds(at, cleared))
        elif kind == "turned_back":
            target.trucks_turned_back += trucks or 0
        for item in items or ():
            key = (day, code, item["category"], item["reason"], item["unit"])
            rejected[key].append(Decimal(item["quantity"]))
    closed: dict[str, int] = defaultdict(int)
    for day, code, is_open in statuses.values_list("date", "crossing__code", "open"):
        if since is not None and day < since:
            continue
        row(day, code).open = is_open
        if not is_open:
            closed[code] += 1
    order = {c.code: c.added_index for c in Crossing.objects.all()}
    return AccessMetrics(
        until=until if rows else None,
        days=sorted(rows.values(), key=lambda r: (r.date, order.get(r.crossing, 0))),
        rejected=[
            RejectedRow(*key, rejections=len(amounts), quantity=sum(amounts, Decimal(0)))
            for key, amounts in sorted(rejected.items())
        ],
        closed_days=dict(closed),
        crossings=list(Crossing.objects.all()),
    )


DAY_COLUMNS = (
    ("date", "#date"),
    ("crossing", "#loc+crossing+code"),
    ("open", "#status+open"),
    ("trucks_requested", "#x_trucks+requested"),
    ("trucks_cleared", "#x_trucks+cleared"),
    ("trucks_crossed", "#x_trucks+crossed"),
    ("trucks_turned_back", "#x_trucks+turned_back"),
    ("consignments_decided", "#x_consignments+decided"),
    ("consignments_denied", "#x_consignments+denied"),
    ("denial_rate", "#x_denial_rate"),
    ("request_to_clearance_median_hours", "#x_hours+request_to_clearance+median"),
    ("request_to_clearance_p90_hours", "#x_hours+request_to_clearance+p90"),
    ("clearance_to_crossing_median_hours", "#x_hours+clearance_to_crossing+median"),
    ("clearance_to_crossing_p90_hours", "#x_hours+clearance_to_crossing+p90"),
)
REJECTED_COLUMNS = (
    ("date", "#date"),
    ("crossing", "#loc+crossing+code"),
    ("category", "#item+type"),
    ("reason", "#x_reason"),
    ("unit", "#item+unit"),
    ("rejections", "#x_rejections"),
    ("quantity", "#item+num+rejected"),
)


def _csv(columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _tag in columns])
    writer.writerow([tag for _name, tag in columns])
    for values in rows:
        writer.writerow(["" if values[n] is None else _cell(values[n]) for n, _tag in columns])
    return out.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def days_csv(metrics: AccessMetrics) -> str:
    """The figures by day and crossing, with an HXL hashtag row under the header."""
    return _csv(DAY_COLUMNS, (row.to_json() for row in metrics.days))


def rejected_csv(metrics: AccessMetrics) -> str:
    return _csv(REJECTED_COLUMNS, (row.to_json() for row in metrics.rejected))
