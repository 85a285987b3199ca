"""`board_genesis`: the board's set-up, logged, and allowed only before the first policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from governance_factories import (
    POLICY,
    SEATS,
    assert_no_personal_data,
    build_board,
    entries,
    make_user,
    public_key,
)

from amanah.accounts.models import Role
from amanah.governance import rules
from amanah.governance.models import BoardKey, QuorumPolicy, Seat, SeatHolder
from amanah.governance.selectors import NoPolicy, board_state_at, member_handle
from amanah.governance.services import KeySpec, SeatSpec, board_genesis
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Seat, SeatHolder, BoardKey, QuorumPolicy, LogEntry)
    )


def test_genesis_logs_seats_holders_keys_then_the_policy(var_dir: Path) -> None:
    board = build_board()

    kinds = [e["type"] for e in entries()][1:]  # after the organisation's registration
    assert kinds == (
        ["amanah.seat.created.v1"] * 5
        + ["amanah.seat.holder_changed.v1"] * 5
        + ["amanah.key.registered.v1"] * 5
        + ["amanah.policy.set.v1"]
    )
    assert {e["actor"] for e in entries()[1:]} == {"installation"}
    policy_entry = entries()[-1]
    assert policy_entry["data"] == {**POLICY.to_json(), "motion": None}
    ps = Seat.objects.get(id="ps-1")
    assert (ps.groups, ps.country, ps.organisation.iati_identifier) == (
        ["palestinian"],
        None,
        "XI-DEMO-PS-MOPWH",
    )
    key = BoardKey.objects.get(user=board.members["pk"])
    assert key.key_id == board.key_id("pk")
    registered = LogEntry.objects.filter(kind="key.registered")
    (entry,) = [e for e in registered if key.key_id.encode() in bytes(e.entry)]
    assert key.valid_from == entry.index
    assert_no_personal_data()


def test_the_state_at_the_end_of_genesis_is_what_the_rules_take(var_dir: Path) -> None:
    board = build_board()

    state = board_state_at(LogEntry.objects.count() - 1)

    assert state.policy == POLICY
    assert set(state.seats) == set(SEATS)
    assert state.seats["ps-1"] == rules.Seat(
        id="ps-1",
        groups=frozenset({"palestinian"}),
        country=None,
        organisation="XI-DEMO-PS-MOPWH",
        holder=member_handle(board.members["ps-1"]),
    )
    assert state.seats["pk"].holder == f"member-{board.members['pk'].pk}"
    assert state.keys[board.key_id("qa")].public_key == public_key(board.private_keys["qa"])


def test_there_is_no_board_state_before_the_first_policy(var_dir: Path) -> None:
    build_board()
    policy_index = QuorumPolicy.objects.get().from_index

    with pytest.raises(NoPolicy):
        board_state_at(policy_index - 1)


def test_a_second_genesis_is_refused_on_policy_and_writes_nothing(var_dir: Path) -> None:
    board = build_board()
    before = _snapshot()

    with pytest.raises(ValidationError) as raised:
        board_genesis(
            seats=[SeatSpec(id="jo", label_en="Jordan", label_ar="الأردن", country="JO")],
            holders={},
            keys=[],
            policy=POLICY,
            actor="installation",
        )

    assert set(raised.value.message_dict) == {"policy"}
    assert _snapshot() == before
    assert board.members


def _genesis(**overrides: object) -> dict[str, list[str]]:
    member = make_user("member-a")
    arguments: dict[str, object] = {
        "seats": [SeatSpec(id="jo", label_en="Jordan", label_ar="الأردن", country="JO")],
        "holders": {"jo": member},
        "keys": [KeySpec(member, public_key(Ed25519PrivateKey.generate()))],
        "policy": rules.QuorumPolicy(min_seats=1, required_groups={}),
        "actor": "installation",
        **overrides,
    }
    with pytest.raises(ValidationError) as raised:
        board_genesis(**arguments)  # type: ignore[arg-type]
    assert _snapshot() == (0, 0, 0, 0, 0)
    return raised.value.message_dict


def test_a_seat_holder_who_is_not_a_board_member_is_refused(var_dir: Path) -> None:
    clerk = make_user("clerk", Role.SECRETARIAT)
    assert set(_genesis(holders={"jo": clerk}, keys=[])) == {"holders"}


def test_a_holder_of_an_unknown_seat_is_refused(var_dir: Path) -> None:
    assert set(_genesis(holders={"xx": make_user("member-b")}, keys=[])) == {"holders"}


def test_a_key_that_is_not_32_bytes_is_refused(var_dir: Path) -> None:
    member = make_user("member-c")
    assert set(_genesis(holders={"jo": member}, keys=[KeySpec(member, b"\x01" * 31)])) == {"keys"}


def test_a_key_of_someone_without_a_seat_is_refused(var_dir: Path) -> None:
    outsider = make_user("member-d")
    key = KeySpec(outsider, public_key(Ed25519PrivateKey.generate()))
    assert set(_genesis(keys=[key])) == {"keys"}


def test_a_bad_country_is_refused_on_country(var_dir: Path) -> None:
    seat = SeatSpec(id="jo", label_en="Jordan", label_ar="الأردن", country="jo")
    assert set(_genesis(seats=[seat])) == {"country"}
