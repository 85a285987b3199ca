"""The demo's milestones, on a fund like the demo's: two paid after a passing
verification, one failed (blocked, the secretariat told); the books replay clean."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.db import transaction

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "funds"))
from fund_factories import build_fund, replay_log
from governance_factories import assert_no_personal_data

from amanah.funds import services as funds
from amanah.funds.models import MoveStatus
from amanah.governance.models import Motion
from amanah.governance.services import _motion_sign
from amanah.monitoring.demo import load_demo_monitoring
from amanah.monitoring.models import EvidenceFile, Indicator, Milestone, Notification

pytestmark = pytest.mark.django_db


def test_the_demo_milestones(var_dir: Path) -> None:
    fund = build_fund()
    s = fund.secretariat
    funds.contribution_record(
        donor=fund.donor("PK"), amount="3000000", currency="USD", on="2026-01-06", actor=s
    )
    for project, amount in (("GZ-EDU-0001", "1500000"), ("GZ-HOU-0001", "1000000")):
        allocation = funds.allocation_prepare(project=project, amount=amount, currency="USD",
                                              actor=s)  # fmt: skip
        fund.pass_motion(allocation.motion)
    signed: list[tuple[str, ...]] = []

    def sign(motion: Motion, *seats: str) -> Motion:
        """As DemoBoard.sign does, in the loader's transaction; with the test board's
        deciding seats, since the test board has not the demo's."""
        signed.append(seats)
        for seat in ("tr", "eg", "ps-1"):
            signature = fund.board.private_keys[seat].sign(bytes(motion.payload))
            _motion_sign(motion, key_id=fund.board.key_id(seat), signature=signature,
                         actor=fund.board.members[seat])  # fmt: skip
        motion.refresh_from_db()
        return motion

    with transaction.atomic():
        load_demo_monitoring(s, sign)

    statuses = {(m.project.code, m.number): m.status for m in Milestone.objects.all()}
    assert statuses == {
        ("GZ-EDU-0001", 1): "verified",
        ("GZ-EDU-0001", 2): "verified",
        ("GZ-EDU-0001", 3): "planned",
        ("GZ-HOU-0001", 1): "failed",
        ("GZ-HOU-0001", 2): "planned",
    }
    paid = [m.disbursement for m in Milestone.objects.filter(status="verified")]
    assert [d.status for d in paid] == [MoveStatus.APPROVED, MoveStatus.APPROVED]
    assert len(signed) == 2
    assert Notification.objects.filter(kind="failed").count() == 1
    assert Indicator.objects.count() == 3
    assert EvidenceFile.objects.filter(public=False, content_type="application/pdf").exists()
    book = replay_log()
    assert book.violations == []
    assert book.figures()["totals"]["disbursed"] == "600000.00"
    assert_no_personal_data()
