"""`/motions/new/`: the secretariat opens a motion, with or without JavaScript."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from amanah.accounts.models import Role, User
from amanah.governance.models import Motion
from amanah.ledger.models import LogEntry

sys.path.insert(0, str(Path(__file__).parent.parent / "governance"))
from governance_factories import PALESTINIAN_ORG, Board, build_board, make_user

pytestmark = pytest.mark.django_db

URL = "/motions/new/"
TITLES = {"title_en": "A title", "title_ar": "عنوان", "body_en": "Why", "body_ar": "لماذا"}


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


@pytest.fixture
def secretariat(client: Client, board: Board) -> Client:
    client.force_login(board.secretariat)
    return client


def new_public_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    return base64.b64encode(raw).decode()


def post(client: Client, kind: str, **fields: Any) -> Any:
    return client.post(URL, {"kind": kind, **TITLES, **fields})


def opened(response: Any) -> Motion:
    assert response.status_code == 302, response.content.decode()
    motion = Motion.objects.get()
    assert response["Location"] == f"/motions/{motion.id}/"
    return motion


def field_errors(response: Any, field: str) -> str:
    """The HTML of the field's paragraph, where its errors are shown."""
    html = response.content.decode()
    return html.split(f'id="id_{field}"')[1].split("</p>")[0]


def test_only_the_secretariat_opens_motions(client: Client, board: Board) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"
    for user in (board.members["pk"], make_user("auditor-1", Role.AUDITOR)):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert post(client, "allocation.approve", effect="{}").status_code == 403
    assert not Motion.objects.exists()


def test_the_motions_list_links_here_for_the_secretariat_only(client: Client, board: Board) -> None:
    assert f'href="{URL}"' not in client.get("/motions/").content.decode()
    client.force_login(board.members["pk"])
    assert f'href="{URL}"' not in client.get("/motions/").content.decode()
    client.force_login(board.secretariat)
    assert f'href="{URL}"' in client.get("/motions/").content.decode()


def test_the_kind_is_chosen_first_without_javascript(secretariat: Client, board: Board) -> None:
    html = secretariat.get(URL).content.decode()
    assert "Choose the kind of motion first." in html
    assert 'hx-get="/motions/new/"' in html

    html = secretariat.get(URL, {"kind": "key.register"}).content.decode()
    assert '<input type="hidden" name="kind" value="key.register">' in html
    assert 'name="public_key"' in html
    for member in board.members.values():
        assert f'<option value="member-{member.pk}">member-{member.pk}</option>' in html
    assert 'name="key_id"' not in html

    html = secretariat.get(URL, {"kind": "allocation.approve"}).content.decode()
    assert '<input type="hidden" name="kind" value="other">' in html
    assert 'value="allocation.approve"' in html
    assert 'name="effect"' in html


