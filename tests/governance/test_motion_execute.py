"""Execution: a motion executes exactly when `evaluate_quorum` says the signatures meet
the policy in force; then its effect follows, logged after the decision."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from governance_factories import Board, assert_no_personal_data, build_board, entries

from amanah.governance import rules
from amanah.governance.models import BoardKey, Motion, MotionStatus, QuorumPolicy
from amanah.governance.selectors import (
    board_state_at,
    key_id_of,
    member_handle,
    motion_rules,
    motion_signatures,
)
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def _sign_all(board: Board, motion: Motion, *seats: str) -> Motion:
    for seat in seats:
        motion = board.sign(seat, motion)
    return motion


def _executed_entry(motion: Motion) -> dict[str, object]:
    logged = LogEntry.objects.get(index=motion.executed_index)
    value: dict[str, object] = json.loads(bytes(logged.entry))
    return value


def test_three_seats_with_the_palestinian_seat_execute_the_motion(board: Board) -> None:
    motion = _sign_all(board, board.open(), "pk", "tr")
    assert motion.status == MotionStatus.OPEN

    motion = board.sign("ps-1", motion)

    assert motion.status == MotionStatus.EXECUTED
    assert motion.executed_index == LogEntry.objects.count() - 1
    entry = _executed_entry(motion)
    assert entry["type"] == "amanah.motion.executed.v1"
    assert entry["data"] == {
        "motion": str(motion.id),
        "kind": "allocation.approve",
        "quorum": {
            "met": True,
            "counted_seats": ["pk", "ps-1", "tr"],
            "group_counts": {"palestinian": 1},
            "refused": [],
            "missing": {},
        },
    }
    assert entry["signatures"] == [
        {
            "key_id": s.key_id,
            "signature": base64.b64encode(s.signature).decode(),
            "signed_at": s.signed_at,
        }
        for s in motion_signatures(motion)
    ]
    # The audit's check: the same rules over the state before the decision agree.
    decided = motion.executed_index
    assert decided is not None
    replayed = rules.evaluate_quorum(
        board_state_at(decided - 1),
        motion_rules(motion),
        motion_signatures(motion),
        decided_at=decided,
    )
    assert replayed.to_json() == entry["data"]["quorum"]  # type: ignore[index]
    assert_no_personal_data()


def test_without_the_palestinian_seat_nothing_executes(board: Board) -> None:
    motion = _sign_all(board, board.open(), "pk", "tr", "qa", "eg")

    assert motion.status == MotionStatus.OPEN
    assert not LogEntry.objects.filter(kind="motion.executed").exists()


def test_a_recused_seat_does_not_count(board: Board) -> None:
    # Qatar earmarked the money: its seat cannot count on this motion.
    motion = _sign_all(board, board.open(earmarked_by=["QA"]), "qa", "pk", "ps-1")
    assert motion.status == MotionStatus.OPEN

    motion = board.sign("tr", motion)

    assert motion.status == MotionStatus.EXECUTED
    quorum = _executed_entry(motion)["data"]["quorum"]  # type: ignore[index]
    assert quorum["counted_seats"] == ["pk", "ps-1", "tr"]
    assert quorum["refused"] == [[board.key_id("qa"), "recused"]]
    signers = [s["key_id"] for s in _executed_entry(motion)["signatures"]]  # type: ignore[attr-defined]
    assert board.key_id("qa") not in signers


def test_a_beneficiary_seat_is_recused(board: Board) -> None:
    motion = board.open(beneficiaries=["XI-DEMO-PS-MOPWH"])
    motion = _sign_all(board, motion, "ps-1", "pk", "tr", "qa", "eg")

    # Four seats count, but not the only Palestinian one: the policy is not met.
    assert motion.status == MotionStatus.OPEN


def _revoke(board: Board, seat: str, *, signers: tuple[str, ...]) -> Motion:
    motion = board.open(
        kind="key.revoke",
        title={"en": "Revoke a key", "ar": "إلغاء مفتاح"},
        effect={"key_id": board.key_id(seat)},
    )
    return _sign_all(board, motion, *signers)


def test_a_signature_whose_key_was_revoked_before_the_decision_does_not_count(
    board: Board,
) -> None:
    motion = board.sign("pk", board.open())
    revocation = _revoke(board, "pk", signers=("tr", "eg", "ps-1"))
    assert revocation.status == MotionStatus.EXECUTED
    key = BoardKey.objects.get(key_id=board.key_id("pk"))
    assert key.revoked_at is not None
    assert key.revoked_at > (revocation.executed_index or 0)

    motion = _sign_all(board, motion, "tr", "ps-1")

    assert motion.status == MotionStatus.OPEN  # pk's signature no longer counts
    motion = board.sign("qa", motion)
    assert motion.status == MotionStatus.EXECUTED
    quorum = _executed_entry(motion)["data"]["quorum"]  # type: ignore[index]
    assert quorum["counted_seats"] == ["ps-1", "qa", "tr"]
    assert quorum["refused"] == [[board.key_id("pk"), "key_revoked"]]


def test_an_executed_key_registration_makes_the_key_usable_next(board: Board) -> None:
    new_private = Ed25519PrivateKey.generate()
    new_public = new_private.public_key().public_bytes_raw()
    registration = board.open(
        kind="key.register",
        title={"en": "Register a new key", "ar": "تسجيل مفتاح جديد"},
        effect={
            "member": member_handle(board.members["pk"]),
            "public_key": base64.b64encode(new_public).decode(),
        },
    )
    registration = _sign_all(board, registration, "tr", "eg", "ps-1")

    assert registration.status == MotionStatus.EXECUTED
    key = BoardKey.objects.get(key_id=key_id_of(new_public))
    assert key.user == board.members["pk"]
    assert key.valid_from == (registration.executed_index or 0) + 1
    logged = json.loads(bytes(LogEntry.objects.get(index=key.valid_from).entry))
    assert logged["type"] == "amanah.key.registered.v1"
    assert logged["data"]["motion"] == str(registration.id)

    board.private_keys["pk"] = new_private
    motion = _sign_all(board, board.open(), "pk", "tr", "ps-1")

    assert motion.status == MotionStatus.EXECUTED
    signers = [s["key_id"] for s in _executed_entry(motion)["signatures"]]  # type: ignore[attr-defined]
    assert key_id_of(new_public) in signers


def test_a_policy_change_is_decided_under_the_policy_in_force(board: Board) -> None:
    change = board.open(
        kind="policy.change",
        title={"en": "Four seats from now on", "ar": "أربعة مقاعد من الآن"},
        effect={"policy": {"min_seats": 4, "required_groups": {"palestinian": 1}}},
    )

    # Three seats suffice under the current policy, though the motion asks for four.
    change = _sign_all(board, change, "pk", "tr", "ps-1")

    assert change.status == MotionStatus.EXECUTED
    new = QuorumPolicy.objects.order_by("-from_index").first()
    assert new is not None
    assert (new.min_seats, new.from_index) == (4, (change.executed_index or 0) + 1)
    assert entries()[new.from_index]["data"]["motion"] == str(change.id)

    motion = _sign_all(board, board.open(), "pk", "tr", "ps-1")
    assert motion.status == MotionStatus.OPEN
    motion = board.sign("eg", motion)
    assert motion.status == MotionStatus.EXECUTED
    assert_no_personal_data()
