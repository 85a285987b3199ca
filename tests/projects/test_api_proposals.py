"""Proposals, assessments and the risk policy over the API, checked against the committed
OpenAPI schema; no answer names a person."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

_TESTS = Path(__file__).resolve().parents[1]
for _directory in ("governance", "funds", "api", "projects"):
    sys.path.insert(0, str(_TESTS / _directory))

from api_support import assert_no_personal_data_in, send  # noqa: E402
from openapi_check import checked  # noqa: E402
from proposal_factories import LEAD, POLICY, Fund, build_fund, draft_input, partner_staff  # noqa: E402

API = "/api/v1/projects"
pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def test_a_partner_drafts_submits_and_the_public_reads(client: Client, fund: Fund) -> None:
    s = fund.secretariat
    assert checked(client.get(f"{API}/risk-policy")) == {"in_force": None, "history": []}
    response = send(client, "post", f"{API}/risk-policy", {"policy": POLICY}, s)
    assert response.status_code == 201, response.content
    assert checked(response)["levels"] == POLICY
    assert send(client, "post", f"{API}/risk-policy", {"policy": POLICY}, s).status_code == 422
    assessment = {"risk_level": "low", "assessed_on": "2026-01-10", "summary": "Fine."}
    response = send(client, "post", f"{API}/partners/{LEAD}/assessments", assessment, s)
    assert response.status_code == 201, response.content
    listed = checked(client.get(f"{API}/partners/{LEAD}/assessments"))
    assert listed["current"]["risk_level"] == "low"
    assert client.get(f"{API}/partners/XI-NOBODY/assessments").status_code == 404

    staff = partner_staff()
    response = send(client, "post", f"{API}/proposals", {"title_en": "Draft"}, staff)
    assert response.status_code == 201, response.content
    proposal_id = checked(response)["id"]
    assert client.get(f"{API}/proposals/{proposal_id}").status_code == 404  # a draft
    response = send(client, "put", f"{API}/proposals/{proposal_id}", draft_input(), staff)
    assert checked(response)["budget_total"] == "1200000.00"
    mine = checked(client.get(f"{API}/proposals/mine", headers=_bearer(staff)))
    assert [p["municipality"] for p in mine["proposals"]] == ["Khan Younis"]

    response = send(client, "post", f"{API}/proposals/{proposal_id}/submission", {}, staff)
    assert response.status_code == 201, response.content
    public = checked(client.get(f"{API}/proposals/{proposal_id}"))
    assert public["status"] == "submitted"
    assert "municipality" not in public
    assert "latitude" not in public
    listed_public = checked(client.get(f"{API}/proposals"))
    assert [p["id"] for p in listed_public["proposals"]] == [proposal_id]
    assert_no_personal_data_in(client.get(f"{API}/proposals"))
    # The existing project endpoints still answer.
    assert checked(client.get(f"{API}/GZ-HOU-0001"))["code"] == "GZ-HOU-0001"

    response = send(client, "post", f"{API}/proposals/{proposal_id}/withdrawal", {}, staff)
    assert checked(response)["code"] == "validation_failed"
    assert "reason" in response.json()["fields"]
    body = {"reason": "Funded elsewhere."}
    response = send(client, "post", f"{API}/proposals/{proposal_id}/withdrawal", body, staff)
    assert checked(response)["status"] == "withdrawn"


def _bearer(user: object) -> dict[str, str]:
    from api_support import bearer

    return bearer(user)  # type: ignore[arg-type]


def test_errors_name_fields_roles_and_language(client: Client, fund: Fund) -> None:
    staff = partner_staff()
    response = send(client, "post", f"{API}/proposals", draft_input(ends_on="2026-01-01"), staff)
    assert response.status_code == 422
    assert "ends_on" in checked(response)["fields"]

    created = send(client, "post", f"{API}/proposals", draft_input(), staff).json()
    response = send(client, "post", f"{API}/proposals/{created['id']}/submission", {}, staff)
    assert response.status_code == 422
    assert "lead" in checked(response)["fields"]  # not assessed

    assert send(client, "post", f"{API}/proposals", {}, fund.secretariat).status_code == 403
    assert send(client, "post", f"{API}/proposals", {}, None).status_code == 401
    body = {"risk_level": "low", "assessed_on": "2026-01-10", "summary": "x"}
    response = send(client, "post", f"{API}/partners/{LEAD}/assessments", body, staff)
    assert checked(response)["code"] == "role_required"
    assert send(client, "post", f"{API}/risk-policy", {"policy": POLICY}, staff).status_code == 403
    other = f"{API}/proposals/00000000-0000-4000-8000-000000000000/submission"
    assert send(client, "post", other, {}, staff).status_code == 404

    response = client.post(
        f"{API}/proposals", {}, content_type="application/json",
        headers={**_bearer(fund.secretariat), "Accept-Language": "ar"},
    )  # fmt: skip
    assert response["Content-Language"] == "ar"
