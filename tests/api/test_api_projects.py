"""Projects over the API: anyone reads them; the secretariat registers them, each a
`project.registered` entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_no_personal_data_in, send
from django.test import Client
from fund_api_support import FUND  # noqa: F401  (puts tests/governance, tests/funds on the path)
from fund_factories import LEAD, Fund, build_fund, partner_staff
from governance_factories import make_user
from openapi_check import checked

from amanah.accounts.models import Role
from amanah.ledger.models import LogEntry
from amanah.projects.models import Project

pytestmark = pytest.mark.django_db
API = "/api/v1/projects"


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "GZ-WAT-0001",
        "title_en": "Repair a water network",
        "title_ar": "إصلاح شبكة مياه",
        "lead": LEAD,
        "sector": "wash",
        "governorate": "PS0270",
        **overrides,
    }


def test_anyone_lists_the_projects(client: Client, fund: Fund) -> None:
    body = checked(client.get(API))

    assert [p["code"] for p in body["projects"]] == ["GZ-EDU-0001", "GZ-HOU-0001"]
    housing = body["projects"][1]
    assert housing["id"] == str(fund.housing.id)
    assert (housing["lead"], housing["sector"], housing["governorate"]) == (
        LEAD,
        "housing",
        "PS0270",
    )
    assert housing["status"] == "active"
    assert checked(client.get(f"{API}/GZ-HOU-0001")) == housing
    assert client.get(f"{API}/GZ-NONE").status_code == 404


def test_the_secretariat_registers_a_project(client: Client, fund: Fund) -> None:
    response = send(client, "post", API, _body(), fund.secretariat)

    assert response.status_code == 201, response.content
    created = checked(response)
    assert created["code"] == "GZ-WAT-0001"
    entry = LogEntry.objects.order_by("-index").first()
    assert entry is not None
    assert entry.kind == "project.registered"
    assert entry.index == created["registered_index"]
    assert json.loads(bytes(entry.entry))["data"]["project"] == created["id"]
    assert_no_personal_data_in(response)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lead": "XM-DAC-QA-1"}, "lead"),  # not a Palestinian body
        ({"lead": "XI-NOBODY"}, "lead"),
        ({"title_en": "", "title_ar": ""}, "title_en"),
        ({"sector": "astronautics"}, "sector"),
        ({"governorate": "PS9999"}, "governorate"),
        ({"code": "GZ-HOU-0001"}, "code"),  # registered before
        ({"code": "not a slug"}, "code"),
    ],
)
def test_a_bad_project_names_its_field(
    client: Client, fund: Fund, overrides: dict[str, Any], field: str
) -> None:
    before = LogEntry.objects.count()

    response = send(client, "post", API, _body(**overrides), fund.secretariat)

    assert response.status_code == 422, response.content
    assert field in checked(response)["fields"]
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.MONITOR, Role.PARTNER_STAFF, ""])
def test_only_the_secretariat_registers(client: Client, fund: Fund, role: str) -> None:
    user = partner_staff() if role == Role.PARTNER_STAFF else make_user("someone", role)

    response = send(client, "post", API, _body(), user)

    assert response.status_code == 403
    assert checked(response)["code"] == "role_required"
    assert not Project.objects.filter(code="GZ-WAT-0001").exists()


def test_registering_needs_a_token(client: Client, fund: Fund) -> None:
    response = send(client, "post", API, _body(), None)

    assert response.status_code == 401
    assert checked(response)["code"] == "authentication_required"
