"""Assets pages: the public register (map, chart, table per governorate, filtered and
paginated list) and an asset's page with its history and verify controls, in English and
Arabic; the staff's forms end to end (register, assess, link, import) and who may use
them; and do no harm: a point or a note never reaches a public page."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from assets_factories import DAY, GAZA, LEAD, POINT, Setup, build
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amanah.assets import imports, services, views
from amanah.assets.models import Assessment, Asset
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

KHAN_YOUNIS = "PS0270"
SCHOOL = "/assets/AS-GZA-SCH-0001/"
NOTE = "NOTE-ZX81-do-not-publish"
STAFF_PAGES = ("/assets/new/", f"{SCHOOL}assess/", f"{SCHOOL}link/", "/assets/import/")


@pytest.fixture
def s(var_dir: Path) -> Setup:
    return build()


def _assess(s: Setup, condition: str, day: datetime.date = DAY, **extra: object) -> Assessment:
    values: dict[str, object] = {
        "asset": s.school,
        "method": "remote",
        "source": "UNOSAT imagery",
        "actor": s.secretariat,
    }
    values.update(extra)
    return services.asset_assess(assessed_on=day, condition=condition, **values)  # type: ignore[arg-type]


def _register(s: Setup, code: str, kind: str = "housing", governorate: str = GAZA) -> Asset:
    return services.asset_register(
        code=code, name_en=f"Building {code}", kind=kind, governorate=governorate,
        actor=s.secretariat,
    )  # fmt: skip


def _row(html: str, row_id: str) -> dict[str, str]:
    """The damage table's cells of one row, by column."""
    match = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, row_id
    return dict(re.findall(r'data-col="(\w+)">([^<]*)<', match.group(1)))


def _governorate_row(html: str, name: str) -> dict[str, str]:
    match = re.search(rf'<th scope="row" class="fw-normal">{name}</th>(.*?)</tr>', html, re.S)
    assert match, name
    return dict(re.findall(r'data-col="(\w+)">([^<]*)<', match.group(1)))


def _register_form(**extra: str) -> dict[str, str]:
    form = {
        "code": "AS-GZA-CLN-0002",
        "name_en": "Al-Shifa outpatient wing",
        "name_ar": "",
        "kind": "health",
        "governorate": GAZA,
        "owner": LEAD,
        "project": "",
        "latitude": "",
        "longitude": "",
    }
    form.update(extra)
    return form


# --- public -------------------------------------------------------------------------------


def test_the_register_shows_the_damage_by_governorate_and_the_list(
    s: Setup, client: Client
) -> None:
    _assess(s, "restored", DAY - datetime.timedelta(days=30), method="site", actor=s.monitor)
    _assess(s, "destroyed")  # damaged again after it was restored
    _register(s, "AS-GZA-H-0001")  # never assessed
    khan = _register(s, "AS-KY-H-0001", governorate=KHAN_YOUNIS)
    services.asset_assess(
        asset=khan, assessed_on=DAY, condition="severe", method="remote",
        source="UNOSAT", actor=s.secretariat,
    )  # fmt: skip

    page = client.get("/assets/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _governorate_row(html, "Gaza") == {
        "destroyed": "1", "severe": "0", "moderate": "0", "possible": "0", "undamaged": "0",
        "restored": "0", "not_assessed": "1", "damaged_again": "1", "assets": "2",
    }  # fmt: skip
    assert _governorate_row(html, "Khan Younis")["severe"] == "1"
    assert _governorate_row(html, "Rafah")["assets"] == "0"
    total = _row(html, "damage-total")
    assert (total["destroyed"], total["severe"], total["assets"]) == ("1", "1", "3")
    # The map: damaged now is 1 in Gaza and in Khan Younis, none in Rafah.
    assert re.search(r'id="damage-map-PS0260"[^>]*><title>Gaza — [^<]*1</title>', html)
    assert re.search(r'id="damage-map-PS0275"[^>]*><title>Rafah — [^<]*0</title>', html)
    # The chart: a stacked bar per governorate, a segment per condition.
    assert 'id="conditions-PS0260"' in html
    assert "<title>Gaza, Destroyed: 1</title>" in html
    assert "<title>Khan Younis, Severely damaged: 1</title>" in html
    # The list: code links, the project column, the condition badge, the explanation.
    assert f'href="{SCHOOL}"' in html
    assert 'data-condition="destroyed"' in html
    assert 'data-condition="none"' in html
    assert "UNOSAT" in html
    assert "Exact locations are never published" in html
    assert 'id="count">3 assets' in html


