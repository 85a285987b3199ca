"""`motion_sign` and `motion_refuse`: who may sign or refuse, and what is logged."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from governance_factories import Board, assert_no_personal_data, build_board, make_user

from amanah.accounts.roles import RoleRequired
from amanah.governance.models import (
    BoardKey,
    Motion,
    MotionRefusal,
    MotionSignature,
    MotionStatus,
)
from amanah.governance.selectors import key_id_of, member_handle
from amanah.governance.services import motion_refuse, motion_sign
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


@pytest.fixture
def motion(board: Board) -> Motion:
    return board.open()


def _last_entry() -> dict[str, object]:
    logged = LogEntry.objects.order_by("-index").first()
    assert logged is not None
    value: dict[str, object] = json.loads(bytes(logged.entry))
    return value


def test_a_signature_is_verified_then_logged(board: Board, motion: Motion) -> None:
    signed = board.sign("pk", motion)

    assert signed.status == MotionStatus.OPEN
    row = MotionSignature.objects.get()
    entry = _last_entry()
    assert entry["type"] == "amanah.motion.signed.v1"
    assert entry["actor"] == member_handle(board.members["pk"])
    assert entry["data"] == {
        "motion": str(motion.id),
        "key_id": board.key_id("pk"),
        "signature": base64.b64encode(bytes(row.signature)).decode(),
    }
    assert row.signed_index == LogEntry.objects.count() - 1
    assert_no_personal_data()


def _refused(call: Callable[[], object]) -> dict[str, list[str]]:
    before = LogEntry.objects.count(), MotionSignature.objects.count()
    with pytest.raises(ValidationError) as raised:
        call()
    assert (LogEntry.objects.count(), MotionSignature.objects.count()) == before
    return raised.value.message_dict


def test_a_signature_over_other_bytes_is_refused(board: Board, motion: Motion) -> None:
    signature = board.private_keys["pk"].sign(bytes(motion.payload) + b" ")
    errors = _refused(
        lambda: motion_sign(
            motion=motion,
            key_id=board.key_id("pk"),
            signature=signature,
            actor=board.members["pk"],
        )
    )
    assert set(errors) == {"signature"}


def test_garbage_is_refused_on_signature(board: Board, motion: Motion) -> None:
    errors = _refused(
        lambda: motion_sign(
            motion=motion, key_id=board.key_id("pk"), signature=b"x", actor=board.members["pk"]
        )
    )
    assert set(errors) == {"signature"}


def test_signing_with_another_members_key_is_refused(board: Board, motion: Motion) -> None:
    signature = board.private_keys["tr"].sign(bytes(motion.payload))
    errors = _refused(
        lambda: motion_sign(
            motion=motion,
            key_id=board.key_id("tr"),
            signature=signature,
            actor=board.members["pk"],
        )
    )
    assert set(errors) == {"key_id"}


def test_signing_twice_with_one_key_is_refused(board: Board, motion: Motion) -> None:
    board.sign("pk", motion)
    assert set(_refused(lambda: board.sign("pk", motion))) == {"key_id"}


def test_a_revoked_key_cannot_sign(board: Board, motion: Motion) -> None:
    BoardKey.objects.filter(key_id=board.key_id("pk")).update(revoked_at=LogEntry.objects.count())
    assert set(_refused(lambda: board.sign("pk", motion))) == {"key_id"}


def test_a_key_not_yet_valid_cannot_sign(board: Board, motion: Motion) -> None:
    BoardKey.objects.filter(key_id=board.key_id("pk")).update(valid_from=10_000)
    assert set(_refused(lambda: board.sign("pk", motion))) == {"key_id"}


def test_a_board_member_without_a_seat_cannot_sign(board: Board, motion: Motion) -> None:
    outsider = make_user("member-without-seat")
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    BoardKey.objects.create(
        key_id=key_id_of(public), user=outsider, public_key=public, valid_from=1
    )
    errors = _refused(
        lambda: motion_sign(
            motion=motion,
            key_id=key_id_of(public),
            signature=private.sign(bytes(motion.payload)),
            actor=outsider,
        )
    )
    assert set(errors) == {"actor"}


def test_the_secretariat_cannot_sign(board: Board, motion: Motion) -> None:
    before = LogEntry.objects.count()
    with pytest.raises(RoleRequired):
        motion_sign(
            motion=motion,
            key_id=board.key_id("pk"),
            signature=board.private_keys["pk"].sign(bytes(motion.payload)),
            actor=board.secretariat,
        )
    assert LogEntry.objects.count() == before


def test_an_executed_motion_takes_no_more_signatures(board: Board, motion: Motion) -> None:
    for seat in ("pk", "tr", "ps-1"):
        motion = board.sign(seat, motion)
    assert motion.status == MotionStatus.EXECUTED
    assert set(_refused(lambda: board.sign("qa", motion))) == {"motion"}


def test_a_refusal_is_logged_with_its_reason(board: Board, motion: Motion) -> None:
    refusal = motion_refuse(motion=motion, reason="  Not in the plan.  ", actor=board.members["eg"])

    assert refusal.reason == "Not in the plan."
    entry = _last_entry()
    assert entry["type"] == "amanah.motion.refused.v1"
    assert entry["data"] == {
        "motion": str(motion.id),
        "member": member_handle(board.members["eg"]),
        "reason": "Not in the plan.",
    }
    assert refusal.index == LogEntry.objects.count() - 1
    assert Motion.objects.get().status == MotionStatus.OPEN
    assert_no_personal_data()


def test_a_refusal_needs_a_reason_and_comes_once(board: Board, motion: Motion) -> None:
    member = board.members["eg"]
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        motion_refuse(motion=motion, reason=" ", actor=member)
    assert set(raised.value.message_dict) == {"reason"}
    assert (LogEntry.objects.count(), MotionRefusal.objects.count()) == (before, 0)

    motion_refuse(motion=motion, reason="No.", actor=member)
    with pytest.raises(ValidationError) as raised:
        motion_refuse(motion=motion, reason="Still no.", actor=member)
    assert set(raised.value.message_dict) == {"motion"}
    assert MotionRefusal.objects.count() == 1
