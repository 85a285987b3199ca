"""The API and the pages: public reads, multipart reports and verifications, evidence
served publicly only when public, notifications for the secretariat; English and Arabic."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "funds"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_support import assert_no_personal_data_in, bearer
from monitoring_factories import Monitored, build_monitored, jpeg, pdf

from amanah.monitoring.models import MilestoneStatus, Notification

pytestmark = pytest.mark.django_db
API = "/api/v1/monitoring"


@pytest.fixture
def m(var_dir: Path) -> Monitored:
    return build_monitored()


def _fetch(client: Client, path: str, **headers: str) -> tuple[int, dict[str, str]]:
    """GET a file: its status and headers, the stream read and closed."""
    response = client.get(path, headers=headers)
    if response.status_code == 200:
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    response.close()
    return response.status_code, dict(response.headers)


def _report_over_api(client: Client, m: Monitored) -> dict:  # type: ignore[type-arg]
    response = client.post(
        f"{API}/milestones/{m.first.id}/reports",
        {"reported_on": "2026-02-20", "summary": "Roof done", "photo": [jpeg("a"), jpeg("b")],
         "invoice": pdf("Invoice 9")},
        headers=bearer(m.partner),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_report_verify_and_read_over_the_api(client: Client, m: Monitored) -> None:
    body = _report_over_api(client, m)
    files = {f["kind"]: f for f in body["report"]["evidence"]}
    assert files["invoice"]["url"] is None
    assert files["photo"]["url"].startswith(f"{API}/evidence/")
    assert body["duplicates"] == []

    response = client.post(
        f"{API}/milestones/{m.first.id}/verifications",
        {"visited_on": "2026-02-25", "result": "pass", "findings": "Good",
         "latitude": "31.504123", "longitude": "34.462151"},
        headers=bearer(m.monitor),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    verification = response.json()["verification"]
    assert verification["point"] == {"lat": "31.504", "lon": "34.462"}
    assert verification["disbursement"]

    listed = client.get(f"{API}/projects/GZ-EDU-0001/milestones")
    assert listed.status_code == 200
    first = listed.json()["milestones"][0]
    assert first["status"] == "verified"
    assert first["disbursement"] == verification["disbursement"]
    assert "31.504123" not in listed.text
    assert_no_personal_data_in(listed)
    assert client.get(f"{API}/milestones/{m.first.id}").json()["id"] == str(m.first.id)


def test_api_errors_name_the_field_and_the_role(client: Client, m: Monitored) -> None:
    refused = client.post(
        f"{API}/milestones/{m.first.id}/reports",
        {"reported_on": "2026-02-20", "summary": "x", "photo": jpeg()},
        headers=bearer(m.monitor),
    )
    assert refused.status_code == 403
    bad = client.post(
        f"{API}/milestones/{m.first.id}/reports",
        {"reported_on": "2026-02-20", "summary": "x",
         "photo": pdf("x", name="a.jpg").__class__("a.jpg", b"GIF89a...")},
        headers=bearer(m.partner),
    )  # fmt: skip
    assert bad.status_code == 422
    assert list(bad.json()["fields"]) == ["evidence"]
    arabic = client.post(
        f"{API}/projects/GZ-EDU-0001/milestones",
        {"deliverable_en": "x", "deliverable_ar": "س", "due": "2026-09-01",
         "allocation": str(m.homes.id), "tranche": "1"},
        content_type="application/json", headers={**bearer(m.secretariat),
                                                  "Accept-Language": "ar"},
    )  # fmt: skip
    assert arabic.status_code == 422
    assert list(arabic.json()["fields"]) == ["allocation"]
    assert arabic["Content-Language"] == "ar"


def test_private_evidence_is_not_served_to_the_public(client: Client, m: Monitored) -> None:
    body = _report_over_api(client, m)
    files = {f["kind"]: f for f in body["report"]["evidence"]}
    invoice, photo = files["invoice"]["sha256"], files["photo"]["sha256"]

    status, headers = _fetch(client, f"{API}/evidence/{photo}/content")
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert _fetch(client, f"/monitoring/evidence/{photo}/")[0] == 200

    assert _fetch(client, f"{API}/evidence/{invoice}/content")[0] == 404
    assert client.get(f"{API}/evidence/{invoice}").status_code == 404
    assert _fetch(client, f"/monitoring/evidence/{invoice}/")[0] == 404
    for user in (m.secretariat, m.monitor, m.partner):
        status, headers = _fetch(client, f"{API}/evidence/{invoice}/content", **bearer(user))
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"{API}/evidence/{invoice}", headers=bearer(m.partner)).status_code == 200
    client.force_login(m.monitor)
    assert _fetch(client, f"/monitoring/evidence/{invoice}/")[0] == 200


def test_notifications_for_the_secretariat(client: Client, m: Monitored) -> None:
    _report_over_api(client, m)
    client.post(
        f"{API}/milestones/{m.first.id}/verifications",
        {"visited_on": "2026-02-25", "result": "fail", "findings": "Not done"},
        headers=bearer(m.monitor),
    )
    m.first.refresh_from_db()
    assert m.first.status == MilestoneStatus.FAILED
    assert client.get(f"{API}/notifications", headers=bearer(m.monitor)).status_code == 403
    listed = client.get(f"{API}/notifications", headers=bearer(m.secretariat)).json()
    (notice,) = listed["notifications"]
    assert not notice["read"]
    read = client.post(f"{API}/notifications/{notice['id']}/read", headers=bearer(m.secretariat))
    assert read.json()["read"] is True

    client.force_login(m.secretariat)
    page = client.get("/ar/monitoring/notifications/")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    # The link keeps the reader's language.
    assert 'href="/ar/monitoring/projects/GZ-EDU-0001/#milestone-' in page.text


def test_indicators_over_the_api(client: Client, m: Monitored) -> None:
    made = client.post(
        f"{API}/projects/GZ-EDU-0001/indicators",
        {"name_en": "Classrooms", "name_ar": "فصول", "unit": "classrooms", "baseline": "0",
         "target": "48"},
        content_type="application/json", headers=bearer(m.partner),
    )  # fmt: skip
    assert made.status_code == 201, made.content
    updated = client.put(
        f"{API}/indicators/{made.json()['id']}",
        {"name_en": "Classrooms", "name_ar": "فصول", "unit": "classrooms", "baseline": "0",
         "target": "48", "actual": "20"},
        content_type="application/json", headers=bearer(m.secretariat),
    )  # fmt: skip
    assert updated.status_code == 200
    listed = client.get(f"{API}/projects/GZ-EDU-0001/indicators").json()["indicators"]
    assert [i["actual"] for i in listed] == ["20.0000"]


def test_the_partner_reports_through_the_page(client: Client, m: Monitored) -> None:
    client.force_login(m.partner)
    page = client.get("/monitoring/partner/")
    assert page.status_code == 200
    assert "Roof of block A" in page.text
    prefix = str(m.first.id)
    response = client.post(
        "/monitoring/partner/",
        {"milestone": prefix, f"{prefix}-reported_on": "2026-02-20",
         f"{prefix}-summary": "Roof done", f"{prefix}-photo": jpeg("page"),
         f"{prefix}-invoice": pdf("Invoice page")},
    )  # fmt: skip
    assert response.status_code == 302
    m.first.refresh_from_db()
    assert m.first.status == MilestoneStatus.REPORTED
    bad = client.post(
        "/monitoring/partner/",
        {"milestone": str(m.second.id), f"{m.second.id}-reported_on": "2026-02-20",
         f"{m.second.id}-summary": "x"},
    )  # fmt: skip
    assert bad.status_code == 200
    assert "Attach at least one file" in bad.text
    client.force_login(m.monitor)
    assert client.get("/monitoring/partner/").status_code == 403


def test_the_monitor_verifies_on_a_phone_form(client: Client, m: Monitored) -> None:
    _report_over_api(client, m)
    client.force_login(m.monitor)
    workspace = client.get("/ar/monitoring/monitor/")
    assert workspace.status_code == 200
    assert 'dir="rtl"' in workspace.text
    assert f"/ar/monitoring/monitor/{m.first.id}/" in workspace.text
    form = client.get(f"/monitoring/monitor/{m.first.id}/")
    assert 'capture="environment"' in form.text
    assert 'inputmode="decimal"' in form.text
    done = client.post(
        f"/monitoring/monitor/{m.first.id}/",
        {"result": "pass", "visited_on": "2026-02-25", "findings": "Good",
         "latitude": "31.5041", "longitude": "34.4621", "photo": jpeg("phone")},
    )  # fmt: skip
    assert done.status_code == 302
    m.first.refresh_from_db()
    assert m.first.disbursement is not None
    client.force_login(m.partner)
    assert client.get("/monitoring/monitor/").status_code == 403


def test_the_public_project_page_in_both_languages(client: Client, m: Monitored) -> None:
    body = _report_over_api(client, m)
    client.post(
        f"{API}/milestones/{m.first.id}/verifications",
        {"visited_on": "2026-02-25", "result": "partial", "findings": "Half the roof",
         "latitude": "31.504123", "longitude": "34.462151"},
        headers=bearer(m.monitor),
    )  # fmt: skip
    files = {f["kind"]: f["sha256"] for f in body["report"]["evidence"]}

    english = client.get("/monitoring/projects/GZ-EDU-0001/")
    assert english.status_code == 200
    assert "Roof of block A" in english.text
    assert files["invoice"] in english.text  # the hash of a private file is public...
    assert f"/monitoring/evidence/{files['invoice']}/" not in english.text  # ...not its bytes
    assert f"/monitoring/evidence/{files['photo']}/" in english.text
    assert "31.504," in english.text
    assert "31.504123" not in english.text
    assert_no_personal_data_in(english)
    arabic = client.get("/ar/monitoring/projects/GZ-EDU-0001/")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.text
    assert "سقف المبنى أ" in arabic.text
    assert client.get("/monitoring/projects/GZ-XXX-0000/").status_code == 404
    assert Notification.objects.count() == 0
