"""The board over the API: its motions, and the board itself (seats, keys, policy).

Reading needs no token, like the pages at /motions/. Opening a motion needs the
secretariat's token, or a board member's to propose a key of their own (the service
decides which, and refuses the rest with `role_required`); withdrawing one needs the
secretariat's. Signing and refusing need a board member's token; the server verifies the
signature over the motion's exact bytes before it is logged, and executes the motion when
the signatures meet the quorum.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from amanah.accounts.models import User
from amanah.core.errors import NotFound, PermissionDenied, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.governance.models import Motion
from amanah.governance.schemas import (
    BoardOut,
    MotionIn,
    MotionListOut,
    MotionOut,
    RefusalIn,
    RefusalOut,
    SignatureIn,
    SignatureOut,
    WithdrawalIn,
    WithdrawalOut,
    board_out,
    motion_out,
)
from amanah.governance.selectors import (
    board_overview,
    motion_detail,
    motion_list,
    motion_quorum_now,
)
from amanah.governance.services import motion_open, motion_refuse, motion_sign, motion_withdraw

router = Router(tags=["motions"])
board_router = Router(tags=["board"], auth=None)


def _motion(motion_id: uuid.UUID) -> Motion:
    motion = Motion.objects.filter(pk=motion_id).first()
    if motion is None:
        raise NotFound()
    return motion


def _as_api_error(error: ValidationError) -> Exception:
    """A service's ValidationError as the API's error: a member without a seat may not act
    (403); anything else names the field at fault (422)."""
    if any(e.code == "no_seat" for e in getattr(error, "error_dict", {}).get("actor", [])):
        return PermissionDenied()
    return RequestInvalid.from_validation_error(error)


def _motion_out(motion_id: uuid.UUID) -> dict[str, Any]:
    detail = motion_detail(motion_id)
    if detail is None:
        raise NotFound()
    quorum = detail.quorum
    if quorum is None:
        now = motion_quorum_now(detail.motion)
        quorum = None if now is None else now.to_json()
    return motion_out(detail, quorum)


@router.get("", response={200: MotionListOut}, auth=None, summary="Every motion, newest first")
def motions(request: HttpRequest) -> dict[str, Any]:
    return {"motions": list(motion_list())}


@router.get(
    "/{motion_id}",
    response={200: MotionOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="One motion: the bytes to sign, signatures so far, and what the quorum lacks",
)
def motion(request: HttpRequest, motion_id: uuid.UUID) -> dict[str, Any]:
    return _motion_out(motion_id)


@router.post(
    "",
    response={201: MotionOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Open a motion (the secretariat; a board member only to register their own key)",
)
def motion_create(request: HttpRequest, body: MotionIn) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    try:
        opened = motion_open(**body.service_kwargs(), actor=user)
    except ValidationError as error:
        raise _as_api_error(error) from None
    return Status(201, _motion_out(opened.id))


@router.post(
    "/{motion_id}/withdrawal",
    response={201: WithdrawalOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Withdraw an open motion, saying why (the secretariat)",
)
def motion_withdrawal(
    request: HttpRequest, motion_id: uuid.UUID, body: WithdrawalIn
) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    target = _motion(motion_id)
    try:
        withdrawn = motion_withdraw(motion=target, reason=body.reason, actor=user)
    except ValidationError as error:
        raise _as_api_error(error) from None
    return Status(
        201,
        {"motion": withdrawn.id, "status": withdrawn.status, "index": withdrawn.withdrawn_index},
    )


@router.post(
    "/{motion_id}/signatures",
    response={201: SignatureOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Sign a motion (board members)",
)
def motion_signature(
    request: HttpRequest, motion_id: uuid.UUID, body: SignatureIn
) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    target = _motion(motion_id)
    try:
        signature = base64.b64decode(body.signature_base64, validate=True)
    except (binascii.Error, ValueError):
        raise RequestInvalid(
            {"signature_base64": _("Give the signature in standard base64.")}
        ) from None
    try:
        signed = motion_sign(motion=target, key_id=body.key_id, signature=signature, actor=user)
    except ValidationError as error:
        raise _as_api_error(error) from None
    return Status(
        201, {"motion": signed.id, "status": signed.status, "executed_index": signed.executed_index}
    )


@router.post(
    "/{motion_id}/refusals",
    response={201: RefusalOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Refuse a motion, saying why (board members)",
)
def motion_refusal(
    request: HttpRequest, motion_id: uuid.UUID, body: RefusalIn
) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    target = _motion(motion_id)
    try:
        refusal = motion_refuse(motion=target, reason=body.reason, actor=user)
    except ValidationError as error:
        raise _as_api_error(error) from None
    return Status(201, {"motion": target.id, "status": target.status, "index": refusal.index})


@board_router.get(
    "",
    response={200: BoardOut},
    summary="The board now: seats and their holders, every key, the policy in force",
)
def board(request: HttpRequest) -> dict[str, Any]:
    return board_out(board_overview())
