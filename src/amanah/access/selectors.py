"""Reads of humanitarian access. Per-consignment reads are for logistics coordinators and
auditors only (the API and pages check the role); the public reads aggregates
(`access.metrics`) and crossings."""

from __future__ import annotations

import datetime
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from amanah.access import metrics
from amanah.access.models import Consignment, ConsignmentEvent, Crossing, CrossingDay, Warehouse
from amanah.access.replay import denial_rate
from amanah.ledger.models import LogEntry
from amanah.ledger.selectors import log_size_now

__all__ = [
    "AccessWeek",
    "access_metrics_as_of",
    "access_week",
    "consignment_get",
    "consignment_list",
    "crossing_day_list",
    "crossing_list",
    "log_size_now",
    "warehouse_list",
]


def crossing_list() -> QuerySet[Crossing]:
    return Crossing.objects.order_by("added_index")


def crossing_day_list(code: str | None = None) -> QuerySet[CrossingDay]:
    days = CrossingDay.objects.select_related("crossing").order_by("-date", "crossing__added_index")
    return days.filter(crossing__code=code) if code else days


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.order_by("governorate", "name")


def consignment_list(status: str | None = None) -> QuerySet[Consignment]:
    rows = (
        Consignment.objects.select_related("organisation", "crossing", "warehouse")
        .prefetch_related(
            "items",
            Prefetch(
                "events", queryset=ConsignmentEvent.objects.order_by("occurred_at", "log_index")
            ),
        )
        .order_by("-recorded_index")
    )
    return rows.filter(status=status) if status else rows


def consignment_get(consignment_id: uuid.UUID) -> Consignment | None:
    return consignment_list().filter(pk=consignment_id).first()


_DURATIONS = dict.fromkeys(
    (
        "request_to_clearance_median_hours",
        "request_to_clearance_p90_hours",
        "clearance_to_crossing_median_hours",
        "clearance_to_crossing_p90_hours",
    )
)


def _statements_as_of(log_size: int, crossing: str | None) -> dict[tuple[str, datetime.date], bool]:
    """Each crossing day's open/closed statement in force after the log's first `log_size`
    entries. The database keeps only a day's latest statement; one made at or after
    `log_size` hides an earlier one, which only the log still has."""
    rows = CrossingDay.objects.values_list("crossing__code", "date", "open", "logged_index")
    if crossing:
        rows = rows.filter(crossing__code=crossing)
    statements: dict[tuple[str, datetime.date], bool] = {}
    hidden: set[tuple[str, datetime.date]] = set()
    for code, day, is_open, logged in rows:
        if logged < log_size:
            statements[(code, day)] = is_open
        else:
            hidden.add((code, day))
    if hidden:
        earlier = LogEntry.objects.filter(kind="access.crossing_day_set", index__lt=log_size)
        for raw in earlier.order_by("index").values_list("entry", flat=True):
            data = json.loads(bytes(raw))["data"]
            key = (data["crossing"], datetime.date.fromisoformat(data["date"]))
            if key in hidden:
                statements[key] = bool(data["open"])
    return statements


def access_metrics_as_of(
    *, log_size: int, since: datetime.date | None = None, crossing: str | None = None
) -> dict[str, Any]:
    """The public access counts over the log's first `log_size` entries: the events
    published and the days stated before that index, whatever their day (every one of them
    is already public in the log). Exactly what `amanah audit` recomputes from the log
    (`access.replay.AccessBook`), in the shape of the metrics API; the durations use
    private times, which the log does not give, so they are null here."""
    events = ConsignmentEvent.objects.filter(published_index__lt=log_size)
    if crossing:
        events = events.filter(consignment__crossing__code=crossing)
    rows: dict[tuple[datetime.date, str], dict[str, Any]] = {}

    def row(day: datetime.date, code: str) -> dict[str, Any]:
        return rows.setdefault(
            (day, code),
            {
                "date": day,
                "crossing": code,
                "open": None,
                **dict.fromkeys(
                    ("trucks_requested", "trucks_cleared", "trucks_crossed", "trucks_turned_back"),
                    0,
                ),
                "consignments_decided": 0,
                "consignments_denied": 0,
            },
        )

    rejected: dict[tuple[datetime.date, str, str, str, str], list[Decimal]] = defaultdict(list)
    listed = events.values_list(
        "consignment__crossing__code", "consignment__trucks", "kind", "occurred_at", "trucks",
        "rejected",
    )  # fmt: skip
    for code, requested, kind, at, trucks, items in listed:
        day = at.astimezone(datetime.UTC).date()
        if since is not None and day < since:
            continue
        target = row(day, code)
        if kind == "requested":
            target["trucks_requested"] += requested
        elif kind in ("cleared", "partly_cleared", "denied"):
            target["consignments_decided"] += 1
            if kind == "denied":
                target["consignments_denied"] += 1
            else:
                target["trucks_cleared"] += trucks or 0
        elif kind == "crossed":
            target["trucks_crossed"] += trucks or 0
        elif kind == "turned_back":
            target["trucks_turned_back"] += trucks or 0
        for item in items or ():
            key = (day, code, item["category"], item["reason"], item["unit"])
            rejected[key].append(Decimal(item["quantity"]))
    closed: dict[str, int] = defaultdict(int)
    for (code, day), is_open in _statements_as_of(log_size, crossing).items():
        if since is not None and day < since:
            continue
        row(day, code)["open"] = is_open
        if not is_open:
            closed[code] += 1
    order = {c.code: c.added_index for c in Crossing.objects.all()}
    days = sorted(rows.values(), key=lambda r: (r["date"], order.get(r["crossing"], 0)))
    for values in days:
        rate = denial_rate(values["consignments_denied"], values["consignments_decided"])
        values.update(denial_rate=rate, **_DURATIONS)
    return {
        "until": days[-1]["date"] if days else None,
        "days": days,
        "rejected": [
            {
                **dict(zip(("date", "crossing", "category", "reason", "unit"), key, strict=True)),
                "rejections": len(amounts),
                "quantity": sum(amounts, Decimal(0)),
            }
            for key, amounts in sorted(rejected.items())
        ],
        "closed_days": dict(closed),
    }


@dataclass(frozen=True)
class AccessWeek:
    """The public access counts of the last `days` published days, all crossings together."""

    since: datetime.date
    until: datetime.date
    trucks_requested: int
    trucks_cleared: int
    trucks_crossed: int
    trucks_turned_back: int
    consignments_decided: int
    consignments_denied: int
    denial_rate: Decimal | None  # denied over decided, as `access.metrics` defines it


def access_week(*, days: int = 7) -> AccessWeek:
    """The public metrics (`access.metrics`, delayed and aggregated) summed over the last
    `days` days that are public; the dashboard's figures, in a constant number of queries."""
    until = metrics.last_public_day()
    since = until - datetime.timedelta(days=days - 1)
    rows = metrics.access_metrics(since=since).days
    decided = sum(row.decided for row in rows)
    denied = sum(row.denied for row in rows)
    return AccessWeek(
        since=since,
        until=until,
        trucks_requested=sum(row.trucks_requested for row in rows),
        trucks_cleared=sum(row.trucks_cleared for row in rows),
        trucks_crossed=sum(row.trucks_crossed for row in rows),
        trucks_turned_back=sum(row.trucks_turned_back for row in rows),
        consignments_decided=decided,
        consignments_denied=denied,
        denial_rate=denial_rate(denied, decided),
    )
