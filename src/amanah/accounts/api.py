"""The accounts API: who the caller is."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from amanah.accounts.models import User
from amanah.accounts.schemas import MeOut
from amanah.core.schemas import ErrorOut

# Every operation here needs a token (the API's default authentication).
router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user
