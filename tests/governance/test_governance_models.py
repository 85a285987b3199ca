"""The one-row invariants hold in the database, whatever path writes the row."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, transaction
from governance_factories import make_user

from amanah.governance.models import BoardKey, Motion, MotionStatus, QuorumPolicy, SeatHolder

pytestmark = pytest.mark.django_db


def _motion(**overrides: object) -> Motion:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "kind": "allocation.approve",
        "title_en": "t",
        "title_ar": "ع",
        "log_origin": "localhost/amanah-demo",
        "payload": b"{}",
        "opened_index": 3,
        **overrides,
    }
    return Motion(**fields)


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": MotionStatus.EXECUTED},
        {"status": MotionStatus.OPEN, "executed_index": 9},
        {"status": MotionStatus.EXECUTED, "executed_index": 2},
        {"status": "approved"},
    ],
)
def test_a_motion_is_executed_exactly_when_it_has_a_later_decision(
    overrides: dict[str, object],
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _motion(**overrides).save()


def test_an_executed_motion_with_its_decision_is_kept() -> None:
    _motion(status=MotionStatus.EXECUTED, executed_index=4).save()
    assert Motion.objects.get().executed_index == 4


def test_a_key_is_revoked_after_it_became_valid() -> None:
    user = make_user("member-x")
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardKey.objects.create(
            key_id="0123456789abcdef", user=user, public_key=b"k" * 32, valid_from=5, revoked_at=5
        )


def test_a_key_id_is_sixteen_characters() -> None:
    user = make_user("member-y")
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardKey.objects.create(key_id="0123", user=user, public_key=b"k" * 32, valid_from=5)


def test_a_policy_needs_a_seat() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        QuorumPolicy.objects.create(
            min_seats=0,
            required_groups={},
            recuse_earmarking_state=True,
            recuse_beneficiary=True,
            from_index=1,
        )


def test_a_seat_holding_ends_after_it_starts() -> None:
    from amanah.governance.models import Seat

    seat = Seat.objects.create(id="jo", label_en="Jordan", label_ar="الأردن", created_index=0)
    user = make_user("member-z")
    with pytest.raises(IntegrityError), transaction.atomic():
        SeatHolder.objects.create(seat=seat, user=user, from_index=4, to_index=4)