def test_filters_narrow_the_register_and_the_kind_narrows_the_figures(
    s: Setup, client: Client
) -> None:
    _assess(s, "destroyed")
    _register(s, "AS-GZA-H-0001")
    _register(s, "AS-KY-H-0001", governorate=KHAN_YOUNIS)

    housing = client.get("/assets/", {"kind": "housing"}).content.decode()
    assert "AS-GZA-H-0001" in housing
    assert "AS-KY-H-0001" in housing
    assert "AS-GZA-SCH-0001" not in housing
    assert _row(housing, "damage-total")["destroyed"] == "0"  # schools not counted

    gaza = client.get("/assets/", {"governorate": GAZA}).content.decode()
    assert "AS-KY-H-0001" not in gaza
    assert "AS-GZA-H-0001" in gaza
    assert _row(gaza, "damage-total")["assets"] == "3"  # the figures cover every governorate

    never = client.get("/assets/", {"condition": "none"}).content.decode()
    assert "AS-GZA-SCH-0001" not in never
    assert 'id="count">2 assets' in never
    destroyed = client.get("/assets/", {"condition": "destroyed"}).content.decode()
    assert 'id="count">1 asset<' in destroyed

    # An unknown value filters nothing rather than failing.
    odd = client.get("/assets/", {"kind": "castle"})
    assert odd.status_code == 200
    assert 'id="count">3 assets' in odd.content.decode()


