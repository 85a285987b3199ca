"""Proposals through the services: drafts (not logged), submission (checked in full,
logged with public fields only), withdrawal; who may do what."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

_TESTS = Path(__file__).resolve().parents[1]
for _directory in ("governance", "funds", "api", "projects"):
    sys.path.insert(0, str(_TESTS / _directory))

from governance_factories import assert_no_personal_data, make_user  # noqa: E402
from proposal_factories import (  # noqa: E402
    LEAD,
    Fund,
    build_fund,
    draft,
    draft_input,
    partner_staff,
    ready,
)

from amanah.accounts.models import Role, User  # noqa: E402
from amanah.accounts.roles import RoleRequired  # noqa: E402
from amanah.ledger.models import LogEntry  # noqa: E402
from amanah.orgs.services import organisation_register  # noqa: E402
from amanah.projects.models import Proposal, ProposalStatus  # noqa: E402
from amanah.projects.services import (  # noqa: E402
    partner_assess,
    proposal_save_draft,
    proposal_submit,
    proposal_withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


def test_a_draft_is_saved_and_changed_without_logging(fund: Fund) -> None:
    staff = partner_staff()
    before = LogEntry.objects.count()

    proposal = proposal_save_draft(title_en="Half-written", actor=staff)
    proposal = proposal_save_draft(proposal=proposal.id, **draft_input(), actor=staff)

    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.lead.iati_identifier == LEAD
    assert [line.amount_cents for line in proposal.budget_lines.all()] == [80000000, 40000000]
    assert [str(m.budget_percent) for m in proposal.milestones.all()] == ["40.00", "60.00"]
    assert LogEntry.objects.count() == before


def test_submission_is_logged_with_public_fields_only(fund: Fund) -> None:
    staff = ready(fund)
    proposal = proposal_submit(proposal=draft(staff).id, actor=staff)

    entry = LogEntry.objects.get(index=proposal.submitted_index)
    logged = json.loads(bytes(entry.entry))
    assert logged["type"] == "amanah.proposal.submitted.v1"
    assert logged["actor"] == f"user:{staff.pk}"
    data = logged["data"]
    assert data["lead"] == LEAD
    assert data["budget"] == {
        "currency": "USD",
        "total": "1200000.00",
        "lines": [
            {"description": "Structure", "amount": "800000.00"},
            {"description": "Finishing", "amount": "400000.00"},
        ],
    }
    assert data["beneficiaries"] == {"total": 240, "women": 120, "children": 100}
    # Finer than a governorate: only a commitment.
    text = bytes(entry.entry).decode()
    assert "Khan Younis" not in text
    assert "31.3462" not in text
    assert logged["private_commitment"]
    assert proposal.status == ProposalStatus.SUBMITTED
    assert_no_personal_data()


def test_assessments_log_level_and_summary_not_details(fund: Fund) -> None:
    ready(fund)
    entry = LogEntry.objects.filter(kind="partner.assessed").get()
    logged = json.loads(bytes(entry.entry))

    assert logged["data"]["risk_level"] == "medium"
    assert logged["data"]["summary"] == "Sound controls."
    assert "finance officer" not in bytes(entry.entry).decode()
    assert logged["actor"] == f"user:{fund.secretariat.pk}"
    assert_no_personal_data()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title_en": "", "title_ar": ""}, "title_en"),
        ({"description_en": "", "description_ar": ""}, "description_en"),
        ({"sector": ""}, "sector"),
        ({"dac_codes": []}, "dac_codes"),
        ({"dac_codes": ["99999"]}, "dac_codes"),  # not a DAC code
        ({"dac_codes": ["23010"]}, "dac_codes"),  # withdrawn
        ({"dac_codes": ["11120"]}, "dac_codes"),  # education, not housing
        ({"dac_codes": ["73010"]}, "dac_codes"),  # reconstruction of what?
        ({"governorate": ""}, "governorate"),
        ({"latitude": "31.5236", "longitude": "34.4466"}, "latitude"),  # Gaza City
        ({"beneficiaries_total": 0, "beneficiaries_women": 0, "beneficiaries_children": 0},
         "beneficiaries_total"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": None}, "ends_on"),
        ({"budget_lines": []}, "budget_lines"),
        ({"budget_lines": [{"description": "All", "amount": "2000000.01"}]}, "budget_lines"),
        ({"milestones": []}, "milestones"),
        ({"milestones": [{"title": "All", "due_on": "2026-08-01", "budget_percent": "90"}]},
         "milestones"),
        ({"milestones": [{"title": "All", "due_on": "2028-01-01", "budget_percent": "100"}]},
         "milestones.0.due_on"),
    ],
)  # fmt: skip
def test_submission_names_the_field_at_fault(
    fund: Fund, overrides: dict[str, Any], field: str
) -> None:
    staff = ready(fund)
    proposal = draft(staff, **overrides)
    before = LogEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        proposal_submit(proposal=proposal, actor=staff)

    assert field in _fields(error), error.value.message_dict
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"beneficiaries_women": 241}, "beneficiaries_women"),
        ({"beneficiaries_children": 241}, "beneficiaries_children"),
        ({"beneficiaries_total": -1}, "beneficiaries_total"),
        ({"ends_on": "2026-02-01"}, "ends_on"),
        ({"starts_on": "1 March"}, "starts_on"),
        ({"sector": "astronautics"}, "sector"),
        ({"governorate": "PS9999"}, "governorate"),
        ({"latitude": None}, "latitude"),
        ({"longitude": "east"}, "longitude"),
        ({"co_implementers": ["XI-NOBODY"]}, "co_implementers"),
        ({"co_implementers": [LEAD]}, "co_implementers"),
        ({"budget_lines": [{"description": "", "amount": "10"}]}, "budget_lines.0.description"),
        ({"budget_lines": [{"description": "x", "amount": "10.001"}]}, "budget_lines.0.amount"),
        ({"budget_lines": [{"description": "x", "amount": 10.5}]}, "budget_lines.0.amount"),
        ({"budget_lines": [{"description": "x", "amount": "-5"}]}, "budget_lines.0.amount"),
        ({"milestones": [{"title": "", "due_on": "2026-08-01", "budget_percent": "100"}]},
         "milestones.0.title"),
        ({"milestones": [{"title": "x", "due_on": "", "budget_percent": "100"}]},
         "milestones.0.due_on"),
        ({"milestones": [{"title": "x", "due_on": "2026-08-01", "budget_percent": "101"}]},
         "milestones.0.budget_percent"),
        ({"dac_codes": "16040"}, "dac_codes"),
    ],
)  # fmt: skip
def test_a_malformed_draft_names_the_field(
    fund: Fund, overrides: dict[str, Any], field: str
) -> None:
    staff = partner_staff()
    with pytest.raises(ValidationError) as error:
        draft(staff, **overrides)
    assert field in _fields(error), error.value.message_dict


def test_an_unassessed_partner_cannot_submit(fund: Fund) -> None:
    staff = partner_staff()
    proposal = draft(staff)

    with pytest.raises(ValidationError) as error:
        proposal_submit(proposal=proposal, actor=staff)

    assert "assessment" in error.value.message_dict["lead"][0]


def test_the_largest_project_follows_the_lead_s_risk_level(fund: Fund) -> None:
    staff = ready(fund, "high")  # USD 500,000 at most
    with pytest.raises(ValidationError) as error:
        proposal_submit(proposal=draft(staff), actor=staff)
    assert "500000.00" in error.value.message_dict["budget_lines"][0]

    partner_assess(organisation=LEAD, risk_level="low", assessed_on="2026-02-01",
                   summary="Improved.", actor=fund.secretariat)  # fmt: skip
    assert proposal_submit(proposal=draft(staff), actor=staff).submitted_index is not None


def test_only_the_lead_s_staff_draft_and_submit(fund: Fund) -> None:
    staff = ready(fund)
    proposal = draft(staff)
    organisation_register(
        iati_identifier="XI-TEST-PS-OTHER", organisation_type="22", name_en="Other body",
        name_ar="", country="PS", is_palestinian=True, actor="test:secretariat",
    )  # fmt: skip
    other = User.objects.create_user(
        username="other-staff", role=Role.PARTNER_STAFF, organisation_iati_id="XI-TEST-PS-OTHER"
    )
    donor_staff = User.objects.create_user(
        username="donor-staff", role=Role.PARTNER_STAFF, organisation_iati_id=fund.donor("QA")
    )

    with pytest.raises(RoleRequired):
        proposal_save_draft(title_en="x", actor=fund.secretariat)
    with pytest.raises(RoleRequired):
        proposal_submit(proposal=proposal, actor=make_user("monitor-1", Role.MONITOR))
    with pytest.raises(ValidationError) as error:
        proposal_submit(proposal=proposal, actor=other)
    assert _fields(error) == {"proposal"}
    with pytest.raises(ValidationError) as error:
        proposal_save_draft(title_en="x", actor=donor_staff)
    assert _fields(error) == {"lead"}
    with pytest.raises(RoleRequired):
        partner_assess(organisation=LEAD, risk_level="low", assessed_on="2026-01-01",
                       summary="x", actor=staff)  # fmt: skip


def test_a_submitted_proposal_is_final_and_withdrawn_with_a_reason(fund: Fund) -> None:
    staff = ready(fund)
    proposal = proposal_submit(proposal=draft(staff), actor=staff)

    with pytest.raises(ValidationError) as error:
        proposal_save_draft(proposal=proposal.id, **draft_input(), actor=staff)
    assert _fields(error) == {"proposal"}
    with pytest.raises(ValidationError) as error:
        proposal_submit(proposal=proposal, actor=staff)
    assert _fields(error) == {"proposal"}
    with pytest.raises(ValidationError) as error:
        proposal_withdraw(proposal=proposal, actor=staff)
    assert _fields(error) == {"reason"}

    withdrawn = proposal_withdraw(proposal=proposal, reason="Funded elsewhere.", actor=staff)

    entry = LogEntry.objects.get(index=withdrawn.withdrawn_index)
    assert entry.kind == "proposal.withdrawn"
    assert json.loads(bytes(entry.entry))["data"] == {
        "proposal": str(proposal.id),
        "reason": "Funded elsewhere.",
    }


def test_withdrawing_a_draft_is_not_logged(fund: Fund) -> None:
    staff = partner_staff()
    proposal = draft(staff)
    before = LogEntry.objects.count()

    assert proposal_withdraw(proposal=proposal, actor=staff).status == ProposalStatus.WITHDRAWN
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"organisation": "XI-NOBODY"}, "organisation"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"assessed_on": "2999-01-01"}, "assessed_on"),
        ({"assessed_on": "yesterday"}, "assessed_on"),
        ({"summary": " "}, "summary"),
    ],
)
def test_a_bad_assessment_names_its_field(
    fund: Fund, overrides: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "organisation": LEAD,
        "risk_level": "low",
        "assessed_on": "2026-01-10",
        "summary": "Fine.",
        **overrides,
    }
    with pytest.raises(ValidationError) as error:
        partner_assess(**arguments, actor=fund.secretariat)
    assert field in _fields(error)


def test_errors_are_translated(fund: Fund) -> None:
    from django.utils import translation

    staff = partner_staff()
    with translation.override("ar"), pytest.raises(ValidationError) as error:
        draft(staff, ends_on="2026-02-01")
    message = error.value.message_dict["ends_on"][0]
    assert message  # a catalogue may not translate it yet; it must still name the field


def test_a_coordinate_too_large_to_compute_is_named_not_a_crash(fund: Fund) -> None:
    staff = partner_staff()
    with pytest.raises(ValidationError) as raised:
        proposal_save_draft(**draft_input(latitude="1e9999999"), actor=staff)
    assert raised.value.error_dict["latitude"][0].code == "coordinate"
    assert not Proposal.objects.exists()