def test_htmx_swaps_only_the_effect_fieldset(secretariat: Client, board: Board) -> None:
    response = secretariat.get(URL, {"kind": "seat.assign"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<fieldset id="motion-effect">')
    assert "<html" not in html
    assert 'name="seat"' in html
    assert '<option value="vacant">' in html
    assert "Seat ps-1 (ps-1)" in html


def test_the_form_shows_no_personal_data(secretariat: Client, board: Board) -> None:
    words: set[str] = set()
    for user in User.objects.all():
        words |= {user.username, user.email, user.first_name, user.last_name} - {""}
    for kind in ("key.register", "key.revoke", "seat.assign", "policy.change", "x.y"):
        html = secretariat.get(URL, {"kind": kind}).content.decode()
        assert not [word for word in words if word in html], kind


def test_a_key_register_motion(secretariat: Client, board: Board) -> None:
    member = board.members["pk"]
    public_key = new_public_key()

    motion = opened(
        post(secretariat, "key.register", member=f"member-{member.pk}", public_key=public_key)
    )

    assert motion.kind == "key.register"
    assert motion.effect == {"member": f"member-{member.pk}", "public_key": public_key}
    assert motion.title_ar == "عنوان"
    assert motion.body_en == "Why"
    assert LogEntry.objects.get(index=motion.opened_index).actor == f"user:{board.secretariat.pk}"


def test_a_key_that_is_not_base64_is_refused_at_its_field(
    secretariat: Client, board: Board
) -> None:
    member = f"member-{board.members['pk'].pk}"

    response = post(secretariat, "key.register", member=member, public_key="not a key!")

    assert response.status_code == 400
    assert "raw 32-byte Ed25519 public key" in field_errors(response, "public_key")
    assert not Motion.objects.exists()
    response = post(secretariat, "key.register", public_key=new_public_key())
    assert "This field is required." in field_errors(response, "member")


def test_the_service_error_is_shown_on_the_effect(secretariat: Client, board: Board) -> None:
    registered = base64.b64encode(board.private_keys["tr"].public_key().public_bytes_raw()).decode()

    response = post(
        secretariat,
        "key.register",
        member=f"member-{board.members['tr'].pk}",
        public_key=registered,
    )

    assert response.status_code == 400
    effect = response.content.decode().split('<fieldset id="motion-effect">')[1]
    assert "This key is already registered." in effect.split("</fieldset>")[0]
    assert f'value="{registered}"' in effect  # what was typed is kept


def test_a_key_revoke_motion(secretariat: Client, board: Board) -> None:
    motion = opened(post(secretariat, "key.revoke", key_id=board.key_id("eg")))

    assert motion.effect == {"key_id": board.key_id("eg")}


def test_a_seat_assign_motion_can_vacate(secretariat: Client, board: Board) -> None:
    motion = opened(post(secretariat, "seat.assign", seat="qa", holder="vacant"))

    assert motion.effect == {"seat": "qa", "member": None}


def test_a_seat_assign_error_names_the_effect(secretariat: Client, board: Board) -> None:
    holder = f"member-{board.members['qa'].pk}"

    response = post(secretariat, "seat.assign", seat="qa", holder=holder)

    assert response.status_code == 400
    assert "This member already holds this seat." in response.content.decode()


def test_a_policy_change_motion(secretariat: Client, board: Board) -> None:
    html = secretariat.get(URL, {"kind": "policy.change"}).content.decode()
    assert 'name="min_seats" value="3"' in html  # the policy in force, to start from

    motion = opened(
        post(
            secretariat,
            "policy.change",
            min_seats="4",
            palestinian_seats="2",
            recuse_beneficiary="on",
        )
    )

    assert motion.effect == {
        "policy": {
            "min_seats": 4,
            "required_groups": {"palestinian": 2},
            "recuse_earmarking_state": False,
            "recuse_beneficiary": True,
        }
    }


def test_a_policy_asking_too_many_palestinian_seats(secretariat: Client, board: Board) -> None:
    response = post(secretariat, "policy.change", min_seats="2", palestinian_seats="3")

    assert response.status_code == 400
    assert "no more Palestinian seats" in field_errors(response, "palestinian_seats")


def test_another_kind_with_a_json_effect(secretariat: Client, board: Board) -> None:
    effect = {"amount": {"value": "100.00", "currency": "USD"}}

    motion = opened(
        post(
            secretariat,
            "other",
            other_kind="allocation.approve",
            effect=json.dumps(effect),
            earmarked_by="qa, tr",
            beneficiaries=PALESTINIAN_ORG,
        )
    )

    assert motion.kind == "allocation.approve"
    assert motion.effect == effect
    assert motion.earmarked_by == ["QA", "TR"]
    assert motion.beneficiaries == [PALESTINIAN_ORG]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"other_kind": "Allocation"}, "other_kind", "dotted lowercase words"),
        ({"other_kind": ""}, "other_kind", "This field is required."),
        ({"effect": "[1, 2]"}, "effect", "JSON object"),
        ({"effect": "{not json"}, "effect", "JSON object"),
        ({"beneficiaries": "XX-NOBODY"}, "beneficiaries", "registered IATI identifier"),
        ({"earmarked_by": "Qatar"}, "earmarked_by", "two-letter ISO 3166-1 code"),
        ({"title_ar": ""}, "title_ar", "This field is required."),
        ({"title_en": " "}, "title_en", "This field is required."),
    ],
)
def test_each_error_is_shown_at_its_field(
    secretariat: Client, board: Board, fields: dict[str, str], field: str, message: str
) -> None:
    data = {"other_kind": "allocation.approve", "effect": "{}", **fields}

    response = post(secretariat, "other", **data)

    assert response.status_code == 400
    assert message in field_errors(response, field)
    assert not Motion.objects.exists()


def test_a_post_without_a_kind(secretariat: Client, board: Board) -> None:
    response = secretariat.post(URL, TITLES)

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_form_speaks_arabic(secretariat: Client, board: Board) -> None:
    response = secretariat.get(f"/ar{URL}", {"kind": "seat.assign"})

    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "مقعد ps-1 (ps-1)" in html
    assert 'name="title_ar" lang="ar" dir="rtl"' in html
    assert 'name="title_en" lang="en" dir="ltr"' in html
    assert 'action="/ar/motions/new/"' in html
