"""The board's motions over the API: read by anyone, signed and refused by members."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from openapi_check import checked

from amanah.accounts.models import Role, User
from amanah.accounts.services import api_token_create
from amanah.governance.models import Motion, MotionStatus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "governance"))
from governance_factories import Board, build_board, make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/motions"


@pytest.fixture
def board(var_dir: Path) -> Board:
    return build_board()


@pytest.fixture
def motion(board: Board) -> Motion:
    return board.open()


def _bearer(user: User) -> dict[str, str]:
    _, plaintext = api_token_create(user=user, name="cli")
    return {"Authorization": f"Bearer {plaintext}"}


def _post(client: Client, path: str, body: dict[str, Any], user: User | None) -> HttpResponse:
    headers = {} if user is None else _bearer(user)
    response: HttpResponse = client.post(
        path, body, content_type="application/json", headers=headers
    )
    return response


def _sign(client: Client, board: Board, seat: str, motion: Motion, **body: str) -> HttpResponse:
    signature = board.private_keys[seat].sign(bytes(motion.payload))
    payload = {
        "key_id": board.key_id(seat),
        "signature_base64": base64.b64encode(signature).decode(),
        **body,
    }
    return _post(client, f"{API}/{motion.id}/signatures", payload, board.members[seat])


def _refused_field(response: HttpResponse, field: str) -> None:
    assert response.status_code == 422, response.content
    body = checked(response)
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == [field]


# --- reading -------------------------------------------------------------------------------


def test_the_list_is_public(client: Client, motion: Motion) -> None:
    body = checked(client.get(API))

    assert body == {
        "motions": [
            {
                "id": str(motion.id),
                "kind": "allocation.approve",
                "title": {"en": "Allocate to school repairs", "ar": "تخصيص لإصلاح المدارس"},
                "status": "open",
                "opened_index": motion.opened_index,
                "executed_index": None,
                "withdrawn_index": None,
                "withdrawn_reason": "",
            }
        ]
    }


def test_one_motion_carries_its_exact_bytes_and_what_is_missing(
    client: Client, board: Board, motion: Motion
) -> None:
    board.sign("pk", motion)

    body = checked(client.get(f"{API}/{motion.id}"))

    assert base64.b64decode(body["payload_base64"]) == bytes(motion.payload)
    assert body["payload"] == json.loads(bytes(motion.payload))
    assert body["payload"]["motion"] == str(motion.id)
    assert body["signatures"] == [
        {
            "key_id": board.key_id("pk"),
            "member": f"member-{board.members['pk'].pk}",
            "signed_index": motion.signatures.get().signed_index,
        }
    ]
    assert body["quorum"]["met"] is False
    assert body["quorum"]["counted_seats"] == ["pk"]
    assert body["quorum"]["missing"] == {"seats": 2, "palestinian": 1}
    assert body["refusals"] == []


def test_an_unknown_motion_is_404(client: Client, db: None) -> None:
    response = client.get(f"{API}/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert checked(response)["code"] == "not_found"


# --- signing -------------------------------------------------------------------------------


def test_members_sign_until_the_motion_executes(
    client: Client, board: Board, motion: Motion
) -> None:
    statuses = []
    for seat in ("pk", "tr", "ps-1"):
        response = _sign(client, board, seat, motion)
        assert response.status_code == 201, response.content
        statuses.append(checked(response)["status"])

    assert statuses == ["open", "open", "executed"]
    motion.refresh_from_db()
    assert motion.status == MotionStatus.EXECUTED
    body = checked(client.get(f"{API}/{motion.id}"))
    assert body["status"] == "executed"
    assert body["executed_index"] == motion.executed_index
    assert body["quorum"]["met"] is True
    assert body["quorum"]["counted_seats"] == ["pk", "ps-1", "tr"]
    # Once executed, the motion takes no more signatures.
    _refused_field(_sign(client, board, "qa", motion), "motion")


def test_bad_base64_names_signature_base64(client: Client, board: Board, motion: Motion) -> None:
    response = _sign(client, board, "pk", motion, signature_base64="not base64!")

    _refused_field(response, "signature_base64")
    assert not motion.signatures.exists()


def test_a_bad_signature_names_signature(client: Client, board: Board, motion: Motion) -> None:
    forged = base64.b64encode(board.private_keys["tr"].sign(bytes(motion.payload))).decode()

    _refused_field(_sign(client, board, "pk", motion, signature_base64=forged), "signature")


def test_someone_elses_key_names_key_id(client: Client, board: Board, motion: Motion) -> None:
    _refused_field(_sign(client, board, "pk", motion, key_id=board.key_id("tr")), "key_id")


def test_signing_twice_names_key_id(client: Client, board: Board, motion: Motion) -> None:
    assert _sign(client, board, "pk", motion).status_code == 201

    _refused_field(_sign(client, board, "pk", motion), "key_id")


def test_only_board_members_sign(client: Client, board: Board, motion: Motion) -> None:
    signature = board.private_keys["pk"].sign(bytes(motion.payload))
    body = {"key_id": board.key_id("pk"), "signature_base64": base64.b64encode(signature).decode()}

    response = _post(client, f"{API}/{motion.id}/signatures", body, board.secretariat)

    assert response.status_code == 403
    assert checked(response)["code"] == "role_required"


def test_a_member_without_a_seat_may_not_act(client: Client, board: Board, motion: Motion) -> None:
    seatless = make_user("board-seatless", Role.BOARD_MEMBER)

    response = _post(client, f"{API}/{motion.id}/refusals", {"reason": "No."}, seatless)

    assert response.status_code == 403
    assert checked(response)["code"] == "permission_denied"


def test_signing_needs_a_token(client: Client, motion: Motion) -> None:
    body = {"key_id": "x", "signature_base64": "AA=="}

    response = _post(client, f"{API}/{motion.id}/signatures", body, None)

    assert response.status_code == 401
    assert checked(response)["code"] == "authentication_required"


def test_signing_an_unknown_motion_is_404(client: Client, board: Board) -> None:
    body = {"key_id": board.key_id("pk"), "signature_base64": "AA=="}
    path = f"{API}/00000000-0000-4000-8000-000000000000/signatures"

    response = _post(client, path, body, board.members["pk"])

    assert response.status_code == 404
    assert checked(response)["code"] == "not_found"


# --- refusing ------------------------------------------------------------------------------


def test_a_member_refuses_with_a_reason(client: Client, board: Board, motion: Motion) -> None:
    path = f"{API}/{motion.id}/refusals"

    response = _post(client, path, {"reason": "The costing is missing."}, board.members["qa"])

    assert response.status_code == 201
    body = checked(response)
    assert body["status"] == "open"
    detail = checked(client.get(f"{API}/{motion.id}"))
    assert detail["refusals"] == [
        {
            "member": f"member-{board.members['qa'].pk}",
            "reason": "The costing is missing.",
            "index": body["index"],
        }
    ]


def test_a_refusal_needs_a_reason(client: Client, board: Board, motion: Motion) -> None:
    response = _post(client, f"{API}/{motion.id}/refusals", {"reason": "  "}, board.members["qa"])

    _refused_field(response, "reason")


def test_errors_follow_the_language_of_the_request(
    client: Client, board: Board, motion: Motion
) -> None:
    response = client.post(
        f"{API}/{motion.id}/signatures",
        {"key_id": board.key_id("pk"), "signature_base64": "!!"},
        content_type="application/json",
        headers={**_bearer(board.members["pk"]), "Accept-Language": "ar"},
    )

    body = checked(response)
    assert response["Content-Language"] == "ar"
    assert "base64" in body["fields"]["signature_base64"]
    assert "Give" not in body["fields"]["signature_base64"]
