"""Opening and withdrawing motions over the API: the secretariat opens any kind, a board
member only the registration of a key of their own; the secretariat withdraws."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest
from api_support import assert_no_personal_data_in, send
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.http import HttpResponse
from django.test import Client
from openapi_check import checked

from amanah.accounts.models import Role, User
from amanah.governance.models import BoardKey, Motion, MotionStatus
from amanah.governance.selectors import key_id_of, member_handle
from amanah.ledger.models import LogEntry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
from governance_factories import Board, build_board, make_user, motion_input

pytestmark = pytest.mark.django_db
API = "/api/v1/motions"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
SIGNERS = ("qa", "pk", "tr", "ps-1")


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


def _open(client: Client, user: User | None, **overrides: Any) -> HttpResponse:
    return send(client, "post", API, motion_input(**overrides), user)


def _key_register(member: User, private: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    public = (private or Ed25519PrivateKey.generate()).public_key().public_bytes_raw()
    return {
        "kind": "key.register",
        "title": {"en": "A key for a member", "ar": "مفتاح لعضو"},
        "effect": {
            "member": member_handle(member),
            "public_key": base64.b64encode(public).decode(),
        },
    }


def _sign(client: Client, board: Board, seat: str, motion_id: str) -> dict[str, Any]:
    payload = base64.b64decode(checked(client.get(f"{API}/{motion_id}"))["payload_base64"])
    signature = board.private_keys[seat].sign(payload)
    body = {"key_id": board.key_id(seat), "signature_base64": base64.b64encode(signature).decode()}
    response = send(client, "post", f"{API}/{motion_id}/signatures", body, board.members[seat])
    assert response.status_code == 201, response.content
    answer: dict[str, Any] = checked(response)
    return answer


def _refused_field(response: HttpResponse, field: str) -> None:
    assert response.status_code == 422, response.content
    body = checked(response)
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == [field]


def _refused_role(response: HttpResponse) -> None:
    assert response.status_code == 403, response.content
    assert checked(response)["code"] == "role_required"


# --- opening -------------------------------------------------------------------------------


def test_the_secretariat_opens_a_motion_the_board_then_executes(
    client: Client, board: Board
) -> None:
    response = _open(client, board.secretariat, earmarked_by=["QA"])

    assert response.status_code == 201, response.content
    opened = checked(response)
    assert opened == checked(client.get(f"{API}/{opened['id']}"))
    assert opened["status"] == "open"
    assert opened["kind"] == "allocation.approve"
    assert opened["payload"]["earmarked_by"] == ["QA"]
    assert opened["withdrawn_index"] is None
    assert opened["withdrawn_reason"] == ""
    assert opened["quorum"]["missing"] == {"seats": 3, "palestinian": 1}
    opening = LogEntry.objects.get(index=opened["opened_index"])
    assert opening.kind == "motion.opened"
    assert opening.actor == f"user:{board.secretariat.pk}"
    # Qatar earmarked the funds, so the Qatari seat's signature does not count.
    statuses = [_sign(client, board, seat, opened["id"])["status"] for seat in SIGNERS]
    assert statuses == ["open", "open", "open", "executed"]
    assert Motion.objects.get(pk=opened["id"]).status == MotionStatus.EXECUTED
    quorum = checked(client.get(f"{API}/{opened['id']}"))["quorum"]
    assert quorum["counted_seats"] == ["pk", "ps-1", "tr"]
    assert quorum["refused"] == [[board.key_id("qa"), "recused"]]


def test_a_member_proposes_their_own_key_and_the_board_registers_it(
    client: Client, board: Board
) -> None:
    member = board.members["eg"]
    new_key = Ed25519PrivateKey.generate()

    response = send(client, "post", API, _key_register(member, new_key), member)

    assert response.status_code == 201, response.content
    opened = checked(response)
    assert opened["kind"] == "key.register"
    # The member opens it under their public handle, as they sign.
    assert LogEntry.objects.get(index=opened["opened_index"]).actor == member_handle(member)
    for seat in ("pk", "tr", "ps-1"):
        _sign(client, board, seat, opened["id"])
    key_id = key_id_of(new_key.public_key().public_bytes_raw())
    assert BoardKey.objects.get(key_id=key_id).user == member
    keys = checked(client.get("/api/v1/board"))["keys"]
    assert {"key_id": key_id, "member": member_handle(member)}.items() <= keys[-1].items()


def test_a_member_may_not_propose_someone_elses_key(client: Client, board: Board) -> None:
    before = LogEntry.objects.count()

    response = send(client, "post", API, _key_register(board.members["tr"]), board.members["pk"])

    _refused_role(response)
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize("kind", ["allocation.approve", "key.revoke", "policy.change"])
def test_a_member_opens_no_other_kind(client: Client, board: Board, kind: str) -> None:
    _refused_role(_open(client, board.members["pk"], kind=kind))


def test_a_monitor_opens_nothing_not_even_a_key_for_themselves(
    client: Client, board: Board
) -> None:
    monitor = make_user("monitor-1", Role.MONITOR)

    _refused_role(send(client, "post", API, _key_register(monitor), monitor))


def test_opening_needs_a_token(client: Client, board: Board) -> None:
    response = _open(client, None)

    assert response.status_code == 401
    assert checked(response)["code"] == "authentication_required"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "Key Register"}, "kind"),
        ({"title": {"en": "  ", "ar": "عنوان"}}, "title"),
        ({"title": {"en": "Only English"}}, "title.ar"),
        ({"effect": "not an object"}, "effect"),
        ({"earmarked_by": ["qa"]}, "earmarked_by"),
        ({"beneficiaries": ["XI-NOT-REGISTERED"]}, "beneficiaries"),
        ({"kind": "key.revoke", "effect": {"key_id": "0000000000000000"}}, "effect"),
        ({"kind": "policy.change", "effect": {"policy": {}}}, "effect"),
    ],
)
def test_a_bad_motion_names_its_field(
    client: Client, board: Board, overrides: dict[str, Any], field: str
) -> None:
    before = LogEntry.objects.count()

    _refused_field(_open(client, board.secretariat, **overrides), field)
    assert LogEntry.objects.count() == before


def test_a_key_that_is_not_ed25519_names_effect(client: Client, board: Board) -> None:
    member = board.members["pk"]
    body = _key_register(member)
    body["effect"]["public_key"] = base64.b64encode(b"short").decode()

    _refused_field(send(client, "post", API, body, member), "effect")


def test_a_key_already_registered_names_effect(client: Client, board: Board) -> None:
    member = board.members["pk"]

    body = _key_register(member, board.private_keys["pk"])

    _refused_field(send(client, "post", API, body, member), "effect")


# --- withdrawing ---------------------------------------------------------------------------


def _withdraw(client: Client, motion_id: object, reason: str, user: User | None) -> HttpResponse:
    return send(client, "post", f"{API}/{motion_id}/withdrawal", {"reason": reason}, user)


def test_the_secretariat_withdraws_a_motion_saying_why(client: Client, board: Board) -> None:
    motion = board.open()

    response = _withdraw(client, motion.id, "  Superseded by the next round. ", board.secretariat)

    assert response.status_code == 201, response.content
    body = checked(response)
    assert body == {"motion": str(motion.id), "status": "withdrawn", "index": body["index"]}
    assert LogEntry.objects.get(index=body["index"]).kind == "motion.withdrawn"
    detail = checked(client.get(f"{API}/{motion.id}"))
    assert detail["status"] == "withdrawn"
    assert detail["withdrawn_index"] == body["index"]
    assert detail["withdrawn_reason"] == "Superseded by the next round."
    listed = checked(client.get(API))["motions"][0]
    assert (listed["withdrawn_index"], listed["withdrawn_reason"]) == (
        body["index"],
        "Superseded by the next round.",
    )
    # A withdrawn motion takes no more signatures, and cannot be withdrawn twice.
    signature = board.private_keys["pk"].sign(bytes(motion.payload))
    signed = send(
        client,
        "post",
        f"{API}/{motion.id}/signatures",
        {"key_id": board.key_id("pk"), "signature_base64": base64.b64encode(signature).decode()},
        board.members["pk"],
    )
    _refused_field(signed, "motion")
    _refused_field(_withdraw(client, motion.id, "Again.", board.secretariat), "motion")


def test_an_executed_motion_cannot_be_withdrawn(client: Client, board: Board) -> None:
    motion = board.open()
    for seat in ("pk", "tr", "ps-1"):
        board.sign(seat, motion)

    _refused_field(_withdraw(client, motion.id, "Too late.", board.secretariat), "motion")


def test_a_withdrawal_needs_a_reason(client: Client, board: Board) -> None:
    motion = board.open()

    _refused_field(_withdraw(client, motion.id, "   ", board.secretariat), "reason")
    missing = send(client, "post", f"{API}/{motion.id}/withdrawal", {}, board.secretariat)
    _refused_field(missing, "reason")


def test_only_the_secretariat_withdraws(client: Client, board: Board) -> None:
    motion = board.open()

    _refused_role(_withdraw(client, motion.id, "I dislike it.", board.members["pk"]))
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN


def test_withdrawing_needs_a_token_and_a_motion(client: Client, board: Board) -> None:
    motion = board.open()

    no_token = _withdraw(client, motion.id, "No.", None)
    unknown = _withdraw(client, UNKNOWN, "No.", board.secretariat)

    assert no_token.status_code == 401
    assert checked(no_token)["code"] == "authentication_required"
    assert unknown.status_code == 404
    assert checked(unknown)["code"] == "not_found"


# --- what the answers say about people -----------------------------------------------------


def test_no_answer_names_a_person(client: Client, board: Board) -> None:
    member = board.members["pk"]
    proposed = send(client, "post", API, _key_register(member), member)
    opened = _open(client, board.secretariat)
    motion_id = checked(opened)["id"]
    _sign(client, board, "tr", motion_id)
    send(client, "post", f"{API}/{motion_id}/refusals", {"reason": "No."}, board.members["qa"])
    withdrawn = _withdraw(client, motion_id, "Replaced.", board.secretariat)

    for response in (
        proposed,
        opened,
        withdrawn,
        client.get(API),
        client.get(f"{API}/{motion_id}"),
        client.get("/api/v1/board"),
    ):
        assert response.status_code in (200, 201), response.content
        assert_no_personal_data_in(response)
