"""Materials pages (public reconciliation in English and Arabic, the workspace form on a
phone), the API (public reads without warehouse detail, role-checked writes), the demo."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from materials_factories import PRIVATE, Setup, build, entries, move, photo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_support import bearer

from amanah.materials.demo import load_demo_materials
from amanah.materials.models import StockMovement, UnaccountedFlag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_allowance_on_site(settings: Any) -> None:
    """These tests record a release and its use on the same day and expect the gap at
    once: no allowance for material on site (test_materials_on_site_allowance.py tests it)."""
    settings.AMANAH_MATERIALS_ON_SITE_DAYS = 0


@pytest.fixture
def s(var_dir: Path) -> Setup:
    return build()


def _gap(s: Setup) -> UnaccountedFlag:
    move(s, "received", "50")
    move(s, "allocated", "45")
    move(s, "released", "42")
    move(s, "used", "40")
    return UnaccountedFlag.objects.get()


def _no_secret(text: str) -> None:
    for secret in PRIVATE:
        assert secret not in text


def test_public_pages_show_the_flag_in_english_and_arabic(s: Setup, client: Client) -> None:
    flag = _gap(s)
    english = client.get("/materials/")
    assert english.status_code == 200
    text = english.content.decode()
    for shown in ("Unaccounted", "GZ-HOU-0001", "Gaza Building Supplies"):
        assert shown in text
    _no_secret(text)
    arabic = client.get("/ar/materials/projects/GZ-HOU-0001/")
    assert arabic.status_code == 200
    body = arabic.content.decode()
    assert 'dir="rtl"' in body
    assert "إسمنت" in body  # the material's Arabic name
    assert f"flag-{flag.id}" in body
    _no_secret(body)
    assert client.get("/materials/projects/GZ-NOPE-0001/").status_code == 404


def test_the_workspace_records_a_movement_on_a_phone(s: Setup, client: Client) -> None:
    assert client.get("/materials/workspace/").status_code == 302  # sign in first
    client.force_login(s.logistics)
    page = client.get("/materials/workspace/", headers={"user-agent": "Mobile"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'inputmode="decimal"' in html
    assert 'type="date"' in html
    assert 'name="viewport"' in html
    form = {
        "kind": "received",
        "material": "cement",
        "quantity": "12.5",
        "warehouse": str(s.access.warehouse.id),
        "vendor": str(s.vendor.id),
        "consignment": str(s.consignment.id),
        "occurred_on": "2026-01-20",
    }
    done = client.post("/materials/workspace/", form)
    assert done.status_code == 302, done.content.decode()[:2000]
    assert StockMovement.objects.get().quantity == 12.5
    too_much = client.post(
        "/materials/workspace/", {**form, "kind": "allocated", "project": "GZ-HOU-0001",
                                  "quantity": "13", "consignment": ""}
    )  # fmt: skip
    assert too_much.status_code == 400
    assert "12.5" in too_much.content.decode()
    client.force_login(s.partner)
    assert client.post("/materials/workspace/", {**form, "kind": "received"}).status_code == 400
    assert StockMovement.objects.count() == 1


def test_the_workspace_in_arabic_and_refused_to_others(s: Setup, client: Client) -> None:
    client.force_login(s.monitor)
    page = client.get("/ar/materials/workspace/")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.content.decode()
    client.force_login(s.secretariat)
    assert client.get("/materials/workspace/").status_code == 403


def test_a_monitor_resolves_a_flag_on_the_page(s: Setup, client: Client) -> None:
    flag = _gap(s)
    client.force_login(s.monitor)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    from django.core.files.uploadedfile import SimpleUploadedFile

    done = client.post(
        f"/materials/flags/{flag.id}/resolve/",
        {"note": "Seen in the slab", "photo": SimpleUploadedFile("x.png", png, "image/png")},
    )
    assert done.status_code == 302
    flag.refresh_from_db()
    assert not flag.is_open
    client.force_login(s.partner)
    assert client.post(f"/materials/flags/{flag.id}/resolve/", {}).status_code == 403


def test_the_api(s: Setup, client: Client) -> None:
    types = client.get("/api/v1/materials/types").json()
    assert {t["code"] for t in types["material_types"]} == {"cement", "steel_rebar"}
    created = client.post(
        "/api/v1/materials/types",
        {"code": "timber", "name_en": "Timber", "name_ar": "خشب", "unit": "m3"},
        content_type="application/json",
        headers=bearer(s.secretariat),
    )
    assert created.status_code == 201
    refused = client.post(
        "/api/v1/materials/types",
        {"code": "pipes", "name_en": "Pipes", "name_ar": "أنابيب", "unit": "m"},
        content_type="application/json",
        headers=bearer(s.logistics),
    )
    assert refused.status_code == 403
    body = {
        "kind": "received",
        "material": "cement",
        "warehouse": str(s.access.warehouse.id),
        "vendor": str(s.vendor.id),
        "quantity": "50",
        "occurred_on": "2026-01-20",
        "consignment": str(s.consignment.id),
    }
    posted = client.post(
        "/api/v1/materials/movements", body, content_type="application/json",
        headers=bearer(s.logistics),
    )  # fmt: skip
    assert posted.status_code == 201, posted.content
    assert (
        client.post(
            "/api/v1/materials/movements", body, content_type="application/json"
        ).status_code
        == 401
    )
    negative = client.post(
        "/api/v1/materials/movements",
        {**body, "kind": "allocated", "project": "GZ-HOU-0001", "quantity": "51",
         "consignment": None},
        content_type="application/json",
        headers=bearer(s.logistics),
    )  # fmt: skip
    assert negative.status_code == 422
    assert "quantity" in negative.json()["fields"]
    move(s, "allocated", "45")
    move(s, "released", "42")
    move(s, "used", "40")
    public = client.get("/api/v1/materials/movements?project=GZ-HOU-0001")
    assert public.status_code == 200
    text = public.content.decode()
    assert "warehouse" not in text
    assert str(s.access.warehouse.id) not in text
    _no_secret(text)
    lines = client.get("/api/v1/materials/reconciliation").json()
    assert lines["tolerance"] == "0.02"
    (line,) = lines["lines"]
    assert (line["received"], line["used"], line["in_stock"], line["gap"]) == (
        "45", "40", "3", "2",
    )  # fmt: skip
    assert line["unaccounted"] is True
    flags = client.get("/api/v1/materials/flags?open_only=true").json()["flags"]
    assert len(flags) == 1
    flag_id = flags[0]["id"]
    evidence = photo(7)
    bad = client.post(
        f"/api/v1/materials/flags/{flag_id}/resolve",
        {"note": "ok", "evidence": [evidence.sha256]},
        content_type="application/json",
        headers=bearer(s.logistics),
    )
    assert bad.status_code == 403
    good = client.post(
        f"/api/v1/materials/flags/{flag_id}/resolve",
        {"note": "Seen on site", "evidence": [evidence.sha256]},
        content_type="application/json",
        headers=bearer(s.monitor),
    )
    assert good.status_code == 200, good.content
    assert good.json()["open"] is False
    assert client.get("/api/v1/materials/flags?project=GZ-NOPE").status_code == 404


def test_the_demo(s: Setup) -> None:
    made = load_demo_materials(
        s.logistics,
        s.monitor,
        s.partner,
    )
    assert made == 15
    (flag,) = UnaccountedFlag.objects.filter(resolved_index__isnull=True)
    assert flag.project.code == "GZ-EDU-0001"
    assert flag.gap == 3
    assert not UnaccountedFlag.objects.filter(project__code="GZ-HOU-0001").exists()
    assert load_demo_materials(s.logistics, s.monitor, s.partner) == 0
    log = entries()
    _no_secret(str(log))
    assert not any(re.search("torn in the rain", str(e)) for e in log)


def test_the_demo_on_top_of_load_demo(demo_log: object, client: Client) -> None:
    from amanah.accounts.models import User

    made = load_demo_materials(
        User.objects.get(username="demo-logistics"),
        User.objects.get(username="demo-monitor"),
        User.objects.get(username="demo-partner-homes"),
    )
    assert made == 15
    (flag,) = UnaccountedFlag.objects.all()
    assert flag.project.code == "GZ-EDU-0001"
    page = client.get("/ar/materials/")
    assert page.status_code == 200
    assert "GZ-EDU-0001" in page.content.decode()


def test_the_reconciliation_takes_the_same_queries_however_many_lines(s: Setup) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amanah.materials.selectors import lines

    move(s, "received", "50")
    move(s, "allocated", "20")
    with CaptureQueriesContext(connection) as one:
        assert len(lines()) == 1
    load_demo_materials(s.logistics, s.monitor, s.partner)
    with CaptureQueriesContext(connection) as many:
        assert len(lines()) > 3

    assert len(many.captured_queries) == len(one.captured_queries)
