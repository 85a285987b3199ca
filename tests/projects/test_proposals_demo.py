"""`load_demo`'s proposals: assessments, the risk policy set then changed by the demo
board, proposals in the five governorates; the board's audit still passes."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from amanah.governance.replay import replay
from amanah.ledger.models import LogEntry
from amanah.projects.demo import CHANGED_POLICY
from amanah.projects.models import Proposal
from amanah.projects.selectors import risk_policy_in_force, risk_policy_public

pytestmark = pytest.mark.django_db


def test_the_demo_holds_proposals_assessments_and_a_changed_policy(var_dir: Path) -> None:
    call_command("load_demo", "--access-days", "0", stdout=StringIO())

    proposals = list(Proposal.objects.filter(status="submitted"))
    assert {p.governorate for p in proposals} == {
        "PS0255", "PS0260", "PS0265", "PS0270", "PS0275",
    }  # fmt: skip
    assert len(proposals) == 8
    # Partners of each risk level.
    assessed = LogEntry.objects.filter(kind="partner.assessed")
    assert assessed.count() == 7
    levels = {json.loads(bytes(e.entry))["data"]["risk_level"] for e in assessed}
    assert levels == {"low", "medium", "high"}
    assert risk_policy_public(risk_policy_in_force() or {}) == CHANGED_POLICY
    report = replay((e.index, bytes(e.entry)) for e in LogEntry.objects.order_by("index"))
    assert report.violations == []
