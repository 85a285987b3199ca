"""Changing the board after genesis: seat holders by `seat.assign` motions, members
proposing their own keys, and the secretariat withdrawing motions. Each is checked in the
database and then by the audit's replay of the log the services wrote."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.db import transaction
from governance_factories import (
    Board,
    assert_no_personal_data,
    build_board,
    entries,
    make_user,
    public_key,
)

from amanah.accounts.models import Role
from amanah.accounts.roles import RoleRequired
from amanah.governance.models import BoardKey, Motion, MotionStatus, SeatHolder
from amanah.governance.replay import AuditReport, replay
from amanah.governance.selectors import board_state_at, key_id_of, member_handle, seat_held_by
from amanah.governance.services import (
    motion_open,
    motion_refuse,
    motion_withdraw,
)
from amanah.ledger import services as ledger
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def _audit() -> AuditReport:
    rows = LogEntry.objects.order_by("index").values_list("index", "entry")
    return replay((index, bytes(entry)) for index, entry in rows)


def _assign(board: Board, seat: str, member: Any) -> Motion:
    return board.open(
        kind="seat.assign",
        title={"en": f"New holder of seat {seat}", "ar": f"شاغل جديد للمقعد {seat}"},
        effect={"seat": seat, "member": member},
    )


def _execute(board: Board, motion: Motion, *seats: str) -> Motion:
    for seat in seats:
        motion = board.sign(seat, motion)
    assert motion.status == MotionStatus.EXECUTED
    return motion


def _field_errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- seat.assign --------------------------------------------------------------------------


def test_a_seat_changes_hands_by_motion_and_the_audit_agrees(board: Board) -> None:
    newcomer = make_user("board-pk-2")
    motion = _execute(board, _assign(board, "pk", member_handle(newcomer)), "tr", "qa", "ps-1")

    changed = entries()[-1]
    assert changed["type"] == "amanah.seat.holder_changed.v1"
    assert changed["data"] == {
        "seat": "pk",
        "member": member_handle(newcomer),
        "motion": str(motion.id),
    }
    at = LogEntry.objects.count() - 1
    assert seat_held_by(newcomer, index=at) is not None
    assert seat_held_by(board.members["pk"], index=at) is None
    # The old holder held the seat up to the change, not after it.
    assert seat_held_by(board.members["pk"], index=at - 1) is not None
    assert SeatHolder.objects.get(seat_id="pk", user=board.members["pk"]).to_index == at
    assert board_state_at(at).seats["pk"].holder == member_handle(newcomer)

    report = _audit()
    assert report.violations == []
    assert [m.kind for m in report.motions_executed] == ["seat.assign"]
    assert_no_personal_data()


def test_a_member_who_left_the_seat_no_longer_counts(board: Board) -> None:
    pending = board.open()
    board.sign("pk", pending)
    _execute(board, _assign(board, "pk", None), "tr", "qa", "ps-1")

    # pk's signature was logged while they held the seat; at the decision they hold none.
    pending = board.sign("tr", pending)
    pending = board.sign("ps-1", pending)
    assert pending.status == MotionStatus.OPEN
    pending = board.sign("eg", pending)
    assert pending.status == MotionStatus.EXECUTED
    assert _audit().violations == []


def test_a_vacant_seat_can_be_filled_again(board: Board) -> None:
    _execute(board, _assign(board, "eg", None), "tr", "qa", "ps-1")
    assert entries()[-1]["data"]["member"] is None
    assert not SeatHolder.objects.filter(seat_id="eg", to_index__isnull=True).exists()

    newcomer = make_user("board-eg-2")
    _execute(board, _assign(board, "eg", member_handle(newcomer)), "tr", "qa", "ps-1")
    assert SeatHolder.objects.get(seat_id="eg", to_index__isnull=True).user == newcomer
    assert _audit().violations == []


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ({"seat": "nowhere", "member": None}, "effect.seat must name an existing seat"),
        ({"seat": "pk"}, "or null to vacate"),
        ({"seat": "pk", "member": "member-999999"}, "public handle of a board member"),
        ({"seat": "pk", "member": "Jane Doe"}, "public handle of a board member"),
    ],
)
def test_a_seat_assignment_that_names_no_seat_or_member_is_refused(
    board: Board, effect: dict[str, Any], message: str
) -> None:
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        board.open(kind="seat.assign", effect=effect)
    assert message in " ".join(_field_errors(error)["effect"])
    assert LogEntry.objects.count() == before


def test_a_member_holds_one_seat_and_a_no_op_is_refused(board: Board) -> None:
    with pytest.raises(ValidationError, match="only one seat"):
        board.open(
            kind="seat.assign", effect={"seat": "pk", "member": member_handle(board.members["tr"])}
        )
    with pytest.raises(ValidationError, match="already holds this seat"):
        board.open(
            kind="seat.assign", effect={"seat": "pk", "member": member_handle(board.members["pk"])}
        )


def test_a_secretariat_user_cannot_be_given_a_seat(board: Board) -> None:
    with pytest.raises(ValidationError, match="public handle of a board member"):
        _assign(board, "pk", member_handle(board.secretariat))


def test_a_seat_holder_change_outside_a_motion_is_named_by_the_audit(board: Board) -> None:
    with transaction.atomic():
        smuggled = ledger.record(
            "seat.holder_changed", {"seat": "pk", "member": "member-999"}, actor="installation"
        ).index
    report = _audit()
    assert report.codes_at(smuggled) == {"change_without_motion"}


# --- members proposing their own key --------------------------------------------------------


def _new_key() -> tuple[Ed25519PrivateKey, str]:
    private = Ed25519PrivateKey.generate()
    return private, base64.b64encode(public_key(private)).decode()


def test_a_member_proposes_their_own_key_and_the_board_registers_it(board: Board) -> None:
    member = board.members["qa"]
    private, encoded = _new_key()
    motion = motion_open(
        kind="key.register",
        title={"en": "Register my new key", "ar": "تسجيل مفتاحي الجديد"},
        body={},
        effect={"member": member_handle(member), "public_key": encoded},
        actor=member,
    )
    assert entries()[-1]["actor"] == member_handle(member)
    _execute(board, motion, "pk", "tr", "ps-1")

    key = BoardKey.objects.get(key_id=key_id_of(public_key(private)))
    assert key.user == member
    registered = entries()[-1]
    assert registered["type"] == "amanah.key.registered.v1"
    assert registered["data"]["motion"] == str(motion.id)
    assert _audit().violations == []


@pytest.mark.parametrize(
    "overrides",
    [
        # someone else's key
        {"kind": "key.register", "other_member": True},
        # any other kind
        {"kind": "allocation.approve"},
        {"kind": "key.revoke"},
    ],
)
def test_a_member_opens_no_other_motion(board: Board, overrides: dict[str, Any]) -> None:
    member = board.members["qa"]
    _private, encoded = _new_key()
    owner = board.members["tr"] if overrides.get("other_member") else member
    effect: dict[str, Any] = {"member": member_handle(owner), "public_key": encoded}
    if overrides["kind"] == "key.revoke":
        effect = {"key_id": board.key_id("qa")}
    before = LogEntry.objects.count()
    with pytest.raises(RoleRequired):
        motion_open(
            kind=overrides["kind"],
            title={"en": "x", "ar": "س"},
            body={},
            effect=effect,
            actor=member,
        )
    assert LogEntry.objects.count() == before


def test_monitors_and_partners_open_no_motion(board: Board) -> None:
    monitor = make_user("monitor-1", Role.MONITOR)
    _private, encoded = _new_key()
    with pytest.raises(RoleRequired):
        motion_open(
            kind="key.register",
            title={"en": "x", "ar": "س"},
            body={},
            effect={"member": member_handle(monitor), "public_key": encoded},
            actor=monitor,
        )


# --- withdrawal -------------------------------------------------------------------------------


def test_the_secretariat_withdraws_an_open_motion_with_a_reason(board: Board) -> None:
    motion = board.sign("pk", board.open())

    withdrawn = motion_withdraw(
        motion=motion, reason="  Superseded by round 2  ", actor=board.secretariat
    )

    assert withdrawn.status == MotionStatus.WITHDRAWN
    assert withdrawn.withdrawn_reason == "Superseded by round 2"
    logged = entries()[-1]
    assert logged["type"] == "amanah.motion.withdrawn.v1"
    assert logged["data"] == {"motion": str(motion.id), "reason": "Superseded by round 2"}
    assert withdrawn.withdrawn_index == LogEntry.objects.count() - 1

    with pytest.raises(ValidationError, match="no longer open"):
        board.sign("tr", withdrawn)
    with pytest.raises(ValidationError, match="no longer open"):
        motion_refuse(motion=withdrawn, reason="too late", actor=board.members["qa"])
    with pytest.raises(ValidationError, match="no longer open"):
        motion_withdraw(motion=withdrawn, reason="again", actor=board.secretariat)
    assert _audit().violations == []


def test_a_withdrawal_needs_a_reason_and_the_secretariat(board: Board) -> None:
    motion = board.open()
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        motion_withdraw(motion=motion, reason="   ", actor=board.secretariat)
    assert "reason" in _field_errors(error)
    with pytest.raises(RoleRequired):
        motion_withdraw(motion=motion, reason="I dislike it", actor=board.members["pk"])
    assert LogEntry.objects.count() == before
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN


def test_an_executed_motion_cannot_be_withdrawn(board: Board) -> None:
    motion = _execute(board, board.open(), "pk", "tr", "ps-1")
    with pytest.raises(ValidationError, match="no longer open"):
        motion_withdraw(motion=motion, reason="changed our minds", actor=board.secretariat)


def test_withdrawal_frees_the_second_of_two_motions_for_one_key(board: Board) -> None:
    _private, encoded = _new_key()
    effect = {"member": member_handle(board.members["eg"]), "public_key": encoded}
    first = board.open(kind="key.register", effect=effect)
    second = board.open(kind="key.register", effect=effect)
    _execute(board, first, "pk", "tr", "ps-1")

    # The key is registered; the second motion can no longer execute, so it is withdrawn.
    motion_withdraw(motion=second, reason="Registered by the first motion", actor=board.secretariat)
    assert Motion.objects.get(pk=second.pk).status == MotionStatus.WITHDRAWN
    assert _audit().violations == []


def test_a_signature_logged_after_a_withdrawal_is_named_by_the_audit(board: Board) -> None:
    motion = board.open()
    motion_withdraw(motion=motion, reason="Not needed", actor=board.secretariat)
    signature = board.private_keys["pk"].sign(bytes(motion.payload))
    with transaction.atomic():
        smuggled = ledger.record(
            "motion.signed",
            {
                "motion": str(motion.id),
                "key_id": board.key_id("pk"),
                "signature": base64.b64encode(signature).decode(),
            },
            actor=member_handle(board.members["pk"]),
        ).index
    assert _audit().codes_at(smuggled) == {"motion_not_open"}
