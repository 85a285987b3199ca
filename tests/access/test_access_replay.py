"""`access.replay.AccessBook`: the access programme rebuilt from the log alone. Hand-written
entries name each broken rule; entries written by the real services replay clean and give
the counts the API serves as of the same log size."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from amanah.access.replay import AccessBook, served_figures

sys.path.insert(0, str(Path(__file__).resolve().parent))

C, E1, E2, E3 = "c-1", "e-1", "e-2", "e-3"


def _entry(log_kind: str, **data: Any) -> dict[str, Any]:
    return {"type": f"amanah.{log_kind}.v1", "data": data}


def _published(
    event: str, recorded: int, kind: str, on: str, *, trucks: int | None = None, **extra: Any
) -> dict[str, Any]:
    return _entry(
        "access.event_published",
        event=event,
        recorded_index=recorded,
        consignment=C,
        kind=kind,
        on=on,
        reasons=extra.pop("reasons", []),
        rejected=extra.pop("rejected", []),
        trucks=trucks,
        out_of_order=extra.pop("out_of_order", False),
    )


def _book(*events: dict[str, Any]) -> AccessBook:
    """A crossing, a consignment of 4 trucks of food (published), three event commitments
    (entries 3, 4, 5), then `events` from entry 7 on."""
    log = [
        _entry("access.crossing_added", crossing="kerem_shalom", name_en="K", name_ar="ك"),
        _entry("access.crossing_day_set", crossing="kerem_shalom", date="2026-01-02", open=False),
        _entry("access.consignment_recorded", consignment=C),
        _entry("access.event_recorded", event=E1),
        _entry("access.event_recorded", event=E2),
        _entry("access.event_recorded", event=E3),
        _entry(
            "access.consignment_published",
            consignment=C,
            recorded_index=2,
            organisation="XM-DAC-41140",
            crossing="kerem_shalom",
            governorate="PS0265",
            trucks=4,
            items=[{"category": "food", "quantity": "100", "unit": "kg"}],
            on="2026-01-01",
        ),
        *events,
    ]
    book = AccessBook()
    for index, value in enumerate(log):
        book.entry(index, value)
    return book


def _codes(book: AccessBook) -> list[tuple[int, str]]:
    return [(v.index, v.code) for v in book.violations]


def test_a_lawful_history_replays_clean_and_is_counted() -> None:
    book = _book(
        _published(E1, 3, "submitted", "2026-01-01"),
        _published(E2, 4, "partly_cleared", "2026-01-03", trucks=3, reasons=["dual_use"]),
        _published(E3, 5, "dispatched", "2026-01-03"),
    )

    assert book.violations == []
    figures = book.figures()
    assert figures["log_size"] == 10
    assert figures["days"]["2026-01-01 kerem_shalom"]["trucks_requested"] == 4
    assert figures["days"]["2026-01-02 kerem_shalom"]["open"] is False
    third = figures["days"]["2026-01-03 kerem_shalom"]
    assert (third["trucks_cleared"], third["consignments_decided"]) == (3, 1)
    assert third["denial_rate"] == "0"
    assert figures["closed_days"] == {"kerem_shalom": 1}


def test_an_illegal_step_is_named_once() -> None:
    # Cleared straight after the request: "submitted" is missing.
    book = _book(
        _published(E1, 3, "cleared", "2026-01-02", trucks=4),
        _published(E2, 4, "dispatched", "2026-01-03"),
    )

    assert _codes(book) == [(7, "illegal_transition")]
    assert "cannot follow requested" in book.violations[0].message
    assert "submitted" in book.violations[0].message  # what could have come next


def test_nothing_follows_a_final_state() -> None:
    book = _book(
        _published(E1, 3, "submitted", "2026-01-01"),
        _published(E2, 4, "denied", "2026-01-02", reasons=["security"]),
        _published(E3, 5, "dispatched", "2026-01-03"),
    )

    assert _codes(book) == [(9, "illegal_transition")]
    assert "cannot follow denied" in book.violations[0].message


def test_a_late_event_fits_where_its_day_puts_it_only_if_flagged() -> None:
    history = (
        _published(E1, 3, "submitted", "2026-01-01"),
        _published(E2, 4, "cleared", "2026-01-03", trucks=4),
    )
    # Submitted again, flagged: it fits nowhere (nothing may follow "requested" but one).
    flagged = _book(*history[:1], _published(E2, 4, "submitted", "2026-01-01", out_of_order=True))
    assert _codes(flagged) == [(8, "illegal_transition")]
    # An event from before the last day, not flagged as late, is out of time order.
    unflagged = _book(*history, _published(E3, 5, "dispatched", "2026-01-02"))
    assert _codes(unflagged) == [(9, "out_of_time_order")]


def test_a_publication_must_name_its_own_commitment_once() -> None:
    book = _book(
        _published(E1, 4, "submitted", "2026-01-01"),  # entry 4 is E2's commitment
        _published(E2, 4, "submitted", "2026-01-01"),
        _published(E2, 4, "cleared", "2026-01-02", trucks=4),
    )

    assert _codes(book) == [(7, "unknown_commitment"), (9, "duplicate")]


def test_reasons_trucks_and_rejections_follow_the_kind() -> None:
    book = _book(
        _published(E1, 3, "submitted", "2026-01-01", reasons=["security"]),
        _published(E2, 4, "cleared", "2026-01-02", trucks=2),
        _published(
            E3, 5, "dispatched", "2026-01-03",
            rejected=[{"category": "fuel", "quantity": "5", "unit": "l", "reason": "expired"}],
        ),
    )  # fmt: skip

    assert _codes(book) == [(7, "invalid_reasons"), (8, "invalid_trucks"), (9, "invalid_rejection")]
    assert "a clearance clears all 4 trucks" in book.violations[1].message


def test_served_metrics_take_the_books_shape() -> None:
    served = {
        "until": "2026-01-03",
        "delay_hours": 24,
        "days": [
            {
                "date": "2026-01-03", "crossing": "zikim", "open": None, "trucks_requested": 0,
                "trucks_cleared": 3, "trucks_crossed": 0, "trucks_turned_back": 0,
                "consignments_decided": 2, "consignments_denied": 1, "denial_rate": "0.5000",
                "request_to_clearance_median_hours": "30.0",
            }
        ],
        "rejected": [
            {"date": "2026-01-03", "crossing": "zikim", "category": "fuel", "reason": "expired",
             "unit": "l", "rejections": 1, "quantity": "5.000"}
        ],
        "closed_days": {},
    }  # fmt: skip

    shaped = served_figures(served, 12)

    assert shaped["log_size"] == 12
    assert shaped["days"]["2026-01-03 zikim"]["denial_rate"] == "0.5"
    assert "request_to_clearance_median_hours" not in shaped["days"]["2026-01-03 zikim"]
    assert shaped["rejected"]["2026-01-03 zikim fuel expired l"] == {
        "rejections": 1,
        "quantity": "5",
    }


@pytest.mark.django_db
def test_the_services_log_replays_to_the_counts_the_api_serves(var_dir: Path) -> None:
    from access_factories import NOW, T0, build_access, consignment, entries, event, hours

    from amanah.access import services
    from amanah.access.selectors import access_metrics_as_of, log_size_now

    access = build_access()
    services.crossing_day_set(
        crossing="zikim", date="2026-01-04", open=False, actor=access.coordinator
    )
    first = consignment(access, "A")
    event(access, first, "submitted", T0 + hours(2))
    event(access, first, "cleared", T0 + hours(30))
    event(access, first, "dispatched", T0 + hours(40))
    event(access, first, "crossed", T0 + hours(48), rejected=[
        {"category": "food", "quantity": "1000", "unit": "kg", "reason": "damaged"}
    ])  # fmt: skip
    event(access, first, "inspected", T0 + hours(45))  # late, and fits before crossing
    second = consignment(access, "B", crossing=access.other, at=T0 + hours(5))
    event(access, second, "submitted", T0 + hours(6))
    event(access, second, "denied", T0 + hours(20), reasons=["dual_use"])
    services.access_publish_due(now=NOW)
    log = entries()

    book = AccessBook()
    for index, value in enumerate(log):
        book.entry(index, value)

    assert book.violations == []
    served = access_metrics_as_of(log_size=log_size_now())
    assert book.figures() == served_figures(served, log_size_now())
    assert book.figures()["rejected"] == {
        f"{(T0 + hours(48)).date()} kerem_shalom food damaged kg": {
            "rejections": 1,
            "quantity": "1000",
        }
    }
    # As of an earlier size, only what was logged before it counts.
    cut = next(i for i, e in enumerate(log) if e["type"] == "amanah.access.event_published.v1")
    early = AccessBook()
    for index, value in enumerate(log[:cut]):
        early.entry(index, value)
    assert early.figures() == served_figures(access_metrics_as_of(log_size=cut), cut)