def test_the_register_is_paginated_and_keeps_the_filters(
    s: Setup, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for number in range(1, 4):
        _register(s, f"AS-GZA-H-000{number}")
    first = client.get("/assets/", {"kind": "housing"}).content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?kind=housing&amp;page=2"' in first
    second = client.get("/assets/", {"kind": "housing", "page": "2"}).content.decode()
    assert "AS-GZA-H-0003" in second
    assert "AS-GZA-H-0001" not in second


def test_an_assets_page_shows_its_history_with_entries_to_verify(s: Setup, client: Client) -> None:
    older = _assess(s, "destroyed", DAY - datetime.timedelta(days=60))
    newer = _assess(s, "moderate", source="Municipality engineers", method="report")
    page = client.get(SCHOOL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Al-Zaytoun boys&#x27; school" in html
    assert "مدرسة الزيتون للبنين" in html
    assert 'id="governorate">Gaza<' in html
    assert GAZA not in html  # the name, not the P-code
    assert "Ministry of Education" in html
    assert 'href="/partners/"' in html
    assert 'data-condition="moderate"' in html
    assert "Municipality engineers" in html
    for index in (s.school.registered_index, older.log_index, newer.log_index):
        assert f'href="/entries/{index}/"' in html
        assert f'data-entry="{index}"' in html  # the verify control
    assert html.index(f"assessment-{newer.log_index}") < html.index(
        f"assessment-{older.log_index}"
    )  # latest first
    assert "amanah/verify.js" in html


def test_an_unknown_asset_is_not_found(s: Setup, client: Client) -> None:
    assert client.get("/assets/AS-NOPE-0001/").status_code == 404
    client.force_login(s.secretariat)
    assert client.get("/assets/AS-NOPE-0001/assess/").status_code == 404
    assert client.get("/assets/AS-NOPE-0001/link/").status_code == 404


def test_the_pages_in_arabic(s: Setup, client: Client) -> None:
    _assess(s, "severe")
    listing = client.get("/ar/assets/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert 'dir="rtl"' in html
    assert "غزة" in html
    assert "مدرسة الزيتون للبنين" in html
    assert "<td>غزة</td>" in html  # the register's governorate column
    assert 'href="/ar/assets/AS-GZA-SCH-0001/"' in html
    page = client.get("/ar" + SCHOOL)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'dir="rtl"' in body
    assert 'id="governorate">غزة<' in body
    assert f'href="/ar/entries/{s.school.registered_index}/"' in body


# --- who may use the staff's pages --------------------------------------------------------


def test_staff_pages_ask_anonymous_visitors_to_sign_in(s: Setup, client: Client) -> None:
    for url in STAFF_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]
        assert client.post(url, {}).status_code == 302
    html = client.get(SCHOOL).content.decode() + client.get("/assets/").content.decode()
    assert 'id="staff-actions"' not in html


def test_staff_pages_are_refused_to_other_roles(s: Setup, client: Client) -> None:
    before = LogEntry.objects.count()
    for user in (s.partner, s.auditor):
        client.force_login(user)
        for url in STAFF_PAGES:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post("/assets/new/", _register_form()).status_code == 403
        html = client.get(SCHOOL).content.decode() + client.get("/assets/").content.decode()
        assert "/assets/new/" not in html
        assert "/assess/" not in html
    client.force_login(s.monitor)  # assesses, but links no project
    assert client.get(f"{SCHOOL}link/").status_code == 403
    html = client.get(SCHOOL).content.decode()
    assert f'href="{SCHOOL}assess/"' in html
    assert f'href="{SCHOOL}link/"' not in html
    assert LogEntry.objects.count() == before


# --- the staff's forms --------------------------------------------------------------------


def test_registering_an_asset(s: Setup, client: Client) -> None:
    client.force_login(s.monitor)
    form_page = client.get("/assets/new/")
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert "never published" in html
    assert 'name="latitude"' in html
    assert 'class="btn btn-primary"' in html
    assert f'<option value="{LEAD}"' in html

    before = (Asset.objects.count(), LogEntry.objects.count())
    bad = client.post(
        "/assets/new/",
        _register_form(code="AS-GZA-SCH-0001", name_en="", latitude="31.5"),
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "An asset with this code is already registered." in text
    assert "Give the name in English, Arabic or both." in text
    assert "Give both the latitude and the longitude, or neither." in text
    assert 'id="id_code_error"' in text
    assert 'id="id_longitude_error"' in text
    assert (Asset.objects.count(), LogEntry.objects.count()) == before

    done = client.post(
        "/assets/new/", _register_form(latitude=POINT[0], longitude=POINT[1]), follow=True
    )
    assert done.redirect_chain == [("/assets/AS-GZA-CLN-0002/", 302)]
    asset = Asset.objects.get(code="AS-GZA-CLN-0002")
    assert (asset.kind, asset.owner.iati_identifier, str(asset.latitude)) == (
        "health", LEAD, POINT[0],
    )  # fmt: skip
    assert "registered: log entry" in done.content.decode()


def test_recording_an_assessment(s: Setup, client: Client) -> None:
    client.force_login(s.secretariat)
    url = f"{SCHOOL}assess/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="date"' in page.content.decode()

    form = {
        "condition": "restored",
        "method": "site",
        "assessed_on": DAY.isoformat(),
        "source": "Site visit, monitoring team 2",
        "note": "",
    }
    bad = client.post(url, form)  # only a monitor finds an asset restored
    assert bad.status_code == 400
    assert "Only a monitor can find an asset restored." in bad.content.decode()
    assert 'id="id_condition_error"' in bad.content.decode()
    missing = client.post(url, {**form, "condition": "destroyed", "source": ""})
    assert missing.status_code == 400
    assert 'id="id_source_error"' in missing.content.decode()
    assert not Assessment.objects.exists()

    done = client.post(url, {**form, "condition": "destroyed", "method": "remote"})
    assert done.status_code == 302
    assert done["Location"] == SCHOOL
    s.school.refresh_from_db()
    assert (s.school.condition, s.school.condition_on) == ("destroyed", DAY)

    client.force_login(s.monitor)
    assert client.post(url, form).status_code == 302
    s.school.refresh_from_db()
    assert s.school.condition == "restored"
    assert Assessment.objects.count() == 2


def test_linking_and_unlinking_the_project(s: Setup, client: Client) -> None:
    elsewhere = _register(s, "AS-KY-H-0001", governorate=KHAN_YOUNIS)
    client.force_login(s.secretariat)
    url = f"{SCHOOL}link/"
    page = client.get(url).content.decode()
    assert '<option value="GZ-EDU-0001"' in page
    assert (
        client.get(f"/assets/{elsewhere.code}/link/")
        .content.decode()
        .count('<option value="GZ-EDU-0001"')
        == 0
    )  # only the projects where the asset is

    before = LogEntry.objects.count()
    unchanged = client.post(url, {"project": ""})
    assert unchanged.status_code == 400
    assert "No project is linked to this asset." in unchanged.content.decode()
    assert 'id="id_project_error"' in unchanged.content.decode()
    assert (
        client.post(f"/assets/{elsewhere.code}/link/", {"project": "GZ-EDU-0001"}).status_code
        == 400
    )
    assert LogEntry.objects.count() == before

    done = client.post(url, {"project": "GZ-EDU-0001"})
    assert done.status_code == 302
    assert done["Location"] == SCHOOL
    s.school.refresh_from_db()
    assert s.school.project == s.project
    html = client.get(SCHOOL).content.decode()
    assert 'href="/monitoring/projects/GZ-EDU-0001/"' in html
    listing = client.get("/assets/").content.decode()
    assert 'href="/monitoring/projects/GZ-EDU-0001/"' in listing

    assert client.post(url, {"project": ""}).status_code == 302
    s.school.refresh_from_db()
    assert s.school.project is None


def _csv(text: str, name: str = "assessments.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), "text/csv")


def test_the_import_refuses_a_file_too_large_or_not_utf8(s: Setup, client: Client) -> None:
    client.force_login(s.secretariat)
    assert client.get("/assets/import/").status_code == 200
    big = SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1), "text/csv")
    too_large = client.post("/assets/import/", {"file": big})
    assert too_large.status_code == 400
    assert "The file is larger than 2 MB." in too_large.content.decode()
    latin = SimpleUploadedFile("latin.csv", "code\nDeir al-Balah \xe9\n".encode("latin-1"))
    not_utf8 = client.post("/assets/import/", {"file": latin})
    assert not_utf8.status_code == 400
    assert "Save the file as UTF-8" in not_utf8.content.decode()
    assert not Assessment.objects.exists()


def test_the_import_lists_every_wrong_row_and_records_nothing_or_everything(
    s: Setup, client: Client
) -> None:
    columns = list(imports.COLUMNS)
    values = {
        "code": s.school.code,
        "assessed_on": DAY.isoformat(),
        "condition": "destroyed",
        "method": "remote",
        "source": "UNOSAT imagery",
        "note": "",
    }
    header = ",".join(columns)

    def line(**changes: str) -> str:
        return ",".join({**values, **changes}.get(c, "") for c in columns)

    client.force_login(s.secretariat)
    before = LogEntry.objects.count()
    bad = client.post(
        "/assets/import/",
        {"file": _csv(f"{header}\n{line()}\n{line(condition='castle')}\n")},
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Nothing was recorded." in text
    assert re.search(r"<tr><td>3</td><td><code dir=\"ltr\">condition</code>", text)
    assert LogEntry.objects.count() == before
    assert not Assessment.objects.exists()

    done = client.post("/assets/import/", {"file": _csv(f"{header}\n{line()}\n")}, follow=True)
    assert done.redirect_chain == [("/assets/", 302)]
    assert "1 assessment recorded." in done.content.decode()
    s.school.refresh_from_db()
    assert s.school.condition == "destroyed"


# --- do no harm ---------------------------------------------------------------------------


def test_a_point_and_a_note_never_reach_a_public_page(s: Setup, client: Client) -> None:
    staff = Client()
    staff.force_login(s.monitor)
    staff.post("/assets/new/", _register_form(latitude="31.523456", longitude="34.451234"))
    staff.post(
        "/assets/AS-GZA-CLN-0002/assess/",
        {"condition": "severe", "method": "site", "assessed_on": DAY.isoformat(),
         "source": "Site visit", "note": NOTE},
    )  # fmt: skip
    _assess(s, "destroyed", note=NOTE)
    assert Assessment.objects.filter(note=NOTE).count() == 2
    assert Asset.objects.get(code="AS-GZA-CLN-0002").latitude is not None

    for url in ("/assets/", SCHOOL, "/assets/AS-GZA-CLN-0002/", "/ar/assets/",
                "/ar/assets/AS-GZA-CLN-0002/", "/assets/?condition=severe"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert NOTE not in html, url
        for secret in (*POINT, "31.5142", "34.4541", "31.523456", "34.451234"):
            assert secret not in html, (url, secret)
        assert "latitude" not in html.lower(), url
        assert "longitude" not in html.lower(), url


def test_the_project_page_lists_the_assets_it_rebuilds(s: Setup, client: Client) -> None:
    services.asset_link(asset=s.school, project=s.project, actor=s.secretariat)
    page = client.get(f"/monitoring/projects/{s.project.code}/").content.decode()
    assert 'id="assets-title"' in page
    assert f'href="/assets/{s.school.code}/"' in page
    assert 'data-condition="none"' in page


def test_the_public_pages_run_a_fixed_number_of_queries(s: Setup, client: Client) -> None:
    services.asset_link(asset=s.school, project=s.project, actor=s.secretariat)
    _assess(s, "destroyed")

    def counted(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = (counted("/assets/"), counted(f"/assets/{s.school.code}/"))
    for number in range(12):
        asset = _register(s, f"AS-GZA-H-{number}")
        services.asset_link(asset=asset, project=s.project, actor=s.secretariat)
    assert (counted("/assets/"), counted(f"/assets/{s.school.code}/")) == one
