"""Assets services: registering, assessing, linking; every field's problem named; roles;
the point and the note never in the log."""

from __future__ import annotations

import datetime

import pytest
from assets_factories import DAY, GAZA, POINT, build, entries
from django.core.exceptions import ValidationError
from django.utils import timezone

from amanah.accounts.roles import RoleRequired
from amanah.assets import services
from amanah.assets.models import Assessment, Asset
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


def _assess(s, condition: str, day: datetime.date = DAY, **extra):  # type: ignore[no-untyped-def]
    values = {"method": "remote", "source": "UNOSAT imagery", "actor": s.secretariat}
    values.update(extra)
    return services.asset_assess(asset=s.school, assessed_on=day, condition=condition, **values)


def test_registering_logs_the_public_fields_and_only_a_commitment_to_the_point() -> None:
    s = build()
    (entry,) = entries("asset.registered")
    assert entry["data"] == {
        "asset": str(s.school.id),
        "code": "AS-GZA-SCH-0001",
        "name_en": "Al-Zaytoun boys' school",
        "name_ar": "مدرسة الزيتون للبنين",
        "kind": "school",
        "governorate": GAZA,
        "owner": "XI-DEMO-PS-MOE",
        "project": None,
    }
    assert entry["private_commitment"]
    raw = b"".join(bytes(row.entry) for row in LogEntry.objects.all())
    assert POINT[0].encode() not in raw
    assert b"31.5142" not in raw
    assert s.school.condition == ""
    assert s.school.condition_on is None


def test_every_bad_field_is_named_at_once_and_nothing_is_written() -> None:
    s = build()
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        services.asset_register(
            code="AS-GZA-SCH-0001",
            kind="castle",
            governorate="PS9999",
            owner="XI-NOBODY",
            project="GZ-NONE",
            latitude="31.5",
            actor=s.secretariat,
        )
    assert set(raised.value.message_dict) == {
        "code",
        "name_en",
        "kind",
        "governorate",
        "owner",
        "project",
        "longitude",
    }
    assert LogEntry.objects.count() == before
    assert Asset.objects.count() == 1


def test_a_point_outside_the_governorate_is_refused() -> None:
    s = build()
    with pytest.raises(ValidationError) as raised:
        services.asset_register(
            code="AS-RAF-1",
            name_en="Clinic",
            kind="health",
            governorate="PS0275",  # Rafah; the point is in Gaza City
            latitude=POINT[0],
            longitude=POINT[1],
            actor=s.secretariat,
        )
    assert raised.value.error_dict["latitude"][0].code == "outside"


def test_the_latest_assessment_by_day_sets_the_condition_and_a_late_old_one_does_not() -> None:
    s = build()
    _assess(s, "destroyed", DAY)
    _assess(s, "severe", DAY - datetime.timedelta(days=30))  # an older survey, logged late
    s.school.refresh_from_db()
    assert (s.school.condition, s.school.condition_on) == ("destroyed", DAY)
    later = DAY + datetime.timedelta(days=200)
    _assess(s, "restored", later, method="site", source="Site visit", actor=s.monitor)
    s.school.refresh_from_db()
    assert (s.school.condition, s.school.condition_on) == ("restored", later)
    assert Assessment.objects.filter(asset=s.school).count() == 3
    assert [e["data"]["condition"] for e in entries("asset.assessed")] == [
        "destroyed",
        "severe",
        "restored",
    ]


def test_only_a_monitors_site_visit_finds_an_asset_restored() -> None:
    s = build()
    with pytest.raises(ValidationError) as raised:
        _assess(s, "restored")  # the secretariat, from imagery
    assert set(raised.value.message_dict) == {"method", "condition"}
    with pytest.raises(ValidationError) as raised:
        _assess(s, "restored", actor=s.monitor)
    assert set(raised.value.message_dict) == {"method"}
    assert not Assessment.objects.exists()


def test_the_note_is_private_and_the_date_may_not_be_in_the_future() -> None:
    s = build()
    _assess(s, "moderate", note="The caretaker, Mr Example, let us in")
    raw = b"".join(bytes(row.entry) for row in LogEntry.objects.all())
    assert b"Example" not in raw
    (entry,) = entries("asset.assessed")
    assert entry["private_commitment"]
    with pytest.raises(ValidationError) as raised:
        _assess(s, "moderate", timezone.localdate() + datetime.timedelta(days=5))
    assert raised.value.error_dict["assessed_on"][0].code == "future"


