"""The pure transition table: every allowed and every refused step, and late events."""

from __future__ import annotations

import datetime
import itertools

import pytest

from amanah.access import lifecycle
from amanah.access.lifecycle import ORDER, TRANSITIONS, Refused, Step, place

T = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
ALLOWED = {
    (None, "requested"),
    ("requested", "submitted"),
    ("submitted", "cleared"),
    ("submitted", "partly_cleared"),
    ("submitted", "denied"),
    ("cleared", "dispatched"),
    ("partly_cleared", "dispatched"),
    ("dispatched", "at_crossing"),
    ("dispatched", "inspected"),
    ("dispatched", "crossed"),
    ("dispatched", "turned_back"),
    ("at_crossing", "inspected"),
    ("at_crossing", "crossed"),
    ("at_crossing", "turned_back"),
    ("inspected", "crossed"),
    ("inspected", "turned_back"),
    ("crossed", "received"),
    ("received", "distributed"),
}
# A shortest history leading to each state.
PATHS = {
    None: [],
    "requested": ["requested"],
    "submitted": ["requested", "submitted"],
    "cleared": ["requested", "submitted", "cleared"],
    "partly_cleared": ["requested", "submitted", "partly_cleared"],
    "denied": ["requested", "submitted", "denied"],
    "dispatched": ["requested", "submitted", "cleared", "dispatched"],
    "at_crossing": ["requested", "submitted", "cleared", "dispatched", "at_crossing"],
    "inspected": ["requested", "submitted", "cleared", "dispatched", "inspected"],
    "crossed": ["requested", "submitted", "cleared", "dispatched", "crossed"],
    "turned_back": ["requested", "submitted", "cleared", "dispatched", "turned_back"],
    "received": ["requested", "submitted", "cleared", "dispatched", "crossed", "received"],
    "distributed": [
        "requested",
        "submitted",
        "cleared",
        "dispatched",
        "crossed",
        "received",
        "distributed",
    ],
}


def _history(kinds: list[str]) -> list[Step]:
    return [Step(kind, T + datetime.timedelta(hours=n)) for n, kind in enumerate(kinds)]


def test_the_table_is_exactly_the_documented_one() -> None:
    table = {(state, kind) for state, kinds in TRANSITIONS.items() for kind in kinds}
    assert table == ALLOWED
    assert {"denied", "turned_back", "distributed"} == lifecycle.TERMINAL


@pytest.mark.parametrize(("state", "kind"), list(itertools.product([None, *ORDER], ORDER)))
def test_every_step_in_time_is_allowed_or_refused_by_the_table(
    state: str | None, kind: str
) -> None:
    history = _history(PATHS[state])
    new = Step(kind, T + datetime.timedelta(days=1))
    if (state, kind) in ALLOWED:
        assert place(history, new) == lifecycle.Placement(kind, out_of_order=False)
    else:
        with pytest.raises(Refused) as refused:
            place(history, new)
        assert refused.value.reason == "not_allowed"
        assert refused.value.state == state


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(Refused, match="unknown_kind"):
        place([], Step("teleported", T))


def test_a_late_inspection_between_dispatch_and_crossing_is_accepted_and_flagged() -> None:
    history = _history(["requested", "submitted", "cleared", "dispatched", "crossed"])
    late = Step("inspected", T + datetime.timedelta(hours=3, minutes=30))

    placement = place(history, late)

    assert placement == lifecycle.Placement("crossed", out_of_order=True)


def test_a_late_event_that_does_not_fit_its_neighbours_is_refused() -> None:
    history = _history(["requested", "submitted", "cleared", "dispatched", "crossed"])
    # between submitted (1h) and cleared (2h): submitted -> inspected is not a step
    with pytest.raises(Refused) as refused:
        place(history, Step("inspected", T + datetime.timedelta(hours=1, minutes=30)))
    assert refused.value.reason == "does_not_fit"
    assert (refused.value.state, refused.value.next_kind) == ("submitted", "cleared")


def test_a_late_event_before_the_first_is_refused() -> None:
    history = _history(["requested", "submitted"])
    with pytest.raises(Refused, match="does_not_fit"):
        place(history, Step("submitted", T - datetime.timedelta(hours=1)))


def test_a_second_late_report_of_the_same_step_does_not_fit() -> None:
    history = _history(["requested", "submitted", "cleared", "dispatched", "inspected", "crossed"])
    with pytest.raises(Refused, match="does_not_fit"):
        place(history, Step("inspected", T + datetime.timedelta(hours=4, minutes=30)))


def test_events_at_the_same_time_keep_their_recorded_order() -> None:
    history = _history(["requested"])
    same = Step("submitted", T)  # same time as requested: goes after it, not late
    assert place(history, same) == lifecycle.Placement("submitted", out_of_order=False)
