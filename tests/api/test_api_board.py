"""GET /api/v1/board: the board now, public, naming members only by their handle."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_no_personal_data_in
from django.test import Client
from openapi_check import checked

from amanah.governance.selectors import member_handle
from amanah.ledger.models import LogEntry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
from governance_factories import PALESTINIAN_ORG, SEATS, Board, build_board

pytestmark = pytest.mark.django_db
API = "/api/v1/board"


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def test_seats_keys_and_policy_need_no_token(client: Client, board: Board) -> None:
    body = checked(client.get(API))

    seats = {seat["id"]: seat for seat in body["seats"]}
    assert sorted(seats) == sorted(SEATS)
    holder_since = LogEntry.objects.filter(kind="seat.holder_changed").order_by("index")
    assert seats["ps-1"] == {
        "id": "ps-1",
        "label": {"en": "Seat ps-1", "ar": "مقعد ps-1"},
        "groups": ["palestinian"],
        "country": None,
        "organisation": PALESTINIAN_ORG,
        "holder": member_handle(board.members["ps-1"]),
        "holder_since": holder_since.last().index,  # type: ignore[union-attr]
    }
    assert seats["pk"]["country"] == "PK"
    assert seats["pk"]["organisation"] is None
    keys = {key["key_id"]: key for key in body["keys"]}
    public = board.private_keys["tr"].public_key().public_bytes_raw()
    assert keys[board.key_id("tr")] == {
        "key_id": board.key_id("tr"),
        "member": member_handle(board.members["tr"]),
        "public_key_base64": base64.b64encode(public).decode(),
        "valid_from": keys[board.key_id("tr")]["valid_from"],
        "revoked_at": None,
        "demo": False,
    }
    assert body["policy"] == {
        "min_seats": 3,
        "required_groups": {"palestinian": 1},
        "recuse_earmarking_state": True,
        "recuse_beneficiary": True,
        "from_index": LogEntry.objects.get(kind="policy.set").index,
    }
    assert_no_personal_data_in(client.get(API))


def test_a_revoked_key_and_a_vacated_seat_show(client: Client, board: Board) -> None:
    revoke = board.open(kind="key.revoke", effect={"key_id": board.key_id("eg")})
    vacate = board.open(kind="seat.assign", effect={"seat": "eg", "member": None})
    for motion in (revoke, vacate):
        for seat in ("pk", "tr", "ps-1"):
            board.sign(seat, motion)

    body = checked(client.get(API))

    revoked = LogEntry.objects.get(kind="key.revoked").index
    assert [k["revoked_at"] for k in body["keys"] if k["key_id"] == board.key_id("eg")] == [revoked]
    eg = next(seat for seat in body["seats"] if seat["id"] == "eg")
    assert (eg["holder"], eg["holder_since"]) == (None, None)


def test_before_genesis_the_board_is_empty(client: Client, db: None) -> None:
    assert checked(client.get(API)) == {"seats": [], "keys": [], "policy": None}


def test_the_board_costs_four_queries(
    client: Client, board: Board, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):
        response = client.get(API)

    assert response.status_code == 200
