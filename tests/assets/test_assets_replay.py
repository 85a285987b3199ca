"""`assets.replay.AssetsBook`: the damage table rebuilt from the log alone. Entries written
by the real services replay clean and give the table the server computes as of the same log
size; hand-written entries name each broken rule."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from assets_factories import DAY, GAZA, Setup, build

from amanah.assets import services
from amanah.assets.replay import FIELDS, AssetsBook, assets_kinds, served_figures
from amanah.assets.selectors import damage_by_governorate
from amanah.ledger.models import LogEntry
from amanah.reference.geography import governorates

AT = "2026-03-02T10:00:00Z"
SCHOOL, RAFAH = "a-school", "PS0275"


def _entry(log_kind: str, at: str = AT, **data: Any) -> dict[str, Any]:
    return {"type": f"amanah.{log_kind}.v1", "at": at, "data": data}


def _registered(asset: str, code: str, **extra: Any) -> dict[str, Any]:
    data = {
        "asset": asset, "code": code, "name_en": "A school", "name_ar": "مدرسة",
        "kind": "school", "governorate": GAZA, "owner": None, "project": None,
    }  # fmt: skip
    return _entry("asset.registered", **{**data, **extra})


def _assessed(condition: str, **extra: Any) -> dict[str, Any]:
    data = {
        "asset": SCHOOL, "code": "AS-1", "assessed_on": "2026-03-01", "condition": condition,
        "method": "remote", "source": "UNOSAT imagery",
    }  # fmt: skip
    return _entry("asset.assessed", **{**data, **extra})


def _book(*log: dict[str, Any]) -> AssetsBook:
    """A project in Gaza City and a school there (entries 0-1), then `log` from 2."""
    book = AssetsBook()
    start = [
        _entry("project.registered", project="p-1", code="GZ-EDU-0001", governorate=GAZA),
        _registered(SCHOOL, "AS-1"),
    ]
    for index, value in enumerate([*start, *log]):
        book.entry(index, value)
    return book


def _codes(book: AssetsBook) -> list[tuple[int, str]]:
    return [(v.index, v.code) for v in book.violations]


def _served(log_size: int | None = None) -> dict[str, Any]:
    """What the damage API serves, built from the server's selector."""
    table = damage_by_governorate(log_size=log_size)
    return {
        "log_size": log_size,
        "governorates": [
            {"governorate": pcode, **line.as_dict()} for pcode, line in table.by_governorate.items()
        ],
        "total": table.total.as_dict(),
    }


def test_the_book_reads_the_assets_kinds_and_the_projects() -> None:
    assert assets_kinds() == {
        "project.registered", "asset.registered", "asset.assessed", "asset.linked"
    }  # fmt: skip


def test_a_lawful_history_is_tallied_with_the_servers_rules() -> None:
    book = _book(
        _assessed("severe", assessed_on="2026-01-10"),
        _assessed("restored", assessed_on="2026-02-10", method="site"),
        _assessed("moderate", assessed_on="2026-03-01"),  # damaged again
        _assessed("destroyed", assessed_on="2025-12-01"),  # older, recorded late
        _registered("a-well", "AS-2", kind="water", governorate=RAFAH),
        _entry("asset.linked", asset=SCHOOL, code="AS-1", project="GZ-EDU-0001"),
        _entry("asset.linked", asset=SCHOOL, code="AS-1", project=None),
    )

    assert book.violations == []
    figures = book.figures()
    assert figures["log_size"] == 9
    assert list(figures["governorates"]) == [g.pcode for g in governorates()]
    gaza, rafah = figures["governorates"][GAZA], figures["governorates"][RAFAH]
    assert [gaza[name] for name in ("moderate", "damaged", "damaged_again", "assets")] == [1] * 4
    assert (rafah["not_assessed"], rafah["assets"]) == (1, 1)
    assert figures["total"] == {
        "destroyed": 0, "severe": 0, "moderate": 1, "possible": 0, "undamaged": 0,
        "restored": 0, "not_assessed": 1, "damaged": 1, "damaged_again": 1, "assets": 2,
    }  # fmt: skip
    assert tuple(figures["total"]) == FIELDS


