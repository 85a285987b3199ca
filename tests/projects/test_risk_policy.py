"""The risk policy: set once by the secretariat, then changed only by a board motion
(`risk_policy.change`), which the audit replay still accepts."""

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

from proposal_factories import POLICY, Fund, build_fund, level, partner_staff  # noqa: E402

from amanah.accounts.roles import RoleRequired  # noqa: E402
from amanah.governance import services as governance  # noqa: E402
from amanah.governance.models import MotionStatus  # noqa: E402
from amanah.governance.replay import replay  # noqa: E402
from amanah.ledger.models import LogEntry  # noqa: E402
from amanah.projects.selectors import risk_policy_in_force, risk_policy_public  # noqa: E402
from amanah.projects.services import RISK_POLICY_CHANGE, risk_policy_set  # noqa: E402

pytestmark = pytest.mark.django_db
CHANGED = {**POLICY, "high": level(5, 20, 6, "400000.00")}


@pytest.fixture
def fund(var_dir: Path) -> Fund:
    return build_fund()


def _open_change(fund: Fund, policy: Any) -> Any:
    return fund.board.open(
        kind=RISK_POLICY_CHANGE,
        title={"en": "Tighten high risk", "ar": "تشديد المخاطر العالية"},
        body={"en": "", "ar": ""},
        effect={"policy": policy},
    )


def test_the_first_policy_is_set_once_by_the_secretariat(fund: Fund) -> None:
    with pytest.raises(RoleRequired):
        risk_policy_set(policy=POLICY, actor=partner_staff())

    levels = risk_policy_set(policy=POLICY, actor=fund.secretariat)

    entry = LogEntry.objects.get(index=levels["low"].from_index)
    data = json.loads(bytes(entry.entry))["data"]
    assert entry.kind == "risk_policy.set"
    assert data == {"levels": POLICY, "motion": None}
    assert risk_policy_public(risk_policy_in_force() or {}) == POLICY
    with pytest.raises(ValidationError) as error:
        risk_policy_set(policy=POLICY, actor=fund.secretariat)
    assert set(error.value.message_dict) == {"policy"}


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"low": POLICY["low"]}, "policy"),
        ({**POLICY, "low": {**POLICY["low"], "tranches": 0}}, "policy.low.tranches"),
        ({**POLICY, "low": {**POLICY["low"], "tranches": True}}, "policy.low.tranches"),
        ({**POLICY, "medium": {**POLICY["medium"], "max_first_tranche_percent": 101}},
         "policy.medium.max_first_tranche_percent"),
        ({**POLICY, "high": {**POLICY["high"], "audit_required": "yes"}},
         "policy.high.audit_required"),
        ({**POLICY, "high": {**POLICY["high"], "spot_check_required": None}},
         "policy.high.spot_check_required"),
        ({**POLICY, "high": {**POLICY["high"], "monitoring_visits": -1}},
         "policy.high.monitoring_visits"),
        ({**POLICY, "high": {**POLICY["high"], "max_project_usd": "0"}},
         "policy.high.max_project_usd"),
        ({**POLICY, "low": {**POLICY["low"], "tranches": 1}},
         "policy.low.max_first_tranche_percent"),
    ],
)  # fmt: skip
def test_a_bad_policy_names_its_field(fund: Fund, policy: Any, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        risk_policy_set(policy=policy, actor=fund.secretariat)
    assert field in error.value.message_dict


def test_a_change_needs_a_policy_first_and_a_valid_effect(fund: Fund) -> None:
    with pytest.raises(ValidationError) as error:
        _open_change(fund, CHANGED)
    assert set(error.value.message_dict) == {"effect"}

    risk_policy_set(policy=POLICY, actor=fund.secretariat)
    with pytest.raises(ValidationError) as error:
        _open_change(fund, {**CHANGED, "high": {**CHANGED["high"], "tranches": 99}})
    assert "effect.policy.high.tranches" in error.value.message_dict


def test_the_board_changes_the_policy_by_motion(fund: Fund) -> None:
    first = risk_policy_set(policy=POLICY, actor=fund.secretariat)
    motion = _open_change(fund, CHANGED)

    motion = fund.board.sign("tr", motion)
    motion = fund.board.sign("eg", motion)
    assert risk_policy_in_force()["high"].tranches == 4  # type: ignore[index]
    motion = fund.board.sign("ps-1", motion)

    assert motion.status == MotionStatus.EXECUTED
    in_force = risk_policy_in_force()
    assert in_force is not None
    assert risk_policy_public(in_force) == CHANGED
    assert in_force["high"].motion_id == motion.id
    assert in_force["high"].from_index == motion.executed_index + 1
    assert in_force["low"].from_index > first["low"].from_index
    entry = LogEntry.objects.get(index=in_force["high"].from_index)
    logged = json.loads(bytes(entry.entry))
    assert logged["actor"] == "amanah:quorum"
    assert logged["data"] == {"levels": CHANGED, "motion": str(motion.id)}
    # The board's audit replays the whole log, this decision included, clean.
    report = replay((e.index, bytes(e.entry)) for e in LogEntry.objects.order_by("index"))
    assert report.violations == []
    assert [m.kind for m in report.motions_executed][-1] == RISK_POLICY_CHANGE


def test_the_kind_is_registered_once(fund: Fund) -> None:
    assert RISK_POLICY_CHANGE in governance.EXECUTION_HANDLERS
    handler = governance.EXECUTION_HANDLERS[RISK_POLICY_CHANGE]
    check = governance._EFFECT_CHECKS[RISK_POLICY_CHANGE]

    governance.register_motion_kind(RISK_POLICY_CHANGE, check=check, execute=handler)  # again
    with pytest.raises(ValueError, match="already registered"):
        governance.register_motion_kind(RISK_POLICY_CHANGE, check=check, execute=lambda m, i: None)
    with pytest.raises(ValueError, match="already registered"):
        governance.register_motion_kind("key.register", check=check, execute=handler)
    with pytest.raises(ValueError, match="not a motion kind"):
        governance.register_motion_kind("Bad Kind", check=check, execute=handler)
