"""Withdrawing a motion from its page (secretariat), as a plain form."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

from amanah.governance.models import Motion, MotionStatus

sys.path.insert(0, str(Path(__file__).parent.parent / "governance"))
from governance_factories import Board, build_board, make_user

pytestmark = pytest.mark.django_db

REASON = "Superseded by a larger allocation."


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def test_only_the_secretariat_sees_the_withdraw_form(client: Client, board: Board) -> None:
    motion = board.open()
    url = f"/motions/{motion.id}/"
    assert 'id="withdraw-motion"' not in client.get(url).content.decode()
    client.force_login(board.members["pk"])
    assert 'id="withdraw-motion"' not in client.get(url).content.decode()

    client.force_login(board.secretariat)
    html = client.get(url).content.decode()
    assert 'id="withdraw-motion"' in html
    assert f'action="/motions/{motion.id}/withdraw"' in html
    assert 'id="sign-motion"' not in html


def test_the_secretariat_withdraws_a_motion_giving_a_reason(client: Client, board: Board) -> None:
    motion = board.open()
    client.force_login(board.secretariat)

    response = client.post(f"/motions/{motion.id}/withdraw", {"reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == f"/motions/{motion.id}/"
    motion.refresh_from_db()
    assert motion.status == MotionStatus.WITHDRAWN
    html = client.get(f"/motions/{motion.id}/").content.decode()
    index = motion.withdrawn_index
    assert f'Withdrawn at <a href="/entries/{index}/">log entry {index}</a>.' in html
    assert f"Reason: {REASON}" in html
    assert 'id="withdraw-motion"' not in html
    listed = client.get("/motions/").content.decode()
    assert "Withdrawn" in listed
    assert f'href="/entries/{index}/"' in listed


def test_a_withdrawal_without_a_reason_is_shown_on_the_page(client: Client, board: Board) -> None:
    motion = board.open()
    client.force_login(board.secretariat)

    response = client.post(f"/motions/{motion.id}/withdraw", {"reason": "   "})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<p role="alert">Say why the motion is withdrawn.</p>' in html
    assert 'id="withdraw-motion"' in html
    assert Motion.objects.get().status == MotionStatus.OPEN


def test_a_motion_no_longer_open_cannot_be_withdrawn(client: Client, board: Board) -> None:
    motion = board.open()
    client.force_login(board.secretariat)
    client.post(f"/motions/{motion.id}/withdraw", {"reason": REASON})

    response = client.post(f"/motions/{motion.id}/withdraw", {"reason": "Again."})

    assert response.status_code == 400
    assert "This motion is no longer open." in response.content.decode()


def test_others_may_not_withdraw(client: Client, board: Board) -> None:
    motion = board.open()
    url = f"/motions/{motion.id}/withdraw"
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    for user in (board.members["pk"], make_user("monitor-1", "monitor")):
        client.force_login(user)
        assert client.post(url, {"reason": REASON}).status_code == 403
    assert client.get(url).status_code == 405
    assert Motion.objects.get().status == MotionStatus.OPEN


def test_an_unknown_motion_cannot_be_withdrawn(client: Client, board: Board) -> None:
    client.force_login(board.secretariat)
    url = "/motions/00000000-0000-4000-8000-000000000000/withdraw"
    assert client.post(url, {"reason": REASON}).status_code == 404


def test_a_withdrawn_motion_in_arabic(client: Client, board: Board) -> None:
    motion = board.open()
    client.force_login(board.secretariat)
    client.post(f"/motions/{motion.id}/withdraw", {"reason": REASON})

    html = client.get(f"/ar/motions/{motion.id}/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert motion.title_ar in html
    assert f'href="/ar/entries/{Motion.objects.get().withdrawn_index}/"' in html
    assert REASON in html