def test_roles() -> None:
    s = build()
    for user in (s.partner, s.auditor):
        with pytest.raises(RoleRequired):
            _assess(s, "destroyed", actor=user)
        with pytest.raises(RoleRequired):
            services.asset_register(
                code="AS-X-1", name_en="X", kind="road", governorate=GAZA, actor=user
            )
    with pytest.raises(RoleRequired):
        services.asset_link(asset=s.school, project=s.project, actor=s.monitor)


def test_linking_a_project_in_another_governorate_is_refused() -> None:
    s = build()
    services.asset_link(asset=s.school.code, project="GZ-EDU-0001", actor=s.secretariat)
    s.school.refresh_from_db()
    assert s.school.project == s.project
    (entry,) = entries("asset.linked")
    assert entry["data"]["project"] == "GZ-EDU-0001"
    road = services.asset_register(
        code="AS-RAF-ROAD-1",
        name_en="Salah al-Din road, Rafah section",
        kind="road",
        governorate="PS0275",
        actor=s.secretariat,
    )
    with pytest.raises(ValidationError) as raised:
        services.asset_link(asset=road, project="GZ-EDU-0001", actor=s.secretariat)
    assert raised.value.error_dict["project"][0].code == "elsewhere"
    with pytest.raises(ValidationError) as raised:
        services.asset_link(asset=s.school, project="GZ-EDU-0001", actor=s.secretariat)
    assert raised.value.error_dict["project"][0].code == "unchanged"


def test_the_same_assessment_twice_is_refused_and_reserved_codes_too() -> None:
    s = build()
    _assess(s, "severe")
    with pytest.raises(ValidationError) as raised:
        _assess(s, "severe")
    assert raised.value.error_dict["assessed_on"][0].code == "duplicate"
    _assess(s, "severe", source="Another survey")
    with pytest.raises(ValidationError) as raised:
        services.asset_register(
            code="import", name_en="X", kind="road", governorate=GAZA, actor=s.secretariat
        )
    assert raised.value.error_dict["code"][0].code == "reserved"


def test_the_future_grace_is_one_day_on_the_logs_clock_as_the_replay_has_it() -> None:
    s = build()
    today = datetime.datetime.now(datetime.UTC).date()
    _assess(s, "severe", today + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as raised:
        _assess(s, "moderate", today + datetime.timedelta(days=2))
    assert raised.value.error_dict["assessed_on"][0].code == "future"


@pytest.mark.parametrize("spelled", ["20260101", "2026-W01-1", "2026-1-5", "1/5/2026"])
def test_a_date_is_only_yyyy_mm_dd(spelled: str) -> None:
    s = build()
    with pytest.raises(ValidationError) as raised:
        _assess(s, "severe", spelled)  # type: ignore[arg-type]
    assert raised.value.error_dict["assessed_on"][0].code == "date"


def test_codes_are_one_whatever_their_case() -> None:
    s = build()
    with pytest.raises(ValidationError) as raised:
        services.asset_register(
            code="as-gza-sch-0001", name_en="X", kind="school", governorate=GAZA, actor=s.monitor
        )
    assert raised.value.error_dict["code"][0].code == "duplicate"
    assessment = services.asset_assess(
        asset="as-gza-sch-0001",
        assessed_on=DAY,
        condition="severe",
        method="remote",
        source="UNOSAT",
        actor=s.secretariat,
    )
    assert assessment.asset == s.school


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("latitude", "1e9999999", "coordinate"),
        ("name_en", "a\x00b", "characters"),
        ("name_en", "\ud800", "characters"),
    ],
)
def test_input_that_cannot_be_stored_is_named_not_a_crash(
    field: str, value: str, code: str
) -> None:
    s = build()
    values = {"code": "AS-X-1", "name_en": "X", "kind": "road", "governorate": GAZA}
    values[field] = value
    if field == "latitude":
        values["longitude"] = "34.45"
    with pytest.raises(ValidationError) as raised:
        services.asset_register(actor=s.secretariat, **values)
    assert raised.value.error_dict[field][0].code == code
