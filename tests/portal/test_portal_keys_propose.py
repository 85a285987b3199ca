"""`/keys/`: a member's registered keys, and proposing the browser's key to the board."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from amanah.governance.models import Motion, MotionStatus
from amanah.governance.selectors import key_id_of
from amanah.ledger.models import LogEntry

sys.path.insert(0, str(Path(__file__).parent.parent / "governance"))
from governance_factories import Board, build_board, make_user

pytestmark = pytest.mark.django_db

URL = "/keys/propose"


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def new_key() -> tuple[str, str]:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    return base64.b64encode(raw).decode(), key_id_of(raw)


def test_the_key_page_lists_the_members_own_registered_keys(client: Client, board: Board) -> None:
    client.force_login(board.members["pk"])

    html = client.get("/keys/").content.decode()

    own = board.key_id("pk")
    assert f'data-registered="{own} "' in html
    assert 'data-revoked=""' in html
    assert f'<code dir="ltr">{own}</code>' in html
    assert board.key_id("tr") not in html
    assert 'action="/keys/propose"' in html
    assert "data-msg-registered=" in html
    assert "data-msg-unregistered=" in html


def test_a_revoked_key_is_listed_as_revoked(client: Client, board: Board) -> None:
    revoke = board.open(kind="key.revoke", effect={"key_id": board.key_id("pk")})
    for seat in ("tr", "qa", "ps-1"):
        board.sign(seat, revoke)
    client.force_login(board.members["pk"])

    html = client.get("/keys/").content.decode()

    assert 'data-registered=""' in html
    assert f'data-revoked="{board.key_id("pk")} "' in html


def test_the_key_page_shows_no_personal_data(client: Client, board: Board) -> None:
    member = board.members["pk"]
    client.force_login(member)

    html = client.get("/keys/").content.decode()

    for word in (member.username, member.email, member.first_name, member.last_name):
        assert word not in html


def test_a_member_proposes_their_own_key(client: Client, board: Board) -> None:
    member = board.members["pk"]
    public_key, key_id = new_key()
    client.force_login(member)

    response = client.post(URL, {"public_key": public_key})

    motion = Motion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/motions/{motion.id}/"
    assert motion.kind == "key.register"
    assert motion.status == MotionStatus.OPEN
    assert motion.effect == {"member": f"member-{member.pk}", "public_key": public_key}
    assert motion.title_en == f"Register the key {key_id} of member-{member.pk}"
    assert motion.title_ar  # from the catalogue once translated; English until then
    opened = LogEntry.objects.get(index=motion.opened_index)
    assert opened.actor == f"member-{member.pk}"
    entry = json.loads(bytes(opened.entry))
    assert member.username not in json.dumps(entry)


def test_the_proposal_from_an_arabic_page_is_still_bilingual(client: Client, board: Board) -> None:
    public_key, key_id = new_key()
    client.force_login(board.members["pk"])

    response = client.post(f"/ar{URL}", {"public_key": public_key})

    motion = Motion.objects.get()
    assert response["Location"] == f"/ar/motions/{motion.id}/"
    assert motion.title_en.startswith(f"Register the key {key_id}")


@pytest.mark.parametrize("public_key", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_refused(client: Client, board: Board, public_key: str) -> None:
    client.force_login(board.members["pk"])

    response = client.post(URL, {"public_key": public_key})

    assert response.status_code == 400
    assert '<p role="alert">' in response.content.decode()
    assert not Motion.objects.exists()


def test_a_registered_key_is_refused(client: Client, board: Board) -> None:
    client.force_login(board.members["pk"])
    registered = base64.b64encode(board.private_keys["pk"].public_key().public_bytes_raw()).decode()

    response = client.post(URL, {"public_key": registered})

    assert response.status_code == 400
    assert '<p role="alert">This key is already registered.</p>' in response.content.decode()
    assert not Motion.objects.exists()


def test_only_board_members_propose_keys(client: Client, board: Board) -> None:
    public_key, _ = new_key()
    response = client.post(URL, {"public_key": public_key})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    for user in (board.secretariat, make_user("monitor-1", "monitor")):
        client.force_login(user)
        assert client.post(URL, {"public_key": public_key}).status_code == 403
    assert client.get(URL).status_code == 405
    assert not Motion.objects.exists()


def test_a_member_without_a_seat_may_propose_too(client: Client, board: Board) -> None:
    newcomer = make_user("board-new")
    public_key, _ = new_key()
    client.force_login(newcomer)

    assert client.post(URL, {"public_key": public_key}).status_code == 302
    assert Motion.objects.get().effect["member"] == f"member-{newcomer.pk}"


def test_the_key_page_speaks_arabic(client: Client, board: Board) -> None:
    client.force_login(board.members["pk"])

    html = client.get("/ar/keys/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert 'action="/ar/keys/propose"' in html
    assert f'href="/ar/entries/{board.members["pk"].board_keys.get().valid_from}/"' in html
