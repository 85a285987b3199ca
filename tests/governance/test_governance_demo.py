"""`load_demo`'s board: nine seats, demo keys, its executed motions, a fresh password."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from governance_factories import assert_no_personal_data

from amanah.governance import rules
from amanah.governance.demo import DEMO_SEATS
from amanah.governance.models import BoardKey, Motion, MotionStatus, QuorumPolicy, Seat
from amanah.governance.selectors import board_state_at, motion_rules, motion_signatures
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

_PASSWORD = re.compile(r"Their password, generated for this database: (\S+)")


def _load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_the_demo_board_has_the_seven_states_and_two_palestinian_seats(var_dir: Path) -> None:
    _load_demo()

    assert Seat.objects.count() == len(DEMO_SEATS) == 9
    assert sorted(Seat.objects.exclude(country=None).values_list("country", flat=True)) == sorted(
        ["PK", "TR", "ID", "EG", "QA", "SA", "JO"]
    )
    palestinian = [s for s in Seat.objects.all() if "palestinian" in s.groups]
    assert len(palestinian) == 2
    assert BoardKey.objects.count() == 9
    assert all(key.is_demo for key in BoardKey.objects.all())
    registered = LogEntry.objects.filter(kind="key.registered")
    assert all(json.loads(bytes(e.entry))["data"]["demo"] is True for e in registered)
    assert_no_personal_data()


def test_the_demo_motions_were_executed_by_a_quorum_that_replays(var_dir: Path) -> None:
    _load_demo()

    motions = list(Motion.objects.order_by("opened_index"))
    executed = [m for m in motions if m.status == MotionStatus.EXECUTED]
    assert {"policy.change", "fund.allocate", "fund.disburse", "risk_policy.change"} <= {
        m.kind for m in executed
    }
    # Motions of the fund's demo still wait for the board: an allocation and a tranche.
    assert {m.kind for m in motions if m.status == MotionStatus.OPEN} == {
        "fund.allocate",
        "fund.disburse",
    }
    for motion in executed:
        decided = motion.executed_index
        assert decided is not None
        replayed = rules.evaluate_quorum(
            board_state_at(decided - 1),
            motion_rules(motion),
            motion_signatures(motion),
            decided_at=decided,
        )
        logged = json.loads(bytes(LogEntry.objects.get(index=decided).entry))
        assert replayed.met
        assert logged["data"]["quorum"] == replayed.to_json()
    assert QuorumPolicy.objects.order_by("-from_index").first().required_groups == {  # type: ignore[union-attr]
        "palestinian": 2
    }


def test_the_demo_password_is_generated_at_load_time_and_printed_once(var_dir: Path) -> None:
    output = _load_demo()

    match = _PASSWORD.search(output)
    assert match is not None
    password = match.group(1)
    assert len(password) >= 16
    assert "demo-secretariat" in output
    assert authenticate(username="demo-secretariat", password=password) is not None
    assert authenticate(username="demo-member-ps-1", password=password) is not None
    assert password not in Path("src/amanah/governance/demo.py").read_text()
    # A second run writes nothing and prints no password.
    assert _PASSWORD.search(_load_demo()) is None
