"""The quorum rules that both the services and the database-free audit apply."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from amanah.governance.rules import (
    BoardKey,
    BoardState,
    Motion,
    MotionSignature,
    QuorumPolicy,
    Refusal,
    Seat,
    evaluate_quorum,
)
from amanah.transparency import canonical_json

STATES = {"pk": "PK", "tr": "TR", "id": "ID", "eg": "EG", "qa": "QA", "sa": "SA", "jo": "JO"}


def _seed(name: str) -> bytes:
    # Deterministic keys, so a failing case can be replayed exactly.
    return (name.encode() * 32)[:32]


def _private(member: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed(member))


def _board(policy: QuorumPolicy | None = None) -> BoardState:
    seats = [Seat(sid, country=cc, holder=f"member-{sid}") for sid, cc in STATES.items()]
    seats += [
        Seat("ps-1", frozenset({"palestinian"}), organisation="XM-DAC-PS-1", holder="member-ps-1"),
        Seat("ps-2", frozenset({"palestinian"}), organisation="XM-DAC-PS-2", holder="member-ps-2"),
    ]
    keys = {
        f"key-{s.id}": BoardKey(
            f"key-{s.id}",
            s.holder or "",
            _private(s.holder or "").public_key().public_bytes_raw(),
            valid_from=10,
        )
        for s in seats
    }
    return BoardState({s.id: s for s in seats}, keys, policy or QuorumPolicy(min_seats=5))


MOTION = Motion(
    id="m-1",
    kind="allocation.approve",
    title={"en": "Allocate to school repairs", "ar": "تخصيص لإصلاح المدارس"},
    body={"en": "Round 1", "ar": "الجولة الأولى"},
    effect={"amount": {"value": "1000000.00", "currency": "USD"}},
    earmarked_by=frozenset({"QA"}),
    beneficiaries=frozenset({"XM-DAC-PS-2"}),
    log_origin="localhost/amanah-demo",
)


def _sign(seat_id: str, *, at: int = 20, motion: Motion = MOTION) -> MotionSignature:
    signature = _private(f"member-{seat_id}").sign(motion.payload())
    return MotionSignature(f"key-{seat_id}", signature, signed_at=at)


def test_payload_is_canonical_json_with_its_own_type() -> None:
    payload = MOTION.payload()
    assert payload == canonical_json(
        {
            "type": "amanah.motion.v1",
            "log": "localhost/amanah-demo",
            "motion": "m-1",
            "kind": "allocation.approve",
            "title": {"en": "Allocate to school repairs", "ar": "تخصيص لإصلاح المدارس"},
            "body": {"en": "Round 1", "ar": "الجولة الأولى"},
            "effect": {"amount": {"value": "1000000.00", "currency": "USD"}},
            "earmarked_by": ["QA"],
            "beneficiaries": ["XM-DAC-PS-2"],
        }
    )
    assert payload.startswith(b'{"beneficiaries":["XM-DAC-PS-2"],"body":')


def test_five_seats_with_a_palestinian_seat_meet_the_default_policy() -> None:
    result = evaluate_quorum(
        _board(), MOTION, [_sign(s) for s in ("pk", "tr", "id", "eg", "ps-1")], decided_at=30
    )
    assert result.met
    assert result.counted_seats == ("eg", "id", "pk", "ps-1", "tr")
    assert result.group_counts == {"palestinian": 1}
    assert result.missing == {}
    assert result.refused == ()


def test_five_state_seats_without_a_palestinian_seat_do_not() -> None:
    result = evaluate_quorum(
        _board(), MOTION, [_sign(s) for s in ("pk", "tr", "id", "eg", "jo")], decided_at=30
    )
    assert not result.met
    assert result.missing == {"palestinian": 1}
    assert result.to_json()["missing"] == {"palestinian": 1}


def test_the_earmarking_state_and_the_beneficiary_are_recused() -> None:
    signatures = [_sign(s) for s in ("pk", "tr", "id", "qa", "ps-2")]
    result = evaluate_quorum(_board(), MOTION, signatures, decided_at=30)
    assert not result.met
    assert dict(result.refused) == {"key-qa": Refusal.RECUSED, "key-ps-2": Refusal.RECUSED}
    assert result.missing == {"seats": 2, "palestinian": 1}


def test_recusal_can_be_switched_off_by_policy() -> None:
    policy = QuorumPolicy(min_seats=5, recuse_earmarking_state=False, recuse_beneficiary=False)
    signatures = [_sign(s) for s in ("pk", "tr", "id", "qa", "ps-2")]
    assert evaluate_quorum(_board(policy), MOTION, signatures, decided_at=30).met


def test_a_revoked_key_never_counts() -> None:
    board = _board()
    revoked = {
        **board.keys,
        "key-pk": BoardKey(**{**board.keys["key-pk"].__dict__, "revoked_at": 25}),
    }
    board = BoardState(board.seats, revoked, board.policy)
    # Signed before the revocation, decided after it: still does not count.
    result = evaluate_quorum(
        board, MOTION, [_sign(s) for s in ("pk", "tr", "id", "eg", "ps-1")], decided_at=30
    )
    assert dict(result.refused) == {"key-pk": Refusal.KEY_REVOKED}
    assert not result.met


def test_a_key_not_yet_valid_does_not_count() -> None:
    result = evaluate_quorum(_board(), MOTION, [_sign("pk", at=9)], decided_at=30)
    assert dict(result.refused) == {"key-pk": Refusal.KEY_NOT_YET_VALID}


def test_a_signature_over_other_bytes_does_not_count() -> None:
    other = Motion(
        **{**MOTION.__dict__, "effect": {"amount": {"value": "9000000.00", "currency": "USD"}}}
    )
    result = evaluate_quorum(_board(), MOTION, [_sign("pk", motion=other)], decided_at=30)
    assert dict(result.refused) == {"key-pk": Refusal.BAD_SIGNATURE}


def test_unknown_keys_duplicates_and_former_holders_do_not_count() -> None:
    board = _board()
    seats = {**board.seats, "pk": Seat("pk", country="PK", holder="someone-new")}
    board = BoardState(seats, board.keys, board.policy)
    unknown = MotionSignature("key-nobody", b"\x00" * 64, signed_at=20)
    result = evaluate_quorum(
        board, MOTION, [_sign("tr"), _sign("tr"), _sign("pk"), unknown], decided_at=30
    )
    assert result.counted_seats == ("tr",)
    assert dict(result.refused) == {
        "key-tr": Refusal.DUPLICATE_SEAT,
        "key-pk": Refusal.NOT_SEAT_HOLDER,
        "key-nobody": Refusal.UNKNOWN_KEY,
    }


@pytest.mark.parametrize(
    ("min_seats", "groups", "error"),
    [
        (0, {"palestinian": 1}, "min_seats must be at least 1"),
        (3, {"palestinian": -1}, "cannot be negative"),
        (1, {"palestinian": 2}, "more seats than min_seats"),
    ],
)
def test_an_unreadable_policy_is_refused(
    min_seats: int, groups: dict[str, int], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        QuorumPolicy(min_seats=min_seats, required_groups=groups)
