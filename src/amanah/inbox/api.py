"""/api/v1/messages: private messages between the fund's staff and a partner
organisation's staff. A token is needed for every operation; a thread the token's user
may not see is 404, whether or not it exists. Reading a thread marks it read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status

from amanah.accounts.models import User
from amanah.core.errors import NotFound, PermissionDenied, RequestInvalid
from amanah.core.schemas import ErrorOut
from amanah.inbox import selectors, services
from amanah.inbox.models import Thread
from amanah.inbox.schemas import (
    MessageOut,
    ReplyIn,
    ThreadDetailOut,
    ThreadIn,
    ThreadListOut,
    message_out,
    thread_detail_out,
    thread_out,
)

router = Router(tags=["messages"])

_T = TypeVar("_T")
_READ = {401: ErrorOut, 403: ErrorOut}
_WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _member(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not selectors.may_use_inbox(user):
        raise PermissionDenied()
    return user


def _service(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except ValidationError as error:
        raise RequestInvalid.from_validation_error(error) from None


def _thread(user: User, thread_id: uuid.UUID) -> Thread:
    found = selectors.thread_get(user, thread_id)
    if found is None:
        raise NotFound()
    return found


@router.get("", response={200: ThreadListOut, **_READ}, summary="Your message threads")
def threads(request: HttpRequest) -> dict[str, Any]:
    user = _member(request)
    return {"threads": [thread_out(t) for t in selectors.thread_list_for(user)]}


@router.post(
    "",
    response={201: ThreadDetailOut, **_WRITE},
    summary="Start a thread (the fund's staff with a partner; partner staff with the fund)",
)
def thread_start(request: HttpRequest, body: ThreadIn) -> Status[dict[str, Any]]:
    user = _member(request)
    started = _service(lambda: services.thread_start(**body.dict(), actor=user))
    found = _thread(user, started.pk)
    return Status(201, thread_detail_out(found, list(selectors.message_list(found))))


@router.get(
    "/{thread_id}",
    response={200: ThreadDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A thread with its messages; marks it read",
)
def thread(request: HttpRequest, thread_id: uuid.UUID) -> dict[str, Any]:
    user = _member(request)
    found = _thread(user, thread_id)
    services.thread_mark_read(thread=found, actor=user)
    found = _thread(user, thread_id)  # its unread count is now 0
    return thread_detail_out(found, list(selectors.message_list(found)))


@router.post(
    "/{thread_id}/replies", response={201: MessageOut, **_WRITE}, summary="Reply to a thread"
)
def thread_reply(
    request: HttpRequest, thread_id: uuid.UUID, body: ReplyIn
) -> Status[dict[str, Any]]:
    user = _member(request)
    found = _thread(user, thread_id)
    posted = _service(lambda: services.thread_reply(thread=found, body=body.body, actor=user))
    return Status(201, message_out(posted))
