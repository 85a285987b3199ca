"""`board_overview`: the board now, for the /board/ page and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from governance_factories import build_board

from amanah.governance.selectors import board_overview

pytestmark = pytest.mark.django_db


def test_every_seat_key_and_the_policy_in_four_queries(
    var_dir: Path, django_assert_num_queries: Any
) -> None:
    board = build_board()
    with django_assert_num_queries(4):
        overview = board_overview()
    assert [row.seat.id for row in overview.seats] == ["eg", "pk", "ps-1", "qa", "tr"]
    holders = {row.seat.id: row.holder for row in overview.seats}
    assert holders["pk"] == f"member-{board.members['pk'].pk}"
    assert {row.key_id for row in overview.keys} == {board.key_id(seat) for seat in holders}
    assert overview.policy is not None
    assert overview.policy.min_seats == 3
    assert overview.policy_from == max(row.valid_from for row in overview.keys) + 1


def test_before_genesis_the_board_is_empty(var_dir: Path) -> None:
    overview = board_overview()
    assert (overview.seats, overview.keys, overview.policy, overview.policy_from) == (
        [],
        [],
        None,
        None,
    )
