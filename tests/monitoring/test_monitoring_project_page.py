"""The public project page and the projects list, as pages and over the API, on the demo:
what, where, who leads, money in and out, the board's signatures, milestones with evidence
hashes; English and Arabic; filters; a bounded number of queries; and no private datum
(bank references and accounts, who reported, a proposal's place, private files' links)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_support import assert_no_personal_data_in

from amanah.funds.models import Allocation, Contribution, Disbursement, Expenditure
from amanah.governance.models import MotionSignature, Seat
from amanah.monitoring import selectors, views
from amanah.monitoring.models import EvidenceFile, Milestone, Verification
from amanah.projects.models import Project, Proposal, ProposalStatus

pytestmark = pytest.mark.django_db
API = "/api/v1/monitoring"
CODE = "GZ-EDU-0001"


def _private_strings() -> set[str]:
    """Everything of the demo that must never reach a public page or answer."""
    words = {c.bank_reference for c in Contribution.objects.all()}
    words |= {d.bank_account for d in Disbursement.objects.all()}
    words |= {e.reported_by for e in Expenditure.objects.all()}
    # (Municipalities are checked with a marker below: the demo's are named in titles too.)
    for proposal in Proposal.objects.all():
        for value in (proposal.latitude, proposal.longitude):
            if value is not None:
                words |= {str(value), str(value.normalize())}
    for visit in Verification.objects.exclude(latitude=None):
        words |= {str(visit.latitude), str(visit.longitude)}
    words |= {f.original_name for f in EvidenceFile.objects.all()}
    return words - {""}


def _assert_nothing_private(text: str) -> None:
    leaked = sorted(word for word in _private_strings() if word in text)
    assert not leaked, leaked


def _private_files(code: str) -> list[EvidenceFile]:
    return list(
        EvidenceFile.objects.filter(public=False, reports__milestone__project__code=code)
    ) + list(
        EvidenceFile.objects.filter(public=False, verifications__milestone__project__code=code)
    )


def _signatures(code: str) -> list[MotionSignature]:
    motions = [a.motion_id for a in Allocation.objects.filter(project__code=code)]
    motions += [d.motion_id for d in Disbursement.objects.filter(allocation__project__code=code)]
    return list(MotionSignature.objects.filter(motion__in=motions).select_related("key"))


# --- the page ----------------------------------------------------------------------------------


def test_the_project_page_shows_what_where_who_money_signatures_and_evidence(
    client: Client, demo_log: Any
) -> None:
    response = client.get(f"/monitoring/projects/{CODE}/")
    assert response.status_code == 200
    text = response.content.decode()
    # What, where, who leads.
    assert "Repair of six schools in Gaza City (demo)" in text
    assert "Education" in text
    assert "Gaza" in text
    assert "PS0260" in text
    assert "XI-DEMO-PS-MOEHE" in text
    # Money in and out: both allocations' tranches, the expenditure, the totals.
    assert 'id="totals"' in text
    assert 'id="totals-usd"' in text
    for allocation in Allocation.objects.filter(project__code=CODE):
        assert f'id="allocation-{allocation.id}"' in text
        assert f'href="/entries/{allocation.reserved_index}/"' in text
    tranches = Disbursement.objects.filter(allocation__project__code=CODE)
    assert tranches.count() >= 2
    for tranche in tranches:
        assert f'id="disbursement-{tranche.id}"' in text
        assert f'href="/entries/{tranche.reserved_index}/"' in text
    for spent in Expenditure.objects.filter(allocation__project__code=CODE):
        assert f'id="expenditures-{spent.id}"' in text
        assert spent.description in text
        assert f'href="/entries/{spent.log_index}/"' in text
    # The board's signatures: seat, handle, key id, the entry of each signature.
    signatures = _signatures(CODE)
    assert signatures
    for signature in signatures:
        assert f"#key-{signature.key_id}" in text
        assert f"member-{signature.key.user_id}" in text
        assert f'href="/entries/{signature.signed_index}/"' in text
    # Milestones: every evidence hash, private ones without a link; verification results.
    files = EvidenceFile.objects.filter(reports__milestone__project__code=CODE).distinct()
    assert files.exists()
    for file in files:
        assert file.sha256 in text
    private = _private_files(CODE)
    assert private
    for file in private:
        assert f"/monitoring/evidence/{file.sha256}/" not in text
    for milestone in Milestone.objects.filter(project__code=CODE):
        assert f'href="/entries/{milestone.defined_index}/"' in text
        for visit in milestone.verifications.all():
            assert f'href="/entries/{visit.log_index}/"' in text
            assert f"result-{visit.result}" in text
    assert 'href="/monitoring/projects/"' in text
    _assert_nothing_private(text)
    assert_no_personal_data_in(response)


def test_recused_seats_are_named(client: Client, demo_log: Any) -> None:
    """The roads' lead holds a Palestinian seat: recused from its allocation motion, which
    still awaits the board."""
    seat = Seat.objects.get(organisation__iati_identifier="XI-DEMO-PS-MOPWH")
    text = client.get("/monitoring/projects/GZ-ROA-0001/").content.decode()
    assert 'class="recused"' in text
    assert seat.label_en in text
    body = client.get(f"{API}/projects/GZ-ROA-0001").json()
    (approval,) = body["approvals"]
    assert approval["status"] == "open"
    assert approval["decided_index"] is None
    assert seat.id in [recused["id"] for recused in approval["recused"]]
    assert len(approval["signatures"]) == 2
    assert body["money"]["allocations"][0]["status"] == "reserved"
    assert body["money"]["totals"][0]["allocated"] == {"value": "0.00", "currency": "EGP"}


def test_the_page_in_arabic(client: Client, demo_log: Any) -> None:
    response = client.get(f"/ar/monitoring/projects/{CODE}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'dir="rtl"' in text
    assert "ترميم ست مدارس في مدينة غزة (تجريبي)" in text
    assert "التعليم" in text  # the sector's Arabic name
    assert 'href="/ar/entries/' in text
    _assert_nothing_private(text)


def test_an_unknown_project_is_404(client: Client, demo_log: Any) -> None:
    assert client.get("/monitoring/projects/GZ-NONE-0001/").status_code == 404
    assert client.get(f"{API}/projects/GZ-NONE-0001").status_code == 404


def test_a_proposal_gives_its_description_and_dac_codes_never_its_place(
    client: Client, demo_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a project links to its proposal: its description and DAC codes are shown,
    its municipality and exact point never are."""
    proposal = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).exclude(latitude=None)[0]
    proposal.municipality = "Secret-Municipality-Marker"
    proposal.latitude, proposal.longitude = Decimal("31.412345"), Decimal("34.398765")
    monkeypatch.setattr(selectors, "_public_proposal", lambda project: proposal)
    text = client.get(f"/monitoring/projects/{CODE}/").content.decode()
    assert 'id="dac-codes"' in text
    for code in proposal.dac_codes:
        assert code in text
    assert proposal.description_en.splitlines()[0] in text
    body = client.get(f"{API}/projects/{CODE}").json()
    assert body["description_en"] == proposal.description_en
    assert [d["code"] for d in body["dac_codes"]] == proposal.dac_codes
    for leaked in (text, str(body)):
        assert "Secret-Municipality-Marker" not in leaked
        assert str(proposal.latitude) not in leaked
        assert str(proposal.longitude) not in leaked