def test_forged_entries_are_each_named_and_change_no_figure() -> None:
    book = _book(
        _assessed("severe", asset="a-ghost", code="AS-9"),  # 2: never registered
        _registered("a-other", "as-1"),  # 3: the school's code, in other letters
        _assessed("restored", method="remote"),  # 4: only a site visit finds it restored
        _entry("asset.linked", asset=SCHOOL, code="AS-1", project="GZ-NONE-0001"),  # 5
        _assessed("moderate", assessed_on="2026-03-04"),  # 6: two days after it was logged
        _assessed("moderate", assessed_on="2026-02-30"),  # 7: no such day
        _assessed("ruined"),  # 8: not on the scale
        _registered(SCHOOL, "AS-3"),  # 9: the same asset again
        _registered("a-road", "AS-4", kind="castle"),  # 10
        _registered("a-road", "AS-4", governorate="PS9999"),  # 11
        _assessed("severe", code="AS-2"),  # 12: the school is AS-1
        _assessed("moderate", assessed_on="2026-03-03"),  # 13: the day after, allowed
        _registered("a-clinic", "AS-5", governorate=RAFAH, project="GZ-EDU-0001"),  # 14
        _entry("asset.linked", asset=SCHOOL, code="AS-1"),  # 15: says nothing of a project
    )

    assert _codes(book) == [
        (2, "unknown_reference"),
        (3, "duplicate"),
        (4, "restored_not_on_site"),
        (5, "unknown_reference"),
        (6, "future_date"),
        (7, "malformed_entry"),
        (8, "invalid_value"),
        (9, "duplicate"),
        (10, "invalid_value"),
        (11, "invalid_value"),
        (12, "unknown_reference"),
        (14, "project_elsewhere"),
        (15, "malformed_entry"),
    ]
    messages = [v.message for v in book.violations]
    assert "asset a-ghost (AS-9) was never registered" in messages[0]
    assert "code as-1 was registered before" in messages[1]
    assert "only a site visit" in messages[2]
    assert "project GZ-NONE-0001 was never registered" in messages[3]
    assert "logged on 2026-03-02" in messages[4]
    assert "works in PS0260, not in PS0275" in messages[11]
    # Only the lawful assessment counts; the refused ones changed nothing.
    total = book.figures()["total"]
    assert (total["moderate"], total["assets"], total["restored"]) == (1, 1, 0)


def test_a_malformed_entry_is_named_not_fatal() -> None:
    book = AssetsBook()
    book.entry(0, {"type": "amanah.asset.registered.v1", "data": "nonsense"})
    book.entry(1, {"type": "amanah.asset.assessed.v1", "data": {}})
    book.entry(2, {"type": "amanah.organisation.registered.v1", "data": {}})
    book.entry(3, {})

    assert _codes(book) == [(0, "malformed_entry"), (1, "malformed_entry")]
    assert book.size == 4


def _replay(log_size: int | None = None) -> AssetsBook:
    """The book fed the log's entries, all or the first `log_size`."""
    book = AssetsBook()
    rows = LogEntry.objects.order_by("index")
    if log_size is not None:
        rows = rows.filter(index__lt=log_size)
    for row in rows:
        book.entry(row.index, json.loads(bytes(row.entry)))
    return book


@pytest.mark.django_db
def test_the_services_log_replays_to_the_table_the_server_computes() -> None:
    s: Setup = build()
    school = s.school
    remote = {"method": "remote", "source": "UNOSAT imagery", "actor": s.secretariat}
    site = {"method": "site", "source": "Site visit", "actor": s.monitor}
    later = DAY + datetime.timedelta(days=30)
    services.asset_assess(asset=school, assessed_on=DAY, condition="severe", **remote)
    services.asset_link(asset=school, project=s.project, actor=s.secretariat)
    services.asset_assess(asset=school, assessed_on=later, condition="restored", **site)
    before_the_strike = LogEntry.objects.count()
    services.asset_assess(
        asset=school, assessed_on=later + datetime.timedelta(days=9), condition="destroyed",
        **remote,
    )  # fmt: skip
    well = services.asset_register(
        code="AS-RAF-WAT-0001", name_ar="بئر مياه", kind="water", governorate=RAFAH,
        actor=s.secretariat,
    )  # fmt: skip
    services.asset_register(
        code="AS-RAF-HOU-0001", name_en="Residential block 3, Rafah", kind="housing",
        governorate=RAFAH, actor=s.monitor,
    )  # fmt: skip
    services.asset_assess(asset=well, assessed_on=DAY, condition="possible", **site)

    book = _replay()

    assert book.violations == []
    size = LogEntry.objects.count()
    assert book.figures() == served_figures(_served(size), size)
    total = book.figures()["total"]
    assert (total["destroyed"], total["possible"], total["not_assessed"]) == (1, 1, 1)
    assert (total["damaged_again"], total["assets"]) == (1, 3)
    # As of an earlier log size, too: then the school stood restored.
    earlier = _replay(before_the_strike)
    assert earlier.figures() == served_figures(_served(before_the_strike), before_the_strike)
    gaza = earlier.figures()["governorates"][GAZA]
    assert (gaza["restored"], gaza["damaged_again"]) == (1, 0)
