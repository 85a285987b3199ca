"""Humanitarian access rebuilt from the log alone, and the public figures it gives.

`AccessBook` replays the log's public access entries in order (crossings and their stated
days, warehouses, the commitments `access.consignment_recorded` / `access.event_recorded`,
and the public parts published after the delay, `access.consignment_published` and
`access.event_published`). Pure Python: `amanah audit` runs it with no database.

What it checks, naming the entry of each violation:
- every reference resolves: a publication names the commitment logged for that very
  consignment or event (`recorded_index`), once; a consignment's crossing was added; an
  event's consignment was published before it;
- the published events of each consignment follow `amanah.access.lifecycle`, in the order
  the log gives them; an event flagged out of order may instead sit where it fits the
  events around it (and the days agree), as the services accept a late report;
- each event says what its kind allows: reasons from the right list (and at least one
  where the kind needs one), rejected items only on crossing or return and only of the
  categories carried, trucks as the services count them.

`figures()` recomputes the counts the public access metrics serve (`/api/v1/access/metrics`,
`access.metrics`): per UTC day and crossing the trucks requested, cleared, crossed and
turned back, consignments decided and denied, and the denial rate; rejected items by day,
crossing, category, reason and unit; days each crossing was stated closed. The durations
are not in it: they use exact times, which stay private. `served_figures()` puts what the
API serves in the same shape, so the two can be compared field by field.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from amanah.access import lifecycle
from amanah.logreplay import Refused, Violation, apply, get, kind_of, text

__all__ = ["AccessBook", "AccessViolation", "access_kinds", "denial_rate", "served_figures"]

_RATE = Decimal("0.0001")
DECIDED = frozenset({"cleared", "partly_cleared", "denied"})
CLEARED = frozenset({"cleared", "partly_cleared"})
# The fields of a day row that the log gives (the API adds the private-time durations).
DAY_FIELDS = (
    "open",
    "trucks_requested",
    "trucks_cleared",
    "trucks_crossed",
    "trucks_turned_back",
    "consignments_decided",
    "consignments_denied",
    "denial_rate",
)


def denial_rate(denied: int, decided: int) -> Decimal | None:
    """Denied over decided consignments, 4 decimals rounded half-even; None if none decided
    (shared with `access.metrics`)."""
    if not decided:
        return None
    return (Decimal(denied) / Decimal(decided)).quantize(_RATE, ROUND_HALF_EVEN)


# Its violations are the shared kind, under this book's own name.
AccessViolation = Violation


@dataclass
class _Day:
    open: bool | None = None
    trucks_requested: int = 0
    trucks_cleared: int = 0
    trucks_crossed: int = 0
    trucks_turned_back: int = 0
    decided: int = 0
    denied: int = 0


@dataclass
class _Consignment:
    crossing: str
    trucks: int
    categories: frozenset[str]
    # The published events in time order as far as the log tells: (kind, day).
    history: list[tuple[str, datetime.date]] = field(default_factory=list)
    cleared_trucks: int | None = None


def access_kinds() -> frozenset[str]:
    """The log kinds the access book reads."""
    return frozenset(_HANDLERS)


def _int(data: Mapping[str, Any], name: str, *, optional: bool = False) -> int | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Refused("malformed_entry", f"data.{name} must be a whole number")
    return value


def _date(data: Mapping[str, Any], name: str) -> datetime.date:
    value = get(data, name)
    try:
        if isinstance(value, str):
            on = datetime.date.fromisoformat(value)
            if on.isoformat() == value:
                return on
    except ValueError:
        pass
    raise Refused("malformed_entry", f"data.{name} must be a date YYYY-MM-DD")


def _quantity(value: object, name: str) -> Decimal:
    try:
        number = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number <= 0:
        raise Refused("malformed_entry", f"{name} must be a positive decimal string")
    return number


def _plain(number: Decimal | None) -> str | None:
    """One spelling per number, whatever the source wrote (12.500 and 12.5 are equal)."""
    if number is None:
        return None
    spelled = format(number.normalize(), "f")
    return "0" if spelled in ("-0", "0") else spelled


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise Refused("malformed_entry", f"data.{name} must be a list")
    return value


class AccessBook:
    """Replay of the access entries; feed `entry()` every log entry in order."""

    def __init__(self) -> None:
        self.violations: list[AccessViolation] = []
        self.size = 0
        self.index = 0
        self.crossings: set[str] = set()
        self.warehouses: dict[str, str] = {}  # id -> governorate
        self.statements: dict[tuple[str, datetime.date], bool] = {}
        self.commitments: dict[int, tuple[str, str]] = {}  # index -> (what, id)
        self.published: set[int] = set()  # commitments whose public part was logged
        self.consignments: dict[str, _Consignment] = {}
        self.days: dict[tuple[datetime.date, str], _Day] = {}
        self.rejected: dict[tuple[datetime.date, str, str, str, str], list[Decimal]] = defaultdict(
            list
        )

    # --- feeding -------------------------------------------------------------------------

    def entry(self, index: int, value: Mapping[str, Any]) -> None:
        """One decoded log entry (its JSON object), at `index`."""
        self.size = max(self.size, index + 1)
        self.index = index
        kind = kind_of(value)
        handler = None if kind is None else _HANDLERS.get(kind)
        if kind is None or handler is None:
            return
        violation = apply(index, kind, value, lambda data: handler(self, data))
        if violation is not None:
            self.violations.append(violation)

    def _day(self, on: datetime.date, crossing: str) -> _Day:
        return self.days.setdefault((on, crossing), _Day())

    # --- crossings, warehouses, commitments ------------------------------------------------

    def _crossing_added(self, data: Mapping[str, Any]) -> None:
        code = text(data, "crossing")
        if code in self.crossings:
            raise Refused("duplicate", f"crossing {code} was added before")
        self.crossings.add(code)

    def _crossing_day_set(self, data: Mapping[str, Any]) -> None:
        code = text(data, "crossing")
        on = _date(data, "date")
        is_open = get(data, "open")
        if not isinstance(is_open, bool):
            raise Refused("malformed_entry", "data.open must be true or false")
        if code not in self.crossings:
            raise Refused("unknown_reference", f"crossing {code} was never added")
        self.statements[(code, on)] = is_open  # a later statement corrects an earlier one

    def _warehouse_added(self, data: Mapping[str, Any]) -> None:
        warehouse = text(data, "warehouse")
        if warehouse in self.warehouses:
            raise Refused("duplicate", f"warehouse {warehouse} was added before")
        self.warehouses[warehouse] = text(data, "governorate")

    def _committed(self, what: str) -> Callable[[Mapping[str, Any]], None]:
        def commit(data: Mapping[str, Any]) -> None:
            self.commitments[self.index] = (what, text(data, what))

        return commit

    def _publication(self, data: Mapping[str, Any], what: str, key: str) -> None:
        """Check that `recorded_index` is the commitment to this very thing, published once."""
        recorded = _int(data, "recorded_index")
        assert recorded is not None
        if self.commitments.get(recorded) != (what, key):
            raise Refused(
                "unknown_commitment",
                f"{what} {key}: entry {recorded} is not the commitment to it",
            )
        if recorded in self.published:
            raise Refused("duplicate", f"{what} {key} was published before")
        self.published.add(recorded)

    # --- consignments and events ------------------------------------------------------------

    def _consignment_published(self, data: Mapping[str, Any]) -> None:
        key = text(data, "consignment")
        crossing = text(data, "crossing")
        trucks = _int(data, "trucks")
        on = _date(data, "on")
        categories = set()
        for number, item in enumerate(_list(data, "items")):
            if not isinstance(item, Mapping) or not isinstance(item.get("category"), str):
                raise Refused("malformed_entry", f"data.items[{number}] must have a category")
            _quantity(item.get("quantity"), f"data.items[{number}].quantity")
            categories.add(str(item["category"]))
        self._publication(data, "consignment", key)
        if crossing not in self.crossings:
            raise Refused("unknown_reference", f"crossing {crossing} was never added")
        if not trucks:
            raise Refused("malformed_entry", "data.trucks must be at least 1")
        self.consignments[key] = _Consignment(
            crossing, trucks, frozenset(categories), [(lifecycle.REQUESTED, on)]
        )
        self._day(on, crossing).trucks_requested += trucks

    def _event_published(self, data: Mapping[str, Any]) -> None:
        key = text(data, "event")
        shipment = self.consignments.get(text(data, "consignment"))
        kind = text(data, "kind")
        on = _date(data, "on")
        trucks = _int(data, "trucks", optional=True)
        late = get(data, "out_of_order")
        if not isinstance(late, bool):
            raise Refused("malformed_entry", "data.out_of_order must be true or false")
        rejected = self._rejected(_list(data, "rejected"))
        self._publication(data, "event", key)
        if shipment is None:
            raise Refused("unknown_reference", f"event {key}: its consignment was never published")
        if kind not in lifecycle.KINDS or kind == lifecycle.REQUESTED:
            raise Refused("unknown_kind", f"event {key}: {kind!r} is not an event kind")
        problems = [
            *self._place(shipment, kind, on, late),
            *_reasons_problems(kind, _list(data, "reasons")),
            *self._rejected_problems(shipment, kind, rejected),
            *self._trucks_problems(shipment, kind, trucks),
        ]
        # Counted as the server counts every published event, lawful or not.
        self._count(shipment, kind, on, trucks, rejected)
        if problems:
            what = "; ".join(message for _code, message in problems)
            raise Refused(problems[0][0], f"event {key} ({kind}): {what}")

    def _place(
        self, shipment: _Consignment, kind: str, on: datetime.date, late: bool
    ) -> list[tuple[str, str]]:
        history = shipment.history
        state, last_day = history[-1]
        if lifecycle.allowed(state, kind) and on >= last_day:
            history.append((kind, on))
            return []
        if late:
            for position in range(1, len(history)):
                (before, since), (after, until) = history[position - 1], history[position]
                if (
                    lifecycle.allowed(before, kind)
                    and lifecycle.allowed(kind, after)
                    and since <= on <= until
                ):
                    history.insert(position, (kind, on))
                    return []
        history.append((kind, on))  # as the log says, so one bad step is named once
        if not lifecycle.allowed(state, kind):
            following = ", ".join(sorted(lifecycle.TRANSITIONS.get(state, frozenset()))) or "none"
            where = " and fits nowhere earlier" if late else ""
            return [("illegal_transition", f"cannot follow {state}{where} (next: {following})")]
        return [("out_of_time_order", f"on {on}, before the {state} event of {last_day}")]

    def _rejected(self, items: Sequence[Any]) -> list[tuple[str, str, str, Decimal]]:
        rows = []
        for number, item in enumerate(items):
            where = f"data.rejected[{number}]"
            if not isinstance(item, Mapping) or not all(
                isinstance(item.get(name), str) for name in ("category", "unit", "reason")
            ):
                raise Refused("malformed_entry", f"{where} needs a category, a unit and a reason")
            quantity = _quantity(item.get("quantity"), f"{where}.quantity")
            rows.append((str(item["category"]), str(item["reason"]), str(item["unit"]), quantity))
        return rows

    @staticmethod
    def _rejected_problems(
        shipment: _Consignment, kind: str, rejected: Sequence[tuple[str, str, str, Decimal]]
    ) -> list[tuple[str, str]]:
        if rejected and kind not in lifecycle.MAY_REJECT:
            return [("invalid_rejection", "only a crossing or a return rejects items")]
        problems = []
        for category, reason, _unit, _quantity in rejected:
            if category not in shipment.categories:
                problems.append(("invalid_rejection", f"rejects {category}, not carried"))
            if reason not in lifecycle.REJECTION_REASONS:
                problems.append(("invalid_rejection", f"{reason!r} is not a rejection reason"))
        return problems

    @staticmethod
    def _trucks_problems(
        shipment: _Consignment, kind: str, trucks: int | None
    ) -> list[tuple[str, str]]:
        if kind == "cleared":
            ok = trucks == shipment.trucks
            rule = f"a clearance clears all {shipment.trucks} trucks"
        elif kind == "partly_cleared":
            ok = trucks is not None and 0 < trucks < shipment.trucks
            rule = f"a partial clearance clears fewer than {shipment.trucks} trucks"
        elif kind in ("crossed", "turned_back"):
            cleared = shipment.cleared_trucks or shipment.trucks
            ok = trucks is not None and trucks <= cleared
            rule = f"only {cleared} trucks were cleared"
        else:
            ok = trucks is None
            rule = "trucks are counted only on clearance, crossing or return"
        return [] if ok else [("invalid_trucks", f"trucks {trucks}: {rule}")]

    def _count(
        self,
        shipment: _Consignment,
        kind: str,
        on: datetime.date,
        trucks: int | None,
        rejected: Sequence[tuple[str, str, str, Decimal]],
    ) -> None:
        day = self._day(on, shipment.crossing)
        if kind in DECIDED:
            day.decided += 1
            if kind == "denied":
                day.denied += 1
            else:
                day.trucks_cleared += trucks or 0
                shipment.cleared_trucks = trucks
        elif kind == "crossed":
            day.trucks_crossed += trucks or 0
        elif kind == "turned_back":
            day.trucks_turned_back += trucks or 0
        for category, reason, unit, quantity in rejected:
            self.rejected[(on, shipment.crossing, category, reason, unit)].append(quantity)

    # --- the figures -----------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        """The public access counts, keyed by "day crossing" (and category, reason, unit for
        rejected items): what `served_figures()` makes of the API's metrics."""
        days = {key: _Day(day.open, *_counts(day)) for key, day in self.days.items()}
        closed: dict[str, int] = defaultdict(int)
        for (crossing, on), is_open in self.statements.items():
            days.setdefault((on, crossing), _Day()).open = is_open
            if not is_open:
                closed[crossing] += 1
        return {
            "log_size": self.size,
            "days": {
                f"{on.isoformat()} {crossing}": _day_json(day)
                for (on, crossing), day in sorted(days.items())
            },
            "rejected": {
                " ".join((on.isoformat(), *rest)): {
                    "rejections": len(amounts),
                    "quantity": _plain(sum(amounts, Decimal(0))),
                }
                for (on, *rest), amounts in sorted(self.rejected.items())
            },
            "closed_days": dict(sorted(closed.items())),
        }


