"""The API's OpenAPI schema: committed, never drifting, served with its docs page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from openapi_check import EXPORT_ARGS, REGENERATE, SCHEMA_FILE


def test_the_committed_schema_is_the_apis(tmp_path: Path) -> None:
    exported = tmp_path / "openapi.json"

    call_command("export_openapi_schema", *EXPORT_ARGS, "--output", str(exported))

    assert exported.read_text() == SCHEMA_FILE.read_text(), (
        f"docs/openapi.json is not the API's schema any more; regenerate it with\n"
        f"    {REGENERATE}\n"
        "and review the difference: a published API changes by adding, not by breaking."
    )


def test_the_schema_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == json.loads(SCHEMA_FILE.read_text())


def test_the_schema_describes_the_api() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())

    assert schema["info"]["title"] == "Amanah API"
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) == {
        "/api/v1/access/consignments",
        "/api/v1/access/consignments/import",
        "/api/v1/access/consignments/{consignment_id}",
        "/api/v1/access/consignments/{consignment_id}/events",
        "/api/v1/access/crossings",
        "/api/v1/access/crossings/{code}/days",
        "/api/v1/access/metrics",
        "/api/v1/access/metrics.csv",
        "/api/v1/access/metrics/rejected.csv",
        "/api/v1/access/warehouses",
        "/api/v1/assets",
        "/api/v1/assets/assessments/import",
        "/api/v1/assets/damage",
        "/api/v1/assets/{code}",
        "/api/v1/assets/{code}/assessments",
        "/api/v1/assets/{code}/link",
        "/api/v1/board",
        "/api/v1/fund/allocations",
        "/api/v1/fund/allocations/{allocation_id}",
        "/api/v1/fund/balances",
        "/api/v1/fund/commitments",
        "/api/v1/fund/contributions",
        "/api/v1/fund/contributions/import",
        "/api/v1/fund/conversions",
        "/api/v1/fund/disbursements",
        "/api/v1/fund/disbursements/{disbursement_id}",
        "/api/v1/fund/donors",
        "/api/v1/fund/expenditures",
        "/api/v1/fund/figures",
        "/api/v1/fund/pledges",
        "/api/v1/fund/rates",
        "/api/v1/fund/refunds",
        "/api/v1/fund/reversals",
        "/api/v1/log/checkpoint",
        "/api/v1/log/entries",
        "/api/v1/log/entries/{index}",
        "/api/v1/materials/flags",
        "/api/v1/materials/flags/{flag_id}/resolve",
        "/api/v1/materials/movements",
        "/api/v1/materials/reconciliation",
        "/api/v1/materials/stock-movements",
        "/api/v1/materials/types",
        "/api/v1/materials/vendors",
        "/api/v1/me",
        "/api/v1/messages",
        "/api/v1/messages/{thread_id}",
        "/api/v1/messages/{thread_id}/replies",
        "/api/v1/monitoring/evidence/{sha256}",
        "/api/v1/monitoring/evidence/{sha256}/content",
        "/api/v1/monitoring/indicators/{indicator_id}",
        "/api/v1/monitoring/milestones/{milestone_id}",
        "/api/v1/monitoring/milestones/{milestone_id}/reports",
        "/api/v1/monitoring/milestones/{milestone_id}/verifications",
        "/api/v1/monitoring/notifications",
        "/api/v1/monitoring/notifications/{notification_id}/read",
        "/api/v1/monitoring/projects",
        "/api/v1/monitoring/projects/{code}",
        "/api/v1/monitoring/projects/{code}/indicators",
        "/api/v1/monitoring/projects/{code}/milestones",
        "/api/v1/motions",
        "/api/v1/motions/{motion_id}",
        "/api/v1/motions/{motion_id}/refusals",
        "/api/v1/motions/{motion_id}/signatures",
        "/api/v1/motions/{motion_id}/withdrawal",
        "/api/v1/organisations",
        "/api/v1/organisations/{iati_identifier}",
        "/api/v1/projects",
        "/api/v1/projects/partners/{iati_identifier}/assessments",
        "/api/v1/projects/proposals",
        "/api/v1/projects/proposals/mine",
        "/api/v1/projects/proposals/{proposal_id}",
        "/api/v1/projects/proposals/{proposal_id}/submission",
        "/api/v1/projects/proposals/{proposal_id}/withdrawal",
        "/api/v1/projects/risk-policy",
        "/api/v1/projects/{code}",
        "/api/v1/rounds",
        "/api/v1/rounds/{code}",
        "/api/v1/rounds/{code}/open",
        "/api/v1/rounds/{code}/optimise",
        "/api/v1/rounds/{code}/portfolio",
        "/api/v1/rounds/{code}/proposals",
        "/api/v1/rounds/{code}/scores",
    }
    assert schema["components"]["securitySchemes"] == {
        "ApiTokenAuth": {"scheme": "bearer", "type": "http"}
    }
    # The log, the board and the organisations are public to read; /me and writes need a
    # token.
    assert "security" not in schema["paths"]["/api/v1/log/checkpoint"]["get"]
    assert "security" not in schema["paths"]["/api/v1/board"]["get"]
    assert "security" not in schema["paths"]["/api/v1/organisations"]["get"]
    assert "security" not in schema["paths"]["/api/v1/fund/figures"]["get"]
    assert "security" not in schema["paths"]["/api/v1/projects"]["get"]
    assert "security" not in schema["paths"]["/api/v1/monitoring/projects/{code}/milestones"]["get"]
    assert "security" not in schema["paths"]["/api/v1/access/metrics"]["get"]
    assert "security" not in schema["paths"]["/api/v1/assets/damage"]["get"]
    assert "security" not in schema["paths"]["/api/v1/assets/{code}"]["get"]
    assert schema["paths"]["/api/v1/assets"]["post"]["security"] == [{"ApiTokenAuth": []}]
    assert schema["paths"]["/api/v1/access/consignments"]["get"]["security"] == [
        {"ApiTokenAuth": []}
    ]
    assert schema["paths"]["/api/v1/fund/pledges"]["post"]["security"] == [{"ApiTokenAuth": []}]
    assert schema["paths"]["/api/v1/organisations"]["post"]["security"] == [{"ApiTokenAuth": []}]
    assert schema["paths"]["/api/v1/motions"]["post"]["security"] == [{"ApiTokenAuth": []}]
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{"ApiTokenAuth": []}]


def test_every_error_status_is_declared_with_the_error_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorOut", (method, path, status)


def test_the_docs_page_loads_nothing_from_elsewhere(client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.text
    assert "<title>Amanah API</title>" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert [s for s in sources if not s.startswith("/static/")] == []
    # No inline script runs: the settings travel as inert JSON, which the CSP allows.
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    # collectstatic will find each of them among the installed apps' static files.
    for path in sources:
        assert finders.find(path.removeprefix("/static/")), path


def test_no_two_schemas_share_a_name() -> None:
    """OpenAPI names a component by its class: two schemas of one name would make one of
    them describe the other's responses."""
    from ninja import Schema

    import amanah.api.main  # noqa: F401 - imports every router and its schemas

    def subclasses(cls: type) -> set[type]:
        found: set[type] = set()
        for sub in cls.__subclasses__():
            found |= {sub, *subclasses(sub)}
        return found

    ours = [c for c in subclasses(Schema) if c.__module__.startswith("amanah.")]
    names = [c.__name__ for c in ours]
    assert sorted({n for n in names if names.count(n) > 1}) == []
