"""Helpers the API tests share: a token for a user, JSON requests, and the check that a
response names no person.

(Named for its directory: test directories are not packages, see orgs_factories.)
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client

from amanah.accounts.models import User
from amanah.accounts.services import api_token_create


def bearer(user: User) -> dict[str, str]:
    _, plaintext = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {plaintext}"}


def send(
    client: Client, method: str, path: str, body: dict[str, Any], user: User | None
) -> HttpResponse:
    """A JSON request as `user` (None: with no token at all)."""
    headers = {} if user is None else bearer(user)
    response: HttpResponse = getattr(client, method)(
        path, body, content_type="application/json", headers=headers
    )
    return response


def assert_no_personal_data_in(response: HttpResponse) -> None:
    """No username, e-mail, first or last name of any user appears in the response: the
    API names people only by their public handle, as the log does."""
    text = response.content.decode()
    for user in User.objects.all():
        words = {user.username, user.email, user.first_name, user.last_name} - {""}
        assert not [word for word in words if word in text], (user.pk, text[:200])
