"""Logging in, the key page, and signing or refusing a motion from its page (no browser)."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest
from django.test import Client

from amanah.governance.models import MotionRefusal, MotionStatus

sys.path.insert(0, str(Path(__file__).parent.parent / "governance"))
from governance_factories import Board, build_board, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def test_the_key_page_needs_a_logged_in_board_member(client: Client, board: Board) -> None:
    response = client.get("/keys/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/keys/"

    client.force_login(make_user("someone", "secretariat"))
    assert client.get("/keys/").status_code == 403

    client.force_login(board.members["pk"])
    html = client.get("/ar/keys/").content.decode()
    assert "أنشئ مفتاح توقيع في هذا المتصفح" in html
    assert "amanah/sign.js" in html


def test_the_login_page_logs_a_member_in(client: Client, board: Board) -> None:
    member = board.members["pk"]
    member.set_password("correct horse battery staple")
    member.save()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/",
        {"username": member.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"  # where their work waits for them
    assert "Log out" in client.get("/").content.decode()


def test_only_members_see_the_sign_section_of_an_open_motion(client: Client, board: Board) -> None:
    motion = board.open()
    url = f"/motions/{motion.id}/"
    assert 'id="sign-motion"' not in client.get(url).content.decode()

    client.force_login(board.members["pk"])
    html = client.get(url).content.decode()
    assert 'id="sign-motion"' in html
    assert f'data-payload="{base64.b64encode(bytes(motion.payload)).decode()}"' in html


def test_a_signature_posted_from_the_page_is_verified(client: Client, board: Board) -> None:
    motion = board.open()
    client.force_login(board.members["pk"])
    url = f"/motions/{motion.id}/sign"
    good = base64.b64encode(board.private_keys["pk"].sign(bytes(motion.payload))).decode()
    bad = base64.b64encode(board.private_keys["tr"].sign(bytes(motion.payload))).decode()

    response = client.post(url, {"key_id": board.key_id("pk"), "signature_base64": bad})
    assert response.status_code == 400
    assert "does not verify" in response.json()["errors"][0]

    response = client.post(url, {"key_id": board.key_id("pk"), "signature_base64": good})
    assert response.status_code == 200
    assert response.json()["status"] == MotionStatus.OPEN


def test_a_member_refuses_a_motion_without_javascript(client: Client, board: Board) -> None:
    motion = board.open()
    client.force_login(board.members["tr"])
    url = f"/motions/{motion.id}/refuse"

    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "Say why you refuse the motion." in response.content.decode()

    response = client.post(url, {"reason": "The budget is not itemised."})
    assert response.status_code == 302
    assert MotionRefusal.objects.get(motion=motion).reason == "The budget is not itemised."
    assert "The budget is not itemised." in client.get(f"/motions/{motion.id}/").content.decode()