def _counts(day: _Day) -> tuple[int, int, int, int, int, int]:
    return (
        day.trucks_requested,
        day.trucks_cleared,
        day.trucks_crossed,
        day.trucks_turned_back,
        day.decided,
        day.denied,
    )


def _day_json(day: _Day) -> dict[str, object]:
    values = (day.open, *_counts(day), _plain(denial_rate(day.denied, day.decided)))
    return dict(zip(DAY_FIELDS, values, strict=True))


def _reasons_problems(kind: str, reasons: Sequence[Any]) -> list[tuple[str, str]]:
    if kind in ("denied", "partly_cleared"):
        allowed: Sequence[str] = lifecycle.DENIAL_REASONS
    elif kind == "turned_back":
        allowed = lifecycle.REJECTION_REASONS
    else:
        return [("invalid_reasons", "only a denial or a return has reasons")] if reasons else []
    if not reasons:
        return [("invalid_reasons", "gives no reason")]
    wrong = [str(code) for code in reasons if code not in allowed]
    return [("invalid_reasons", f"{', '.join(wrong)}: not a reason for {kind}")] if wrong else []


def _number(value: object) -> str | None:
    if value is None:
        return None
    try:
        return _plain(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def served_figures(metrics: Mapping[str, Any], log_size: int) -> dict[str, Any]:
    """The API's access metrics (`/api/v1/access/metrics` JSON) in the shape of
    `AccessBook.figures()`, without what the log cannot give (the durations)."""
    days = {}
    for row in metrics.get("days", []):
        values = {name: row.get(name) for name in DAY_FIELDS}
        values["denial_rate"] = _number(values["denial_rate"])
        days[f"{row.get('date')} {row.get('crossing')}"] = values
    rejected = {
        " ".join(str(row.get(k)) for k in ("date", "crossing", "category", "reason", "unit")): {
            "rejections": row.get("rejections"),
            "quantity": _number(row.get("quantity")),
        }
        for row in metrics.get("rejected", [])
    }
    return {
        "log_size": log_size,
        "days": days,
        "rejected": rejected,
        "closed_days": dict(metrics.get("closed_days", {})),
    }


_HANDLERS: dict[str, Callable[[AccessBook, Mapping[str, Any]], None]] = {
    "access.crossing_added": AccessBook._crossing_added,
    "access.crossing_day_set": AccessBook._crossing_day_set,
    "access.warehouse_added": AccessBook._warehouse_added,
    "access.consignment_recorded": lambda book, data: book._committed("consignment")(data),
    "access.event_recorded": lambda book, data: book._committed("event")(data),
    "access.consignment_published": AccessBook._consignment_published,
    "access.event_published": AccessBook._event_published,
}
