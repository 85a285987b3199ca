"""`materials.replay.MaterialsBook`: the construction materials' stock rebuilt from the log
alone. Hand-written entries name each broken rule; entries written by the real services
replay clean and give the reconciliation the API serves as of the same log size."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from materials_factories import Setup, build, entries, move, photo

from amanah.materials.replay import MOVES, MaterialsBook, served_figures

W, V = "w-1", "v-1"


def _entry(log_kind: str, **data: Any) -> dict[str, Any]:
    return {"type": f"amanah.{log_kind}.v1", "data": data}


def _movement(number: int, kind: str, quantity: str, **extra: Any) -> dict[str, Any]:
    data = {
        "movement": f"m-{number}", "kind": kind, "material": "cement", "unit": "t",
        "quantity": quantity, "warehouse": W, "governorate": "PS0265", "vendor": V,
        "project": "GZ-HOU-0001", "on": "2026-01-20", "evidence": [],
    }  # fmt: skip
    return _entry("materials.movement_recorded", **{**data, **extra})


def _book(*entries: dict[str, Any]) -> MaterialsBook:
    """A project, a warehouse, cement and a vendor (entries 0-3), then `entries` from 4."""
    log = [
        _entry("project.registered", project="p-1", code="GZ-HOU-0001", sector="housing"),
        _entry("access.warehouse_added", warehouse=W, governorate="PS0265"),
        _entry("materials.type_added", material="cement", name_en="C", name_ar="إ", unit="t"),
        _entry("materials.vendor_added", vendor=V, name="Supplies", organisation=None),
        *entries,
    ]
    book = MaterialsBook()
    for index, value in enumerate(log):
        book.entry(index, value)
    return book


def _codes(book: MaterialsBook) -> list[tuple[int, str]]:
    return [(v.index, v.code) for v in book.violations]


def test_a_lawful_flow_reconciles() -> None:
    book = _book(
        _movement(1, "received", "50", project=None),
        _movement(2, "allocated", "45"),
        _movement(3, "released", "42"),
        _movement(4, "used", "40"),
        _movement(5, "lost", "1", project=None),
    )

    assert book.violations == []
    line = book.figures()["reconciliation"]["GZ-HOU-0001 v-1 cement"]
    assert line == {
        "received": "45", "used": "40", "in_stock": "3", "returned": "0", "lost": "0",
        "unaccounted": False, "unit": "t", "vendor_name": "Supplies",
    }  # fmt: skip
    assert book.with_contractor(("GZ-HOU-0001", V, "cement")) == Decimal(2)
    assert book.figures()["movements"]["- v-1 cement lost"] == "1"


def test_stock_that_would_go_below_zero_is_named_and_refused() -> None:
    book = _book(
        _movement(1, "received", "10", project=None),
        _movement(2, "allocated", "12"),  # only 10 in stock
        _movement(3, "allocated", "10"),
    )

    assert _codes(book) == [(5, "negative_stock")]
    assert "out of stock" in book.violations[0].message
    assert "which holds 10" in book.violations[0].message
    # The refused movement moved nothing: the next one, lawful, still finds 10.
    assert book.figures()["reconciliation"]["GZ-HOU-0001 v-1 cement"]["in_stock"] == "10"


def test_movements_name_what_was_logged_before() -> None:
    book = _book(
        _movement(1, "received", "10", project=None, material="sand"),
        _movement(2, "received", "10", project=None, vendor="v-9"),
        _movement(3, "received", "10", project=None, unit="kg"),
        _movement(4, "allocated", "1", project="GZ-NOPE-0001"),
        _movement(5, "received", "10"),  # a receipt is for no project
        _movement(6, "verified", "1", project="GZ-HOU-0001"),
    )

    assert _codes(book) == [
        (4, "unknown_reference"),
        (5, "unknown_reference"),
        (6, "unit_mismatch"),
        (7, "unknown_reference"),
        (8, "invalid_movement"),
        (9, "missing_evidence"),
    ]


def _flag(flag: str, **totals: str) -> dict[str, Any]:
    stated = {"received": "0", "used": "0", "in_stock": "0", "returned": "0", "lost": "0"}
    return _entry(
        "materials.flag_raised", flag=flag, project="GZ-HOU-0001", vendor=V, material="cement",
        unit="t", tolerance="0.02", after_movement="m-1", **{**stated, **totals}, gap="0",
    )  # fmt: skip


def test_a_flag_is_resolved_only_after_it_was_raised() -> None:
    evidence = [{"sha256": "5" * 64}]
    book = _book(
        _movement(1, "received", "10", project=None),
        _entry("materials.flag_resolved", flag="f-1", evidence=evidence),
        _flag("f-1"),
        _flag("f-2"),  # f-1 is still open
        _entry("materials.flag_resolved", flag="f-1", evidence=[]),
        _entry("materials.flag_resolved", flag="f-1", evidence=evidence),
        _entry("materials.flag_resolved", flag="f-1", evidence=evidence),
        _flag("f-3", received="7"),
    )

    assert _codes(book) == [
        (5, "unknown_reference"),
        (7, "flag_already_open"),
        (8, "missing_evidence"),
        (10, "duplicate"),
        (11, "flag_totals_mismatch"),
    ]
    assert "received 7 (the log gives 0)" in book.violations[-1].message
    assert book.figures()["reconciliation"] == {}  # no movement for a project yet


def test_the_state_model_is_the_services() -> None:
    from amanah.materials import services

    tables = ((True, services._WITH_PROJECT), (False, services._WITHOUT_PROJECT))
    theirs = {
        (str(kind), with_project): (source and str(source), sink and str(sink))
        for with_project, table in tables
        for kind, (source, sink) in table.items()
    }
    assert theirs == MOVES


@pytest.mark.django_db
def test_the_services_log_replays_to_the_reconciliation_the_api_serves(
    var_dir: Path, settings: Any
) -> None:
    from amanah.materials.selectors import lines_as_of, log_size_now, movement_totals

    settings.AMANAH_MATERIALS_ON_SITE_DAYS = 0  # the flag is raised at once
    s: Setup = build()
    move(s, "received", "50")
    move(s, "allocated", "45")
    move(s, "released", "42")
    move(s, "used", "30")  # 12 t unaccounted: a flag
    move(s, "verified", "20", evidence=[photo()])
    move(s, "lost", "2", project=None)
    log = entries()

    book = MaterialsBook()
    for index, value in enumerate(log):
        book.entry(index, value)

    assert book.violations == []
    size = log_size_now()
    served = served_figures(
        {"lines": [_line(line) for line in lines_as_of(log_size=size)]},
        {"totals": movement_totals(log_size=size)},
        size,
    )
    assert book.figures() == served
    line = book.figures()["reconciliation"][f"GZ-HOU-0001 {s.vendor.id} cement"]
    assert (line["used"], line["in_stock"], line["unaccounted"]) == ("30", "3", True)


def _line(line: Any) -> dict[str, Any]:
    return {
        "project": line.project.code,
        "vendor": line.vendor.id,
        "vendor_name": line.vendor.name,
        "material": line.material.code,
        "unit": line.material.unit,
        **{name: getattr(line.totals, name) for name in ("received", "used", "in_stock")},
        **{name: getattr(line.totals, name) for name in ("returned", "lost")},
        "unaccounted": line.open_flag is not None,
    }
