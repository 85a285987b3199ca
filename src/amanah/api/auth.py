"""Bearer authentication with an API token (`Authorization: Bearer amanah_...`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from amanah.accounts.models import User
from amanah.accounts.services import api_token_authenticate
from amanah.core.errors import TokenInvalid

__all__ = ["ApiTokenAuth"]


class ApiTokenAuth(HttpBearer):
    """Sets `request.auth` to the token's user. No header: 401 `authentication_required`;
    a token that is malformed, unknown, revoked or whose user is inactive: 401
    `token_invalid`. Which of those it was is not said."""

    def __call__(self, request: HttpRequest) -> User | None:
        # Ninja's own __call__ logs the whole header under DEBUG; a token must never be
        # logged, so the header is read here.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if not scheme:
            return None
        if scheme.lower() != self.openapi_scheme:
            raise TokenInvalid()
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = api_token_authenticate(plaintext=token)
        if user is None:
            raise TokenInvalid()
        return user
