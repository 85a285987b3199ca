"""/api/v1/assets: the public register, an asset's history and the damage tally (no token,
never a point or a note); role-checked writes whose errors name the field; the CSV import;
the two public CSV downloads."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import pytest
from assets_factories import GAZA, LEAD, POINT, Setup, build
from django.http import HttpResponse
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_support import assert_no_personal_data_in, bearer
from openapi_check import checked

from amanah.accounts.models import User
from amanah.assets import services
from amanah.assets.imports import REQUIRED
from amanah.assets.models import Assessment, Asset
from amanah.ledger.models import SINGLETON, LogEntry, Sequencer

pytestmark = pytest.mark.django_db

API = "/api/v1/assets"
NOTE = "The caretaker, Mr Example, let us in"
PUBLIC = {
    "code",
    "name_en",
    "name_ar",
    "kind",
    "governorate",
    "owner",
    "project",
    "condition",
    "condition_on",
    "registered_index",
}
TALLY = {
    "destroyed",
    "severe",
    "moderate",
    "possible",
    "undamaged",
    "restored",
    "not_assessed",
    "damaged",
    "damaged_again",
    "assets",
}
NORTH_TO_SOUTH = ["PS0255", "PS0260", "PS0265", "PS0270", "PS0275"]
PRIVATE = (POINT[0], POINT[1], "31.5142", "34.4541", "latitude", "longitude", "Example")


@pytest.fixture
def s() -> Setup:
    return build()


def _post(client: Client, path: str, body: dict[str, Any], user: User | None) -> HttpResponse:
    headers = {} if user is None else bearer(user)
    response: HttpResponse = client.post(
        f"{API}{path}", body, content_type="application/json", headers=headers
    )
    return response


def _assess(s: Setup, condition: str, day: str, **extra: Any) -> Assessment:
    values: dict[str, Any] = {"method": "remote", "source": "UNOSAT", "actor": s.secretariat}
    values.update(extra)
    return services.asset_assess(asset=s.school, assessed_on=day, condition=condition, **values)


def _road(s: Setup, code: str = "AS-RAF-ROAD-1", governorate: str = "PS0275") -> Asset:
    name = "شارع صلاح الدين"
    return services.asset_register(
        code=code, name_ar=name, kind="road", governorate=governorate, actor=s.secretariat
    )


def _no_private(text: str) -> None:
    assert not [secret for secret in PRIVATE if secret in text], text[:500]


# --- reads --------------------------------------------------------------------------------


def test_the_register_is_public_filtered_and_paged(
    s: Setup, client: Client, django_assert_num_queries: Any
) -> None:
    _road(s)
    _road(s, "AS-NGZ-ROAD-2", "PS0255")
    _assess(s, "destroyed", "2025-10-11")

    with django_assert_num_queries(2):
        page = checked(client.get(API))

    assert page["total"] == 3
    assert (page["limit"], page["offset"]) == (100, 0)
    assert [row["code"] for row in page["assets"]] == [
        "AS-NGZ-ROAD-2",
        "AS-GZA-SCH-0001",
        "AS-RAF-ROAD-1",
    ]  # by governorate, north to south, then code
    school = page["assets"][1]
    assert set(school) == PUBLIC
    assert school == {
        "code": "AS-GZA-SCH-0001",
        "name_en": "Al-Zaytoun boys' school",
        "name_ar": "مدرسة الزيتون للبنين",
        "kind": "school",
        "governorate": GAZA,
        "owner": LEAD,
        "project": None,
        "condition": "destroyed",
        "condition_on": "2025-10-11",
        "registered_index": s.school.registered_index,
    }
    assert page["assets"][0]["condition"] is None
    roads = checked(client.get(API, {"kind": "road", "governorate": "PS0275"}))
    assert [row["code"] for row in roads["assets"]] == ["AS-RAF-ROAD-1"]
    never = checked(client.get(API, {"condition": "none"}))
    assert never["total"] == 2
    assert checked(client.get(API, {"condition": "destroyed"}))["total"] == 1
    second = checked(client.get(API, {"limit": 1, "offset": 1}))
    assert ([row["code"] for row in second["assets"]], second["total"]) == (["AS-GZA-SCH-0001"], 3)


def test_a_bad_filter_names_its_field(s: Setup, client: Client) -> None:
    response = client.get(API, {"kind": "castle", "governorate": "PS9999", "condition": "gone"})

    assert response.status_code == 422
    error = checked(response)
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"kind", "governorate", "condition"}
    assert "housing" in error["fields"]["kind"]
    assert set(checked(client.get(API, {"limit": 0}))["fields"]) == {"limit"}


def test_an_asset_with_its_assessments_latest_first(s: Setup, client: Client) -> None:
    first = _assess(s, "destroyed", "2025-10-11", note=NOTE)
    later = _assess(s, "severe", "2026-03-02", method="site", source="Site visit")
    old = _assess(s, "moderate", "2024-05-01")  # an older survey, logged late

    response = client.get(f"{API}/AS-GZA-SCH-0001")

    body = checked(response)
    assert set(body) == PUBLIC | {"assessments"}
    assert (body["condition"], body["condition_on"]) == ("severe", "2026-03-02")
    assert body["assessments"] == [
        {
            "assessed_on": "2026-03-02",
            "condition": "severe",
            "method": "site",
            "source": "Site visit",
            "log_index": later.log_index,
        },
        {
            "assessed_on": "2025-10-11",
            "condition": "destroyed",
            "method": "remote",
            "source": "UNOSAT",
            "log_index": first.log_index,
        },
        {
            "assessed_on": "2024-05-01",
            "condition": "moderate",
            "method": "remote",
            "source": "UNOSAT",
            "log_index": old.log_index,
        },
    ]
    _no_private(response.content.decode())
    missing = client.get(f"{API}/AS-NOWHERE-1")
    assert missing.status_code == 404
    assert checked(missing)["code"] == "not_found"


def test_the_damage_table_now_and_as_of_a_log_size(s: Setup, client: Client) -> None:
    _road(s)
    _assess(s, "destroyed", "2025-10-11")
    size_then = Sequencer.objects.get(id=SINGLETON).next_index
    _assess(s, "restored", "2026-06-01", method="site", source="Site visit", actor=s.monitor)
    _assess(s, "severe", "2026-09-01")  # destroyed again after being rebuilt
    size_now = Sequencer.objects.get(id=SINGLETON).next_index

    now = checked(client.get(f"{API}/damage"))

    assert now["log_size"] == size_now
    assert [line["governorate"] for line in now["governorates"]] == NORTH_TO_SOUTH
    assert all(set(line) == TALLY | {"governorate"} for line in now["governorates"])
    assert set(now["total"]) == TALLY
    gaza = now["governorates"][1]
    assert (gaza["severe"], gaza["damaged"], gaza["damaged_again"], gaza["assets"]) == (1, 1, 1, 1)
    rafah = now["governorates"][4]
    assert (rafah["not_assessed"], rafah["assets"]) == (1, 1)
    assert now["total"] == {
        "destroyed": 0,
        "severe": 1,
        "moderate": 0,
        "possible": 0,
        "undamaged": 0,
        "restored": 0,
        "not_assessed": 1,
        "damaged": 1,
        "damaged_again": 1,
        "assets": 2,
    }
    assert checked(client.get(f"{API}/damage", {"log_size": size_now})) == now

    then = checked(client.get(f"{API}/damage", {"log_size": size_then}))
    assert then["log_size"] == size_then
    assert (then["total"]["destroyed"], then["total"]["damaged_again"]) == (1, 0)
    start = checked(client.get(f"{API}/damage", {"log_size": 0}))
    assert start["total"]["assets"] == 0

    schools = checked(client.get(f"{API}/damage", {"kind": "school"}))
    assert (schools["total"]["assets"], schools["governorates"][4]["assets"]) == (1, 0)


def test_a_bad_log_size_or_kind_is_named(s: Setup, client: Client) -> None:
    size = Sequencer.objects.get(id=SINGLETON).next_index
    for query, field in (
        ({"log_size": size + 1}, "log_size"),
        ({"log_size": -1}, "log_size"),
        ({"log_size": "ten"}, "log_size"),
        ({"kind": "castle"}, "kind"),
    ):
        response = client.get(f"{API}/damage", query)
        assert response.status_code == 422, query
        assert set(checked(response)["fields"]) == {field}


# --- writes -------------------------------------------------------------------------------


def test_registering_an_asset(s: Setup, client: Client) -> None:
    body = {
        "code": "AS-GZA-CLN-0002",
        "name_en": "Al-Shifa outpatient clinic",
        "kind": "health",
        "governorate": GAZA,
        "latitude": POINT[0],
        "longitude": POINT[1],
    }

    response = _post(client, "", body, s.monitor)

    assert response.status_code == 201, response.content
    created = checked(response)
    assert set(created) == PUBLIC
    assert (created["code"], created["owner"], created["condition"]) == (
        "AS-GZA-CLN-0002",
        None,
        None,
    )
    _no_private(response.content.decode())
    assert Asset.objects.get(code="AS-GZA-CLN-0002").latitude is not None


def test_registering_names_every_bad_field(s: Setup, client: Client) -> None:
    before = LogEntry.objects.count()
    body = {"code": "AS-GZA-SCH-0001", "kind": "castle", "governorate": "PS9999", "latitude": "x"}

    response = _post(client, "", body, s.secretariat)

    assert response.status_code == 422
    assert set(checked(response)["fields"]) == {
        "code",
        "name_en",
        "kind",
        "governorate",
        "latitude",
    }
    missing = _post(client, "", {"name_en": "A school"}, s.secretariat)
    assert set(checked(missing)["fields"]) == {"code", "kind", "governorate"}
    assert LogEntry.objects.count() == before


def test_recording_an_assessment(s: Setup, client: Client) -> None:
    body = {
        "assessed_on": "2025-10-11",
        "condition": "destroyed",
        "method": "remote",
        "source": "UNOSAT CE20231010PSE",
        "note": NOTE,
    }

    response = _post(client, "/AS-GZA-SCH-0001/assessments", body, s.secretariat)

    assert response.status_code == 201, response.content
    recorded = checked(response)
    assessment = Assessment.objects.get()
    assert recorded == {
        "assessed_on": "2025-10-11",
        "condition": "destroyed",
        "method": "remote",
        "source": "UNOSAT CE20231010PSE",
        "log_index": assessment.log_index,
    }
    assert assessment.note == NOTE
    _no_private(response.content.decode())
    s.school.refresh_from_db()
    assert s.school.condition == "destroyed"


def test_an_assessments_errors_name_the_field(s: Setup, client: Client) -> None:
    path = "/AS-GZA-SCH-0001/assessments"
    good = {"assessed_on": "2026-03-02", "condition": "restored", "method": "site", "source": "X"}
    cases = (
        ({**good, "method": "remote"}, s.secretariat, {"method", "condition"}),
        ({**good, "method": "remote"}, s.monitor, {"method"}),
        ({**good, "assessed_on": "02/03/2026"}, s.monitor, {"assessed_on"}),
        ({**good, "assessed_on": "2099-01-01"}, s.monitor, {"assessed_on"}),
        ({**good, "condition": "flattened", "source": ""}, s.monitor, {"condition", "source"}),
        ({"condition": "severe"}, s.monitor, {"assessed_on", "method", "source"}),
    )
    for body, user, fields in cases:
        response = _post(client, path, body, user)
        assert response.status_code == 422, body
        assert set(checked(response)["fields"]) == fields, body
    assert not Assessment.objects.exists()
    unknown = _post(client, "/AS-NOWHERE-1/assessments", good, s.monitor)
    assert unknown.status_code == 404
    assert checked(unknown)["code"] == "not_found"
    assert checked(_post(client, path, good, s.monitor))["condition"] == "restored"


def test_linking_and_unlinking_a_project(s: Setup, client: Client) -> None:
    response = _post(client, "/AS-GZA-SCH-0001/link", {"project": "GZ-EDU-0001"}, s.secretariat)

    assert response.status_code == 200, response.content
    assert checked(response)["project"] == "GZ-EDU-0001"
    again = _post(client, "/AS-GZA-SCH-0001/link", {"project": "GZ-EDU-0001"}, s.secretariat)
    assert set(checked(again)["fields"]) == {"project"}
    unknown = _post(client, "/AS-GZA-SCH-0001/link", {"project": "GZ-NONE"}, s.secretariat)
    assert set(checked(unknown)["fields"]) == {"project"}
    _road(s)
    elsewhere = _post(client, "/AS-RAF-ROAD-1/link", {"project": "GZ-EDU-0001"}, s.secretariat)
    assert set(checked(elsewhere)["fields"]) == {"project"}
    assert set(checked(_post(client, "/AS-RAF-ROAD-1/link", {}, s.secretariat))["fields"]) == {
        "project"
    }
    unlinked = _post(client, "/AS-GZA-SCH-0001/link", {"project": None}, s.secretariat)
    assert checked(unlinked)["project"] is None
    assert _post(client, "/AS-NOWHERE/link", {"project": None}, s.secretariat).status_code == 404


WRITES = (
    ("", {"code": "AS-X-1", "name_en": "X", "kind": "road", "governorate": GAZA}),
    (
        "/AS-GZA-SCH-0001/assessments",
        {"assessed_on": "2025-10-11", "condition": "severe", "method": "remote", "source": "X"},
    ),
    ("/AS-GZA-SCH-0001/link", {"project": "GZ-EDU-0001"}),
    (
        "/assessments/import",
        {"csv": f"{','.join(REQUIRED)}\nAS-GZA-SCH-0001,2025-10-11,severe,remote,X\n"},
    ),
)


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_writes_need_a_token_and_a_role(
    s: Setup, client: Client, path: str, body: dict[str, Any]
) -> None:
    before = LogEntry.objects.count()
    anonymous = _post(client, path, body, None)
    assert anonymous.status_code == 401
    assert checked(anonymous)["code"] == "authentication_required"
    refused = [s.partner, s.auditor] + ([s.monitor] if path.endswith("/link") else [])
    for user in refused:
        response = _post(client, path, body, user)
        assert response.status_code == 403, (path, user.role)
        assert checked(response)["code"] == "role_required"
    assert LogEntry.objects.count() == before


# --- the import ---------------------------------------------------------------------------


def test_importing_assessments(s: Setup, client: Client) -> None:
    text = (
        "\ufeffcode,assessed_on,condition,method,source,note\n"
        f'AS-GZA-SCH-0001,2025-10-11,destroyed,remote,UNOSAT,"{NOTE}"\n'
        "AS-GZA-SCH-0001,2026-03-02,severe,site,زيارة ميدانية,\n"
    )

    response = _post(client, "/assessments/import", {"csv": text}, s.monitor)

    assert response.status_code == 201, response.content
    answer = checked(response)
    indexes = sorted(Assessment.objects.values_list("log_index", flat=True))
    assert answer == {"recorded": 2, "log_indexes": indexes}
    assert Assessment.objects.get(log_index=indexes[1]).source == "زيارة ميدانية"


def test_an_import_with_a_bad_row_names_it_and_records_nothing(s: Setup, client: Client) -> None:
    text = (
        "code,assessed_on,condition,method,source\n"
        "AS-GZA-SCH-0001,2025-10-11,destroyed,remote,UNOSAT\n"
        "AS-NOWHERE-1,2025-10-11,destroyed,remote,UNOSAT\n"
        "AS-GZA-SCH-0001,2026-03-02,restored,remote,UNOSAT\n"
    )
    before = LogEntry.objects.count()

    response = _post(client, "/assessments/import", {"csv": text}, s.secretariat)

    assert response.status_code == 422
    error = checked(response)
    assert error["code"] == "validation_failed"
    assert error["fields"] == {
        "line 3: code": "There is no such asset.",
        "line 4: condition": "Only a monitor can find an asset restored.",
        "line 4: method": "Only a site visit can find an asset restored.",
    }
    assert LogEntry.objects.count() == before
    headerless = _post(client, "/assessments/import", {"csv": "a,b\n1,2\n"}, s.secretariat)
    assert set(checked(headerless)["fields"]) == {
        f"line 1: {column}" for column in ("code", "assessed_on", "condition", "method", "source")
    }
    assert set(checked(_post(client, "/assessments/import", {}, s.secretariat))["fields"]) == {
        "csv"
    }


# --- do no harm ---------------------------------------------------------------------------


def test_no_point_and_no_note_in_any_answer_or_in_the_log(s: Setup, client: Client) -> None:
    _assess(s, "destroyed", "2025-10-11", note=NOTE)
    visit = {
        "assessed_on": "2026-03-02",
        "condition": "restored",
        "method": "site",
        "source": "Site visit",
        "note": NOTE,
    }
    assert _post(client, "/AS-GZA-SCH-0001/assessments", visit, s.monitor).status_code == 201
    text = (
        "code,assessed_on,condition,method,source,note\n"
        f'AS-GZA-SCH-0001,2026-04-01,restored,site,Site visit,"{NOTE}"\n'
    )
    assert _post(client, "/assessments/import", {"csv": text}, s.monitor).status_code == 201
    assert Assessment.objects.filter(note=NOTE).count() == 3

    for path in ("", "?condition=restored", "/AS-GZA-SCH-0001", "/damage"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 200, path
        _no_private(response.content.decode())
        assert_no_personal_data_in(response)
    raw = b"".join(bytes(row.entry) for row in LogEntry.objects.all()).decode()
    _no_private(raw)
    for url in ("/downloads/assets.csv", "/downloads/asset-assessments.csv"):
        _no_private(_csv_text(client, url))


# --- the public downloads -----------------------------------------------------------------


def _csv_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"\xef\xbb\xbf"), url  # Excel then reads the Arabic
    return body.decode("utf-8-sig")


def _csv_rows(client: Client, url: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_csv_text(client, url))))


def test_the_assets_download(s: Setup, client: Client) -> None:
    _road(s)
    _assess(s, "destroyed", "2025-10-11", note=NOTE)
    services.asset_link(asset=s.school, project="GZ-EDU-0001", actor=s.secretariat)

    header, hxl, *rows = _csv_rows(client, "/downloads/assets.csv")

    assert header == [
        "code",
        "name_en",
        "name_ar",
        "kind",
        "governorate",
        "owner",
        "project_code",
        "condition",
        "condition_on",
        "registered_log_index",
    ]
    assert hxl[0] == "#loc+code"
    assert all(tag.startswith("#") for tag in hxl)
    assert rows == [
        [
            "AS-GZA-SCH-0001",
            "Al-Zaytoun boys' school",
            "مدرسة الزيتون للبنين",
            "school",
            GAZA,
            LEAD,
            "GZ-EDU-0001",
            "destroyed",
            "2025-10-11",
            str(s.school.registered_index),
        ],
        [
            "AS-RAF-ROAD-1",
            "",
            "شارع صلاح الدين",
            "road",
            "PS0275",
            "",
            "",
            "",
            "",
            str(Asset.objects.get(code="AS-RAF-ROAD-1").registered_index),
        ],
    ]


def test_the_assessments_download_imports_back(s: Setup, client: Client) -> None:
    first = _assess(s, "destroyed", "2025-10-11", note=NOTE)
    second = _assess(s, "moderate", "2024-05-01", source="وزارة الأشغال العامة")

    text = _csv_text(client, "/downloads/asset-assessments.csv")
    header, hxl, *rows = list(csv.reader(io.StringIO(text)))

    assert header == ["code", "assessed_on", "condition", "method", "source", "log_index"]
    assert hxl == [
        "#loc+code",
        "#date+assessed",
        "#status+condition",
        "#x_method",
        "#meta+source",
        "#x_log_index",
    ]
    assert rows == [  # in the log's order
        ["AS-GZA-SCH-0001", "2025-10-11", "destroyed", "remote", "UNOSAT", str(first.log_index)],
        [
            "AS-GZA-SCH-0001",
            "2024-05-01",
            "moderate",
            "remote",
            "وزارة الأشغال العامة",
            str(second.log_index),
        ],
    ]
    # Its hashtags are the import's: the file is read back as it is, and every row is
    # found already recorded, so sending it twice doubles nothing.
    response = _post(client, "/assessments/import", {"csv": text}, s.secretariat)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert sorted(fields) == ["line 3: assessed_on", "line 4: assessed_on"]
    assert all("already recorded" in message for message in fields.values())


def test_the_downloads_page_lists_the_asset_tables(s: Setup, client: Client) -> None:
    html = client.get("/downloads/").content.decode()

    assert 'href="/downloads/assets.csv"' in html
    assert 'href="/downloads/asset-assessments.csv"' in html
