"""A consignment's lifecycle: a pure transition table and the rule for late events.

No Django: the same rules check an event typed on a phone, a row of a CSV import and,
one day, a replay of the log. Every event kind is named after the state it leads to.

    requested -> submitted -> cleared | partly_cleared | denied
    cleared, partly_cleared -> dispatched -> at_crossing -> inspected -> crossed | turned_back
    crossed -> received -> distributed

`at_crossing` and `inspected` are reported by the crossing, often late or not at all, so a
consignment may go from `dispatched` (or `at_crossing`) straight to `crossed` or
`turned_back`; when the report arrives later it still fits in between. Every other step is
required. `denied`, `turned_back` and `distributed` end the lifecycle.

Late events: an event whose time is earlier than the latest event already recorded is
placed where its time puts it. It is accepted only if the whole history, in time order,
is still a path of the table (it fits the event before it and the one after it), and it
is flagged as out of order. Events with the same time keep the order they were recorded in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "DENIAL_REASONS",
    "KINDS",
    "MAY_REJECT",
    "NEEDS_REASON",
    "ORDER",
    "REJECTION_REASONS",
    "TERMINAL",
    "TRANSITIONS",
    "Placement",
    "Refused",
    "Step",
    "allowed",
    "place",
    "state_after",
]

REQUESTED = "requested"
ORDER: tuple[str, ...] = (
    "requested",
    "submitted",
    "cleared",
    "partly_cleared",
    "denied",
    "dispatched",
    "at_crossing",
    "inspected",
    "crossed",
    "turned_back",
    "received",
    "distributed",
)
KINDS = frozenset(ORDER)

# state (None: nothing recorded yet) -> the event kinds allowed next
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"requested"}),
    "requested": frozenset({"submitted"}),
    "submitted": frozenset({"cleared", "partly_cleared", "denied"}),
    "cleared": frozenset({"dispatched"}),
    "partly_cleared": frozenset({"dispatched"}),
    "denied": frozenset(),
    "dispatched": frozenset({"at_crossing", "inspected", "crossed", "turned_back"}),
    "at_crossing": frozenset({"inspected", "crossed", "turned_back"}),
    "inspected": frozenset({"crossed", "turned_back"}),
    "crossed": frozenset({"received"}),
    "turned_back": frozenset(),
    "received": frozenset({"distributed"}),
    "distributed": frozenset(),
}
TERMINAL = frozenset(state for state, nexts in TRANSITIONS.items() if state and not nexts)

# Why clearance was denied (kind `denied`, or the part refused of `partly_cleared`).
DENIAL_REASONS: tuple[str, ...] = (
    "dual_use",  # an item is on the dual-use list
    "security",  # a security reason was given, no more
    "documentation",  # papers missing or inconsistent
    "no_reason_given",
    "other",
)
# Why items were rejected at inspection (kinds `crossed` with some items left behind, and
# `turned_back`).
REJECTION_REASONS: tuple[str, ...] = (
    "dual_use",
    "packaging",  # packaging or palletisation not as required
    "labelling",
    "expired",
    "damaged",
    "crossing_closed",  # the crossing closed before the trucks were inspected
    "security",
    "no_reason_given",
    "other",
)
# Kinds that must give at least one reason.
NEEDS_REASON = frozenset({"denied", "partly_cleared", "turned_back"})
# Kinds that may list rejected items.
MAY_REJECT = frozenset({"crossed", "turned_back"})


@dataclass(frozen=True)
class Step:
    """An event as the rules see it: its kind and when it happened (aware, UTC)."""

    kind: str
    occurred_at: datetime


@dataclass(frozen=True)
class Placement:
    """Where an accepted event goes: the state it leads to now (the state after the last
    event in time order), and whether it arrived out of order."""

    state: str
    out_of_order: bool


class Refused(ValueError):
    """The event cannot be recorded. `reason` is a stable code ("unknown_kind",
    "not_allowed", "does_not_fit"); `state` the state it would follow and `next_kind` the
    event after it in time (for "does_not_fit")."""

    def __init__(
        self, reason: str, *, kind: str, state: str | None, next_kind: str | None = None
    ) -> None:
        super().__init__(f"{reason}: {kind} after {state} (before {next_kind})")
        self.reason = reason
        self.kind = kind
        self.state = state
        self.next_kind = next_kind


def allowed(state: str | None, kind: str) -> bool:
    return kind in TRANSITIONS.get(state, frozenset())


def state_after(history: Sequence[Step]) -> str | None:
    """The state after `history` (in time order), or None before any event."""
    return history[-1].kind if history else None


def _in_time_order(history: Sequence[Step]) -> list[Step]:
    # sorted() is stable: events of the same time keep their recorded order.
    return sorted(history, key=lambda step: step.occurred_at)


def place(history: Sequence[Step], new: Step) -> Placement:
    """Check `new` against the events already recorded (`history`, in recorded order);
    raise `Refused` or say where it goes. See the module docstring for the rule."""
    if new.kind not in KINDS:
        raise Refused("unknown_kind", kind=new.kind, state=None)
    ordered = _in_time_order(history)
    late = bool(ordered) and new.occurred_at < ordered[-1].occurred_at
    if not late:
        state = state_after(ordered)
        if not allowed(state, new.kind):
            raise Refused("not_allowed", kind=new.kind, state=state)
        return Placement(state=new.kind, out_of_order=False)
    position = sum(1 for step in ordered if step.occurred_at <= new.occurred_at)
    before = ordered[position - 1].kind if position else None
    after = ordered[position].kind
    if not allowed(before, new.kind) or not allowed(new.kind, after):
        raise Refused("does_not_fit", kind=new.kind, state=before, next_kind=after)
    return Placement(state=ordered[-1].kind, out_of_order=True)
