"""The proposal pages in English and Arabic: the public list, the partner workspace with
formsets (no JavaScript), submission, the partners' page and the risk policy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

_TESTS = Path(__file__).resolve().parents[1]
for _directory in ("governance", "funds", "api", "projects"):
    sys.path.insert(0, str(_TESTS / _directory))

from proposal_factories import LEAD, Fund, build_fund, partner_staff, ready  # noqa: E402

from amanah.ledger.models import LogEntry  # noqa: E402
from amanah.projects.models import Proposal, ProposalStatus  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def _post_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title_en": "Rebuild 40 flats", "title_ar": "", "description_en": "Two blocks.",
        "description_ar": "", "sector": "housing", "dac_codes": "16040, 73010",
        "governorate": "PS0270", "municipality": "Khan Younis", "latitude": "31.3462",
        "longitude": "34.3063", "beneficiaries_total": "240", "beneficiaries_women": "120",
        "beneficiaries_children": "100", "starts_on": "2026-03-01", "ends_on": "2027-03-01",
        "co_implementers": "",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Structure", "lines-0-amount": "800000",
        "lines-1-description": "", "lines-1-amount": "",
        "lines-2-description": "Finishing", "lines-2-amount": "400000",
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0",
        "steps-0-title": "Frame", "steps-0-due_on": "2026-08-01", "steps-0-budget_percent": "40",
        "steps-1-title": "Hand-over", "steps-1-due_on": "2027-02-01",
        "steps-1-budget_percent": "60",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_partner_drafts_and_submits_through_the_pages(client: Client, fund: Fund) -> None:
    staff = ready(fund)
    client.force_login(staff)
    assert client.get("/proposals/new/").status_code == 200

    response = client.post("/proposals/new/", _post_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.DRAFT
    assert [line.description for line in proposal.budget_lines.all()] == ["Structure", "Finishing"]
    page = client.get(f"/proposals/{proposal.id}/")
    assert "31.3462" in page.text  # its own staff see the private location
    assert client.get(f"/proposals/{proposal.id}/edit/").status_code == 200
    assert client.get("/proposals/mine/").status_code == 200

    response = client.post(f"/proposals/{proposal.id}/submit")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED

    client.logout()
    public = client.get(f"/proposals/{proposal.id}/")
    assert public.status_code == 200
    assert "31.3462" not in public.text
    assert "Rebuild 40 flats" in client.get("/proposals/").text
    arabic = client.get("/ar/proposals/")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.text


def test_the_form_puts_errors_on_their_fields(client: Client, fund: Fund) -> None:
    client.force_login(partner_staff())
    before = LogEntry.objects.count()

    response = client.post(
        "/proposals/new/",
        _post_data(**{"beneficiaries_women": "999", "lines-2-amount": "1.234"}),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["beneficiaries_women"]
    assert response.context["lines"].forms[2].errors["amount"]
    assert not Proposal.objects.exists()
    assert LogEntry.objects.count() == before
    # Submitting without an assessment: 400 naming the lead's assessment.
    client.post("/proposals/new/", _post_data())
    proposal = Proposal.objects.get()
    response = client.post(f"/proposals/{proposal.id}/submit")
    assert response.status_code == 400
    assert "lead" in response.context["problems"]


def test_roles_on_the_pages(client: Client, fund: Fund) -> None:
    assert client.get("/proposals/new/").status_code == 302  # to log in
    client.force_login(fund.secretariat)
    assert client.get("/proposals/new/").status_code == 403
    assert client.get("/proposals/mine/").status_code == 403
    client.force_login(partner_staff())
    assert client.post("/partners/", {"organisation": LEAD}).status_code == 403


def test_the_secretariat_assesses_and_the_public_sees_levels(client: Client, fund: Fund) -> None:
    ready(fund)
    client.force_login(fund.secretariat)
    form = client.get("/partners/")
    assert form.status_code == 200
    assert "Record an assessment" in form.text
    response = client.post(
        "/partners/",
        {"organisation": LEAD, "risk_level": "high", "assessed_on": "2026-02-01",
         "summary": "Reassessed.", "details": "Private."},
    )  # fmt: skip
    assert response.status_code == 302
    bad = client.post("/partners/", {"organisation": LEAD, "risk_level": "x"})
    assert bad.status_code == 400
    client.logout()
    page = client.get("/partners/")
    assert "Reassessed." in page.text
    assert "Private." not in page.text
    assert "Record an assessment" not in page.text
    policy = client.get("/risk-policy/")
    assert policy.status_code == 200
    assert "5,000,000.00" in policy.text
    assert client.get("/ar/risk-policy/").status_code == 200
    assert client.get("/ar/partners/").status_code == 200