def test_the_page_takes_a_bounded_number_of_queries(
    client: Client, demo_log: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(25):
        assert client.get(f"/monitoring/projects/{CODE}/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(f"{API}/projects/{CODE}").status_code == 200


# --- the list ----------------------------------------------------------------------------------


def test_the_projects_list_and_its_filters(client: Client, demo_log: Any) -> None:
    response = client.get("/monitoring/projects/")
    assert response.status_code == 200
    text = response.content.decode()
    for code in ("GZ-EDU-0001", "GZ-HEA-0001", "GZ-HOU-0001", "GZ-ROA-0001"):
        assert f'id="project-{code}"' in text
        assert f'href="/monitoring/projects/{code}/"' in text
    assert "2 of 3" in text  # the schools' milestones verified
    assert "USD" in text

    health = client.get("/monitoring/projects/", {"sector": "health"}).content.decode()
    assert 'id="project-GZ-HEA-0001"' in health
    assert 'id="project-GZ-HEA-0002"' in health
    assert 'id="project-GZ-EDU-0001"' not in health

    rafah = client.get("/monitoring/projects/", {"governorate": "PS0275"}).content.decode()
    assert 'id="project-GZ-ROA-0001"' in rafah
    assert 'id="project-GZ-EDU-0001"' not in rafah

    led = client.get("/monitoring/projects/", {"lead": "XI-DEMO-PS-MOEHE"}).content.decode()
    assert 'id="project-GZ-EDU-0001"' in led
    assert 'id="project-GZ-HOU-0001"' not in led

    closed = client.get("/monitoring/projects/", {"status": "closed"}).content.decode()
    assert 'id="project-' not in closed

    # An unknown value filters nothing rather than failing.
    assert client.get("/monitoring/projects/", {"sector": "nonsense"}).status_code == 200

    arabic = client.get("/ar/monitoring/projects/")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.content.decode()
    _assert_nothing_private(text)


def test_the_list_takes_a_bounded_number_of_queries(
    client: Client, demo_log: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        assert client.get("/monitoring/projects/").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(f"{API}/projects").status_code == 200


def test_the_list_is_paginated_and_keeps_its_filters(
    client: Client, demo_log: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PROJECTS_PER_PAGE", 1)
    first = client.get("/monitoring/projects/", {"sector": "health"}).content.decode()
    assert 'id="project-GZ-HEA-0001"' in first
    assert 'id="project-GZ-HEA-0002"' not in first
    assert 'href="?sector=health&amp;page=2"' in first
    second = client.get("/monitoring/projects/", {"sector": "health", "page": 2})
    text = second.content.decode()
    assert 'id="project-GZ-HEA-0002"' in text
    assert 'id="project-GZ-HEA-0001"' not in text
    assert 'href="?sector=health&amp;page=1"' in text


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_and_filters_projects(client: Client, demo_log: Any) -> None:
    body = client.get(f"{API}/projects").json()
    codes = [p["code"] for p in body["projects"]]
    assert codes == sorted(codes)
    assert "GZ-EDU-0001" in codes
    assert body["total"] == len(codes)
    assert body["limit"] == 50
    assert body["offset"] == 0
    schools = next(p for p in body["projects"] if p["code"] == CODE)
    assert schools["sector"]["code"] == "education"
    assert schools["governorate"]["code"] == "PS0260"
    assert schools["lead"]["iati_identifier"] == "XI-DEMO-PS-MOEHE"
    assert schools["allocated_usd"] == {"value": "6000000.00", "currency": "USD"}
    assert schools["disbursed_usd"]["currency"] == "USD"
    assert isinstance(schools["disbursed_usd"]["value"], str)
    assert (schools["milestones_verified"], schools["milestones_total"]) == (2, 3)

    health = client.get(f"{API}/projects", {"sector": "health"}).json()
    expected = set(Project.objects.filter(sector="health").values_list("code", flat=True))
    assert len(expected) >= 2
    assert {p["code"] for p in health["projects"]} == expected
    paged = client.get(f"{API}/projects", {"limit": 2, "offset": 1}).json()
    assert [p["code"] for p in paged["projects"]] == codes[1:3]
    assert paged["total"] == len(codes)
    assert client.get(f"{API}/projects", {"limit": 0}).status_code == 422


def test_the_api_gives_everything_the_page_shows(client: Client, demo_log: Any) -> None:
    response = client.get(f"{API}/projects/{CODE}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == CODE
    assert body["title_ar"]
    assert body["sector"]["name_ar"] == "التعليم"
    assert body["lead"]["iati_identifier"] == "XI-DEMO-PS-MOEHE"
    money = body["money"]
    assert {a["id"] for a in money["allocations"]} == {
        str(a.id) for a in Allocation.objects.filter(project__code=CODE)
    }
    assert {d["id"] for d in money["disbursements"]} == {
        str(d.id) for d in Disbursement.objects.filter(allocation__project__code=CODE)
    }
    assert money["expenditures"]
    assert all(isinstance(e["amount"]["value"], str) for e in money["expenditures"])
    assert money["totals"][0]["currency"] == "USD"
    assert money["totals"][0]["allocated"] == {"value": "6000000.00", "currency": "USD"}
    assert money["usd"]["allocated"]["value"] == "6000000.00"
    signed = {(s["key_id"], s["signed_index"]) for a in body["approvals"] for s in a["signatures"]}
    assert signed == {(s.key_id, s.signed_index) for s in _signatures(CODE)}
    decided = [a for a in body["approvals"] if a["status"] == "executed"]
    assert decided
    assert all(a["decided_index"] is not None for a in decided)
    assert all(s["seat"] is not None for a in decided for s in a["signatures"])
    hashes = {f["sha256"]: f for m in body["milestones"] for r in m["reports"]
              for f in r["evidence"]}  # fmt: skip
    for file in _private_files(CODE):
        assert hashes[file.sha256]["url"] is None
    results = {v["result"] for m in body["milestones"] for v in m["verifications"]}
    assert "pass" in results
    _assert_nothing_private(response.content.decode())
    assert_no_personal_data_in(response)
    assert "bank" not in response.content.decode().lower()
