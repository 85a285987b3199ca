"""`motion_open`: the secretariat puts a motion to the board; its bytes are frozen."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from governance_factories import Board, assert_no_personal_data, build_board, motion_input

from amanah.accounts.roles import RoleRequired
from amanah.governance.models import Motion, MotionStatus
from amanah.governance.selectors import member_handle, motion_rules
from amanah.governance.services import motion_open
from amanah.ledger.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def test_opening_freezes_the_payload_and_logs_it(board: Board) -> None:
    motion = board.open(earmarked_by=["QA"], beneficiaries=["XI-DEMO-PS-MOPWH"])

    assert motion.status == MotionStatus.OPEN
    assert bytes(motion.payload) == motion_rules(motion).payload()
    logged = LogEntry.objects.order_by("-index").first()
    assert logged is not None
    assert (logged.kind, logged.index) == ("motion.opened", motion.opened_index)
    assert logged.actor == f"user:{board.secretariat.pk}"
    data = json.loads(bytes(logged.entry))["data"]
    assert base64.b64decode(data["payload"]) == bytes(motion.payload)
    assert data["decoded"] == json.loads(bytes(motion.payload))
    assert data["decoded"]["type"] == "amanah.motion.v1"
    assert data["decoded"]["log"] == "localhost/amanah-demo"
    assert data["decoded"]["earmarked_by"] == ["QA"]
    assert_no_personal_data()


def _refused(board: Board, **overrides: Any) -> dict[str, list[str]]:
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        board.open(**overrides)
    assert not Motion.objects.exists()
    assert LogEntry.objects.count() == before
    return raised.value.message_dict


def test_only_the_secretariat_opens_a_motion(board: Board) -> None:
    before = LogEntry.objects.count()
    with pytest.raises(RoleRequired) as raised:
        motion_open(**motion_input(actor=board.members["pk"]))
    assert raised.value.values == {"roles": ["secretariat"]}
    assert not Motion.objects.exists()
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "Allocation"}, "kind"),
        ({"title": {"en": "Only English"}}, "title"),
        ({"title": {"en": "Title", "ar": "  "}}, "title"),
        ({"body": {"en": "x", "ar": "س", "fr": "x"}}, "body"),
        ({"earmarked_by": ["qa"]}, "earmarked_by"),
        ({"beneficiaries": ["XI-DEMO-NOT-REGISTERED"]}, "beneficiaries"),
        ({"effect": {"amount": 1000000.5}}, "effect"),
        ({"kind": "key.register", "effect": {"member": "someone"}}, "effect"),
        ({"kind": "key.revoke", "effect": {"key_id": "0000000000000000"}}, "effect"),
        ({"kind": "policy.change", "effect": {"policy": {"min_seats": 0}}}, "effect"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    board: Board, overrides: dict[str, Any], field: str
) -> None:
    assert set(_refused(board, **overrides)) == {field}


def test_a_key_registration_needs_a_valid_public_key(board: Board) -> None:
    effect = {"member": member_handle(board.members["pk"]), "public_key": "bm90IGEga2V5"}
    assert set(_refused(board, kind="key.register", effect=effect)) == {"effect"}


def test_a_key_registration_for_someone_not_on_the_board_is_refused(board: Board) -> None:
    key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    effect = {
        "member": member_handle(board.secretariat),
        "public_key": base64.b64encode(key).decode(),
    }
    assert set(_refused(board, kind="key.register", effect=effect)) == {"effect"}
