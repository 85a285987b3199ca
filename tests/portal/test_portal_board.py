"""`/board/`: the seats and their holders, the keys, and the quorum policy in plain words."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from amanah.accounts.models import User
from amanah.governance.models import BoardKey, QuorumPolicy, Seat
from conftest import DemoLog

sys.path.insert(0, str(Path(__file__).parent.parent / "governance"))
from governance_factories import Board, build_board

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def personal_data() -> set[str]:
    words: set[str] = set()
    for user in User.objects.all():
        words |= {user.username, user.email, user.first_name, user.last_name} - {""}
    return words


def test_the_board_page_shows_seats_holders_keys_and_the_policy(
    client: Client, board: Board
) -> None:
    response = client.get("/board/")

    assert response.status_code == 200
    html = response.content.decode()
    policy = QuorumPolicy.objects.get()
    assert "At least 3 of 5 seats must sign, including at least 1 Palestinian seat." in html
    assert (
        "A state’s seat does not count on money it earmarked; an organisation’s seat does "
        "not count on a motion that benefits it." in html
    )
    index = policy.from_index
    assert f'Set at <a href="/entries/{index}/">log entry {index}</a>' in html
    for seat in Seat.objects.all():
        assert seat.label_en in html
    ps = html.split('id="seat-ps-1"')[1].split("</tr>")[0]
    assert "Palestinian" in ps
    assert "Ministry of Public Works and Housing" in ps
    holder = board.members["ps-1"]
    assert f'<code dir="ltr">member-{holder.pk}</code>' in ps
    since = holder.seats_held.get().from_index
    assert f'href="/entries/{since}/"' in ps
    for key in BoardKey.objects.all():
        row = html.split(f'id="key-{key.key_id}"')[1].split("</tr>")[0]
        assert f"member-{key.user_id}" in row
        assert f'href="/entries/{key.valid_from}/"' in row
        assert "do not trust" not in row
    assert 'href="/board/"' in html  # the site's navigation links here


def test_the_board_page_shows_no_personal_data(client: Client, board: Board) -> None:
    html = client.get("/board/").content.decode()

    assert not [word for word in personal_data() if word in html]


def test_a_vacated_seat_a_revoked_key_and_a_changed_policy(client: Client, board: Board) -> None:
    vacate = board.open(kind="seat.assign", effect={"seat": "qa", "member": None})
    revoke = board.open(kind="key.revoke", effect={"key_id": board.key_id("eg")})
    change = board.open(
        kind="policy.change",
        effect={
            "policy": {
                "min_seats": 2,
                "required_groups": {"palestinian": 2},
                "recuse_earmarking_state": False,
                "recuse_beneficiary": True,
            }
        },
    )
    for motion in (vacate, revoke, change):
        for seat in ("pk", "tr", "ps-1"):
            board.sign(seat, motion)

    html = client.get("/board/").content.decode()

    qa = html.split('id="seat-qa"')[1].split("</tr>")[0]
    assert "vacant" in qa
    assert "member-" not in qa
    revoked = BoardKey.objects.get(key_id=board.key_id("eg")).revoked_at
    row = html.split(f'id="key-{board.key_id("eg")}"')[1].split("</tr>")[0]
    assert f'href="/entries/{revoked}/"' in row
    assert "At least 2 of 5 seats must sign, including at least 2 Palestinian seats." in html
    assert "An organisation’s seat does not count on a motion that benefits it." in html
    assert "A state’s seat counts even on money it earmarked." in html


def test_the_demo_board_marks_its_demo_keys_in_four_queries(
    client: Client, demo_log: DemoLog, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(4):
        response = client.get("/board/")

    html = response.content.decode()
    demo_keys = BoardKey.objects.filter(is_demo=True)
    assert demo_keys.exists()
    for key in demo_keys:
        row = html.split(f'id="key-{key.key_id}"')[1].split("</tr>")[0]
        assert "Demo key — do not trust" in row
    assert not [word for word in personal_data() if word in html]


def test_the_board_page_speaks_arabic(client: Client, board: Board) -> None:
    html = client.get("/ar/board/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "مقعد pk" in html
    assert "Seat pk" not in html
    assert "وزارة الأشغال العامة والإسكان" in html
    assert 'href="/ar/entries/' in html
    assert 'href="/ar/board/"' in html


def test_an_empty_board_says_so(client: Client, var_dir: Path) -> None:
    html = client.get("/board/").content.decode()

    assert "no quorum policy is in force" in html
    assert "No seat has been created yet." in html
    assert "No key has been registered yet." in html
