"""Milestones through their transitions: defined, reported with evidence, verified pass
(the tranche's motion prepared), partial, fail (blocked, the secretariat told), passed
later (unblocked); roles; no personal data in the log; the fund's replay stays clean."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "funds"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fund_factories import replay_log
from governance_factories import assert_no_personal_data
from monitoring_factories import Monitored, build_monitored, jpeg, pdf

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired
from amanah.funds.models import Disbursement, MoveStatus
from amanah.funds.selectors import fund_figures
from amanah.funds.services import disbursement_prepare
from amanah.governance.models import MotionStatus
from amanah.ledger.models import LogEntry
from amanah.monitoring.models import EvidenceFile, MilestoneStatus, Notification
from amanah.monitoring.services import (
    indicator_set,
    milestone_define,
    milestone_report,
    milestone_verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def m(var_dir: Path) -> Monitored:
    return build_monitored()


def _logged(kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        json.loads(bytes(e.entry)) for e in LogEntry.objects.filter(kind=kind).order_by("index")
    ]


def _report(m: Monitored, milestone=None, label: str = "roof"):  # type: ignore[no-untyped-def]
    return milestone_report(
        milestone=(milestone or m.first).id, reported_on="2026-02-20", summary="Roof done",
        evidence=[("photo", jpeg(label)), ("invoice", pdf(f"Invoice {label}"))], actor=m.partner,
    )  # fmt: skip


def _verify(m: Monitored, result: str, milestone=None, **extra):  # type: ignore[no-untyped-def]
    return milestone_verify(
        milestone=(milestone or m.first).id, visited_on="2026-02-25", result=result,
        findings="Seen on site", actor=m.monitor, **extra,
    )  # fmt: skip


def _audit_is_clean() -> None:
    book = replay_log()
    assert book.violations == []
    assert fund_figures() == book.figures()


def test_define_logs_the_plan(m: Monitored) -> None:
    (first, second) = _logged("milestone.defined")
    assert first["data"] == {
        "milestone": str(m.first.id),
        "project": "GZ-EDU-0001",
        "number": 1,
        "deliverable": {"en": "Roof of block A", "ar": "سقف المبنى أ"},
        "due": "2026-03-01",
        "allocation": str(m.school.id),
        "tranche": {"amount": "300000.00", "currency": "USD"},
    }
    assert second["data"]["number"] == 2
    assert first["actor"] == f"user:{m.secretariat.pk}"


def test_define_checks_the_allocation_and_what_it_can_release(m: Monitored) -> None:
    s = m.secretariat
    with pytest.raises(ValidationError) as error:
        milestone_define(project="GZ-EDU-0001", deliverable_en="x", deliverable_ar="س",
                         due="2026-09-01", allocation=m.homes.id, tranche="1", actor=s)  # fmt: skip
    assert list(error.value.message_dict) == ["allocation"]
    with pytest.raises(ValidationError) as error:
        milestone_define(project="GZ-EDU-0001", deliverable_en="x", deliverable_ar="س",
                         due="2026-09-01", allocation=m.school.id, tranche="1500000.01",
                         actor=s)  # fmt: skip
    assert error.value.message_dict["tranche"] == [
        "The allocation's other milestones leave only 1500000.00 USD to release."
    ]
    with pytest.raises(ValidationError) as error:
        milestone_define(project="GZ-EDU-0001", deliverable_en=" ", deliverable_ar="",
                         due="soon", allocation=m.school.id, tranche="1", actor=s)  # fmt: skip
    assert set(error.value.message_dict) <= {"deliverable_en", "deliverable_ar", "due"}
    with pytest.raises(RoleRequired):
        milestone_define(project="GZ-EDU-0001", deliverable_en="x", deliverable_ar="س",
                         due="2026-09-01", allocation=m.school.id, tranche="1",
                         actor=m.partner)  # fmt: skip


def test_report_stores_evidence_and_logs_hashes_not_names(m: Monitored) -> None:
    filed = _report(m)

    m.first.refresh_from_db()
    assert m.first.status == MilestoneStatus.REPORTED
    assert filed.duplicates == ()
    (entry,) = _logged("milestone.reported")
    files = {f["kind"]: f for f in entry["data"]["evidence"]}
    assert files["photo"]["public"] is True
    assert files["photo"]["content_type"] == "image/jpeg"
    assert files["invoice"]["public"] is False
    assert files["invoice"]["content_type"] == "application/pdf"
    assert entry["data"]["summary"] == "Roof done"
    # Logged as the organisation; who reported is only committed to.
    assert entry["actor"] == "org:XI-DEMO-PS-PHG"
    assert entry["private_commitment"]
    logged = b"".join(bytes(e.entry) for e in LogEntry.objects.all())
    assert b"Ahmad" not in logged  # the original file names stay private
    assert EvidenceFile.objects.get(pk=files["invoice"]["sha256"]).original_name == (
        "invoice-Ahmad.pdf"
    )


def test_a_duplicate_file_is_reused_and_reported(m: Monitored) -> None:
    first = _report(m)
    again = milestone_report(
        milestone=m.second.id, reported_on="2026-02-21", summary="Same photo",
        evidence=[("photo", jpeg("roof", name="other.jpg"))], actor=m.partner,
    )  # fmt: skip
    (photo,) = again.row.evidence.all()
    assert again.duplicates == (photo.sha256,)
    assert photo in first.row.evidence.all()
    assert EvidenceFile.objects.count() == 2


def test_only_the_leads_partner_staff_report(m: Monitored) -> None:
    other = User.objects.create_user(
        username="partner-other", role=Role.PARTNER_STAFF, organisation_iati_id="XM-DAC-PK-1"
    )
    with pytest.raises(ValidationError) as error:
        milestone_report(milestone=m.first.id, reported_on="2026-02-20", summary="x",
                         evidence=[("photo", jpeg())], actor=other)  # fmt: skip
    assert list(error.value.message_dict) == ["milestone"]
    with pytest.raises(RoleRequired):
        milestone_report(milestone=m.first.id, reported_on="2026-02-20", summary="x",
                         evidence=[("photo", jpeg())], actor=m.monitor)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        milestone_report(milestone=m.first.id, reported_on="2026-02-20", summary="x",
                         evidence=[], actor=m.partner)  # fmt: skip
    assert list(error.value.message_dict) == ["evidence"]


def test_only_a_monitor_verifies_and_only_a_reported_milestone(m: Monitored) -> None:
    with pytest.raises(ValidationError) as error:
        _verify(m, "pass")
    assert list(error.value.message_dict) == ["milestone"]
    _report(m)
    with pytest.raises(RoleRequired):
        milestone_verify(milestone=m.first.id, visited_on="2026-02-25", result="pass",
                         findings="x", actor=m.secretariat)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        _verify(m, "maybe")
    assert list(error.value.message_dict) == ["result"]
    with pytest.raises(ValidationError) as error:
        _verify(m, "pass", latitude="48.8566", longitude="2.3522")
    assert list(error.value.message_dict) == ["latitude"]


def test_a_pass_prepares_the_tranche_for_the_board(m: Monitored) -> None:
    _report(m)
    filed = _verify(m, "pass", latitude="31.504123", longitude="34.462151",
                    evidence=[("photo", jpeg("visit"))])  # fmt: skip

    m.first.refresh_from_db()
    assert m.first.status == MilestoneStatus.VERIFIED
    disbursement = filed.row.disbursement
    assert disbursement == m.first.disbursement
    assert disbursement.amount.to_json() == {"amount": "300000.00", "currency": "USD"}
    assert disbursement.allocation_id == m.school.id
    assert disbursement.motion.kind == "fund.disburse"
    assert disbursement.motion.status == MotionStatus.OPEN
    (entry,) = _logged("milestone.verified")
    assert entry["actor"] == f"user:{m.monitor.pk}"
    assert entry["data"]["result"] == "pass"
    assert entry["data"]["point"] == {"lat": "31.504", "lon": "34.462"}
    assert entry["data"]["disbursement"] == str(disbursement.id)
    reserved = LogEntry.objects.get(index=disbursement.reserved_index)
    assert reserved.actor == "amanah:monitoring"
    assert LogEntry.objects.get(index=disbursement.motion.opened_index).actor == (
        "amanah:monitoring"
    )
    # The exact point stays in the database, committed to in the log.
    assert str(filed.row.latitude) == "31.504123"
    assert b"31.504123" not in bytes(LogEntry.objects.get(index=filed.row.log_index).entry)

    m.fund.pass_motion(disbursement.motion)
    disbursement.refresh_from_db()
    assert disbursement.status == MoveStatus.APPROVED
    _audit_is_clean()
    assert fund_figures()["totals"]["disbursed"] == "300000.00"


def test_a_partial_prepares_nothing_and_waits_for_another_report(m: Monitored) -> None:
    _report(m)
    filed = _verify(m, "partial")

    m.first.refresh_from_db()
    assert m.first.status == MilestoneStatus.PARTIAL
    assert filed.row.disbursement is None
    assert not Disbursement.objects.exists()
    with pytest.raises(ValidationError):
        _verify(m, "pass")  # not reported again yet
    _report(m, label="roof-2")
    assert _verify(m, "pass").row.disbursement is not None


def test_a_fail_blocks_the_allocation_until_a_later_pass(m: Monitored) -> None:
    _report(m)
    _verify(m, "fail")

    m.first.refresh_from_db()
    assert m.first.status == MilestoneStatus.FAILED
    (notice,) = Notification.objects.all()
    assert notice.kind == "failed"
    assert not notice.read
    assert "Milestone 1 of project GZ-EDU-0001 failed verification" in notice.text
    # The secretariat cannot pay a tranche by hand either.
    with pytest.raises(ValidationError) as error:
        disbursement_prepare(allocation=m.school.id, amount="1000", actor=m.secretariat)
    assert error.value.error_dict["allocation"][0].code == "blocked"
    # Other allocations are not blocked.
    disbursement_prepare(allocation=m.homes.id, amount="1000", actor=m.secretariat)

    # The second milestone passes meanwhile: verified, but its tranche is held.
    _report(m, m.second, label="classrooms")
    held = _verify(m, "pass", m.second)
    assert held.row.disbursement is None
    assert Notification.objects.filter(kind="held").count() == 1

    # The partner fixes the roof and reports again; the monitor passes it: both tranches.
    _report(m, label="roof-fixed")
    passed = _verify(m, "pass")
    m.second.refresh_from_db()
    assert passed.row.disbursement.amount_minor == 30000000
    assert m.second.disbursement.amount_minor == 20000000
    (last, *_earlier) = reversed(_logged("milestone.verified"))
    assert last["data"]["released"] == [
        {"milestone": str(m.first.id), "disbursement": str(passed.row.disbursement.id)},
        {"milestone": str(m.second.id), "disbursement": str(m.second.disbursement.id)},
    ]
    disbursement_prepare(allocation=m.school.id, amount="1000", actor=m.secretariat)
    for motion in (passed.row.disbursement.motion, m.second.disbursement.motion):
        m.fund.pass_motion(motion)
    _audit_is_clean()


def test_a_tranche_beyond_what_is_left_is_held_not_lost(m: Monitored) -> None:
    disbursement_prepare(allocation=m.school.id, amount="1850000", actor=m.secretariat)
    _report(m)
    filed = _verify(m, "pass")

    assert filed.row.disbursement is None
    (notice,) = Notification.objects.filter(kind="held")
    assert "only 150000.00 USD left" in notice.text
    _audit_is_clean()


def test_indicators_by_the_secretariat_or_the_leads_staff(m: Monitored) -> None:
    row = indicator_set(project="GZ-EDU-0001", name_en="Classrooms", name_ar="فصول",
                        unit="classrooms", baseline="0", target="48",
                        actor=m.secretariat)  # fmt: skip
    indicator_set(project="GZ-EDU-0001", indicator=row.id, name_en="Classrooms",
                  name_ar="فصول", unit="classrooms", baseline="0", target="48",
                  actual="12.5", actor=m.partner)  # fmt: skip
    row.refresh_from_db()
    assert str(row.actual) == "12.5000"
    _created, updated = _logged("indicator.updated")
    assert updated["data"] == {
        "indicator": str(row.id), "project": "GZ-EDU-0001",
        "name": {"en": "Classrooms", "ar": "فصول"}, "unit": "classrooms",
        "baseline": "0", "target": "48", "actual": "12.5",
    }  # fmt: skip
    assert updated["actor"] == "org:XI-DEMO-PS-PHG"
    with pytest.raises(ValidationError) as error:
        indicator_set(project="GZ-EDU-0001", name_en="Pupils", name_ar="تلاميذ", unit="pupils",
                      baseline="x", target="1.00001", actor=m.secretariat)  # fmt: skip
    assert set(error.value.message_dict) == {"baseline"}
    with pytest.raises(RoleRequired):
        indicator_set(project="GZ-EDU-0001", name_en="P", name_ar="ت", unit="u",
                      baseline="0", target="1", actor=m.monitor)  # fmt: skip
    stranger = User.objects.create_user(
        username="partner-2", role=Role.PARTNER_STAFF, organisation_iati_id="XM-DAC-QA-1"
    )
    with pytest.raises(ValidationError):
        indicator_set(project="GZ-EDU-0001", name_en="P", name_ar="ت", unit="u",
                      baseline="0", target="1", actor=stranger)  # fmt: skip


def test_no_personal_data_in_the_log(m: Monitored) -> None:
    _report(m)
    _verify(m, "fail", latitude="31.5", longitude="34.45")
    _report(m, label="again")
    _verify(m, "pass")
    indicator_set(project="GZ-EDU-0001", name_en="C", name_ar="ف", unit="u", baseline="0",
                  target="1", actor=m.partner)  # fmt: skip

    assert_no_personal_data()
    logged = b"".join(bytes(e.entry) for e in LogEntry.objects.all())
    assert f"user:{m.partner.pk}".encode() not in logged


def test_the_last_milestones_tranche_waits_for_the_policys_visits(m: Monitored) -> None:
    """The school's two milestones release 500,000 of its 2,000,000: the second is still
    the last tranche of the plan, so a high-risk partner's four visits come first."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "projects"))
    from proposal_factories import LEAD, POLICY

    from amanah.monitoring.models import NotificationKind
    from amanah.projects.services import partner_assess, risk_policy_set

    risk_policy_set(policy=POLICY, actor=m.secretariat)
    partner_assess(
        organisation=LEAD, risk_level="high", assessed_on="2026-01-10",
        summary="First grant.", details="", actor=m.secretariat,
    )  # fmt: skip
    _report(m)
    assert _verify(m, "pass").row.disbursement is not None  # not the last: paid

    _report(m, m.second, "classrooms")
    held = _verify(m, "pass", milestone=m.second)

    assert held.row.disbursement is None
    notice = Notification.objects.get(milestone=m.second, kind=NotificationKind.HELD)
    assert "asks for 4 monitoring visits" in notice.detail
    assert "has had 2" in notice.detail
    assert not Disbursement.objects.filter(allocation=m.school, tranche=2).exists()
