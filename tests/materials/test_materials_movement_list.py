"""The staff's list of individual movements (page, CSV, API): logistics, monitors and
auditors see warehouse names and filter; partners, the secretariat and the public do not,
and the public pages still name no warehouse."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from django.test import Client
from materials_factories import PRIVATE, Setup, build, move

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "access"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from access_factories import WAREHOUSE_NAME, make_user
from api_support import bearer

from amanah.accounts.models import Role
from amanah.materials import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(var_dir: Path) -> Setup:
    setup = build()
    move(setup, "received", "50")
    move(setup, "received", "10", material="steel_rebar")
    move(setup, "allocated", "20")
    move(setup, "allocated", "5", project="GZ-EDU-0001")
    move(setup, "released", "20")
    move(setup, "used", "18")
    return setup


def test_staff_see_the_movements_and_filter_them(s: Setup, client: Client) -> None:
    for role in (Role.LOGISTICS, Role.MONITOR, Role.AUDITOR):
        client.force_login(make_user(f"reader-{role}", role))
        page = client.get("/materials/movements/")
        assert page.status_code == 200
        text = page.content.decode()
        assert text.count("<tr>") == 1 + 6  # the heading and six movements
        assert WAREHOUSE_NAME in text
        assert "CEM-1" in text  # the consignment a receipt came from

    def rows(query: str) -> int:
        return client.get(f"/materials/movements/?{query}").content.decode().count("<tr>") - 1

    assert rows("project=GZ-EDU-0001") == 1
    assert rows("kind=received") == 2
    assert rows("material=steel_rebar") == 1
    assert rows(f"vendor={s.vendor.id}") == 6
    assert rows("kind=allocated&project=GZ-HOU-0001") == 1
    assert client.get("/materials/movements/?kind=nonsense").status_code == 400
    assert client.get("/ar/materials/movements/").status_code == 200


def test_the_list_is_paged(s: Setup, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "PER_PAGE", 4)
    client.force_login(s.logistics)
    first = client.get("/materials/movements/?material=cement").content.decode()
    assert first.count("<tr>") == 1 + 4
    assert 'rel="next" href="?material=cement&amp;page=2"' in first
    second = client.get("/materials/movements/?material=cement&page=2").content.decode()
    assert second.count("<tr>") == 1 + 1


def test_the_csv_has_the_filtered_rows(s: Setup, client: Client) -> None:
    client.force_login(s.logistics)
    response = client.get("/materials/movements.csv?project=GZ-HOU-0001")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["kind"] for row in table] == ["used", "released", "allocated"]
    assert {row["warehouse"] for row in table} == {WAREHOUSE_NAME}
    assert table[0]["quantity"] == "18"
    assert table[0]["recorded_by"] == "partner"
    everything = client.get("/materials/movements.csv").content.decode()
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 6


def test_others_cannot_see_the_list(s: Setup, client: Client) -> None:
    for path in ("/materials/movements/", "/materials/movements.csv"):
        assert client.get(path).status_code == 302  # sign in first
        for user in (s.partner, s.secretariat):
            client.force_login(user)
            assert client.get(path).status_code == 403
        client.logout()


def test_the_public_pages_still_name_no_warehouse(s: Setup, client: Client) -> None:
    for path in ("/materials/", "/materials/projects/GZ-HOU-0001/", "/ar/materials/"):
        text = client.get(path).content.decode()
        for secret in PRIVATE:
            assert secret not in text
        assert "/materials/movements/" not in text
    for path in ("/api/v1/materials/movements", "/api/v1/materials/reconciliation"):
        text = client.get(path).content.decode()
        for secret in PRIVATE:
            assert secret not in text


def test_the_api_list(s: Setup, client: Client) -> None:
    path = "/api/v1/materials/stock-movements"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(s.partner)).status_code == 403
    assert client.get(path, headers=bearer(s.secretariat)).status_code == 403
    staff = bearer(make_user("auditor", Role.AUDITOR))
    body = client.get(f"{path}?limit=2", headers=staff).json()
    assert (body["total"], body["limit"], body["offset"]) == (6, 2, 0)
    assert [m["kind"] for m in body["movements"]] == ["used", "released"]
    assert body["movements"][0]["warehouse_name"] == WAREHOUSE_NAME
    assert body["movements"][0]["recorded_by"] == "partner"
    rest = client.get(f"{path}?limit=2&offset=4", headers=staff).json()
    assert [m["kind"] for m in rest["movements"]] == ["received", "received"]
    assert rest["movements"][1]["consignment"] == "CEM-1"
    filtered = client.get(
        f"{path}?project=GZ-EDU-0001&kind=allocated&material=cement&vendor={s.vendor.id}",
        headers=staff,
    ).json()
    assert filtered["total"] == 1
    assert client.get(f"{path}?kind=nonsense", headers=staff).status_code == 422
    assert client.get(f"{path}?material=nonsense", headers=staff).status_code == 404
    assert client.get(f"{path}?project=GZ-NOPE", headers=staff).status_code == 404
    assert client.get(f"{path}?limit=0", headers=staff).status_code == 422
