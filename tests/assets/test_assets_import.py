"""Importing assessments from CSV: every row or none; each wrong row named by line and
column; HXL hashtags, a byte order mark and Arabic text understood; roles; the note never in
the log."""

from __future__ import annotations

import pytest
from assets_factories import GAZA, build, entries

from amanah.accounts.roles import RoleRequired
from amanah.assets import services
from amanah.assets.imports import ImportInvalid, RowError, assessments_import
from amanah.assets.models import Assessment, Asset
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

GOOD = """code,assessed_on,condition,method,source,note
AS-GZA-SCH-0001,2025-10-11,destroyed,remote,UNOSAT CE20231010PSE,The caretaker let us in
AS-GZA-CLN-0002,2025-10-11,severe,remote,UNOSAT CE20231010PSE,
AS-GZA-SCH-0001,2026-03-02,severe,site,Site visit by the monitoring team,
"""


def _clinic(s) -> Asset:  # type: ignore[no-untyped-def]
    return services.asset_register(
        code="AS-GZA-CLN-0002",
        name_en="Al-Shifa outpatient clinic",
        kind="health",
        governorate=GAZA,
        actor=s.secretariat,
    )


def _problems(raised: pytest.ExceptionInfo[ImportInvalid]) -> list[tuple[int, str]]:
    return [(error.line, error.column) for error in raised.value.errors]


def test_a_good_file_records_every_row_in_order() -> None:
    s = build()
    _clinic(s)

    recorded = assessments_import(GOOD, actor=s.secretariat)

    assert [(a.asset.code, a.condition) for a in recorded] == [
        ("AS-GZA-SCH-0001", "destroyed"),
        ("AS-GZA-CLN-0002", "severe"),
        ("AS-GZA-SCH-0001", "severe"),
    ]
    assert [e["data"]["condition"] for e in entries("asset.assessed")] == [
        "destroyed",
        "severe",
        "severe",
    ]
    assert [a.log_index for a in recorded] == sorted(a.log_index for a in recorded)
    s.school.refresh_from_db()
    assert (s.school.condition, str(s.school.condition_on)) == ("severe", "2026-03-02")
    # The note is kept, privately: only a commitment to it reaches the log.
    assert Assessment.objects.get(log_index=recorded[0].log_index).note == "The caretaker let us in"
    raw = b"".join(bytes(row.entry) for row in LogEntry.objects.all())
    assert b"caretaker" not in raw
    assert entries("asset.assessed")[0]["private_commitment"]


def test_one_bad_row_writes_nothing_and_every_problem_is_named() -> None:
    s = build()
    _clinic(s)
    before = LogEntry.objects.count()
    text = (
        GOOD
        + "AS-NOWHERE-9,2025-10-11,destroyed,remote,UNOSAT,\n"  # line 5: unknown code
        + "AS-GZA-CLN-0002,2025-10-11,flattened,remote,UNOSAT,\n"  # line 6: bad condition
        + "AS-GZA-CLN-0002,2099-01-01,moderate,remote,UNOSAT,\n"  # line 7: in the future
        + "AS-GZA-CLN-0002,2025-12-01,restored,remote,UNOSAT,\n"  # line 8: restored, remote
        # line 9: no source, and with it every other problem of the row
        + "AS-GZA-CLN-0002,11/10/2025,moderate,drone,,\n"
    )

    with pytest.raises(ImportInvalid) as raised:
        assessments_import(text, actor=s.monitor)

    assert raised.value.errors == [
        RowError(5, "code", "There is no such asset."),
        RowError(
            6,
            "condition",
            "Choose one of: destroyed, severe, moderate, possible, undamaged, restored.",
        ),
        RowError(7, "assessed_on", "The date cannot be in the future."),
        RowError(8, "method", "Only a site visit can find an asset restored."),
        RowError(9, "assessed_on", "Give the date as YYYY-MM-DD."),
        RowError(9, "method", "Choose one of: remote, site, report."),
        RowError(9, "source", "This value is required."),
    ]
    assert LogEntry.objects.count() == before
    assert not Assessment.objects.exists()
    s.school.refresh_from_db()
    assert s.school.condition == ""


def test_each_field_of_a_row_is_named() -> None:
    s = build()
    text = "code,assessed_on,condition,method,source\nAS-GZA-SCH-0001,11/10/2025,moderate,drone,X\n"

    with pytest.raises(ImportInvalid) as raised:
        assessments_import(text, actor=s.secretariat)

    assert _problems(raised) == [(2, "assessed_on"), (2, "method")]
    assert raised.value.problems() == {
        "line 2: assessed_on": "Give the date as YYYY-MM-DD.",
        "line 2: method": "Choose one of: remote, site, report.",
    }


def test_the_secretariat_may_not_find_an_asset_restored() -> None:
    s = build()
    text = "code,assessed_on,condition,method,source\nAS-GZA-SCH-0001,2026-03-02,restored,site,X\n"

    with pytest.raises(ImportInvalid) as raised:
        assessments_import(text, actor=s.secretariat)

    assert _problems(raised) == [(2, "condition")]
    assert assessments_import(text, actor=s.monitor)[0].condition == "restored"


def test_a_header_without_a_required_column_is_refused() -> None:
    s = build()
    text = "code,assessed_on,condition,source\nAS-GZA-SCH-0001,2025-10-11,destroyed,UNOSAT\n"

    with pytest.raises(ImportInvalid) as raised:
        assessments_import(text, actor=s.secretariat)

    assert raised.value.errors == [RowError(1, "method", "The header has no method column.")]
    assert not Assessment.objects.exists()


def test_an_hxl_hashtag_row_names_the_columns_whatever_the_header_says() -> None:
    s = build()
    text = (
        "Facility,Date of assessment,Damage,How,Source,Comment\n"
        "#loc+code,#date+assessed,#status+condition,#x_method,#meta+source,#description\n"
        "AS-GZA-SCH-0001,2025-10-11,moderate,remote,UNOSAT,Roof partly collapsed\n"
    )

    (recorded,) = assessments_import(text, actor=s.secretariat)

    assert (recorded.condition, recorded.method, recorded.source) == (
        "moderate",
        "remote",
        "UNOSAT",
    )
    assert recorded.note == "Roof partly collapsed"


def test_a_file_with_a_byte_order_mark_and_arabic_text() -> None:
    s = build()
    source = "وزارة الأشغال العامة والإسكان، مسح ميداني"
    body = (
        "code,assessed_on,condition,method,source\r\n"
        f"AS-GZA-SCH-0001,2025-10-11,destroyed,report,{source}\r\n"
    ).encode("utf-8-sig")

    (recorded,) = assessments_import(body.decode("utf-8"), actor=s.secretariat)

    assert recorded.source == source
    assert recorded.asset_id == s.school.id
    assert entries("asset.assessed")[0]["data"]["source"] == source


@pytest.mark.parametrize("who", ["partner", "auditor"])
def test_only_the_secretariat_and_monitors_import(who: str) -> None:
    s = build()
    before = LogEntry.objects.count()

    with pytest.raises(RoleRequired):
        assessments_import(GOOD, actor=getattr(s, who))

    assert LogEntry.objects.count() == before
