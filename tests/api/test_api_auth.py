"""Bearer tokens on /api/v1/me: who is calling, and every way of not being let in."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from openapi_check import checked

from amanah.accounts.models import ApiToken, Role, User
from amanah.accounts.services import api_token_create, api_token_revoke

ME = "/api/v1/me"


def _token(role: str = Role.SECRETARIAT, username: str = "amina") -> tuple[ApiToken, str]:
    user = User.objects.create_user(username=username, role=role, email="amina@example.org")
    return api_token_create(user=user, name="laptop")


def _bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.django_db
def test_me_is_the_tokens_user_and_role(client: Client) -> None:
    _, plaintext = _token(Role.SECRETARIAT)

    body = checked(client.get(ME, headers=_bearer(plaintext)))

    assert body == {"username": "amina", "role": "secretariat", "member": None}
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_me_gives_a_board_member_their_public_handle(client: Client) -> None:
    token, plaintext = _token(Role.BOARD_MEMBER)

    body = checked(client.get(ME, headers=_bearer(plaintext)))

    assert body["member"] == f"member-{token.user.pk}"


@pytest.mark.django_db
def test_a_user_without_a_role_is_null(client: Client) -> None:
    _, plaintext = _token("")

    assert checked(client.get(ME, headers=_bearer(plaintext))) == {
        "username": "amina",
        "role": None,
        "member": None,
    }


@pytest.mark.django_db
def test_no_token_is_401_authentication_required(client: Client) -> None:
    response = client.get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="amanah"'
    assert checked(response) == {
        "code": "authentication_required",
        "message": "Sign in first: send an API token as 'Authorization: Bearer <token>'.",
        "fields": {},
    }


@pytest.mark.django_db
def test_a_401_is_in_the_language_asked_for(client: Client) -> None:
    response = client.get(ME, headers={"Accept-Language": "ar"})

    body = checked(response)
    assert response["Content-Language"] == "ar"
    assert body["code"] == "authentication_required"
    assert body["message"].startswith("سجِّل الدخول")


def _refused(client: Client, headers: dict[str, str]) -> None:
    response = client.get(ME, headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="amanah", error="invalid_token"'
    assert checked(response) == {
        "code": "token_invalid",
        "message": "This API token is not valid: it is unknown or was revoked.",
        "fields": {},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "Bearer amanah_" + "A" * 43,
        "Bearer not-a-token",
        "Bearer",
        "Basic YW1pbmE6cGFzc3dvcmQ=",
        "Token amanah_" + "A" * 43,
    ],
)
def test_a_bad_token_is_401_token_invalid(client: Client, header: str) -> None:
    _token()

    _refused(client, {"Authorization": header})


@pytest.mark.django_db
def test_a_revoked_token_is_401_token_invalid(client: Client) -> None:
    token, plaintext = _token()
    assert client.get(ME, headers=_bearer(plaintext)).status_code == 200

    api_token_revoke(token=token)

    _refused(client, _bearer(plaintext))


@pytest.mark.django_db
def test_the_token_of_an_inactive_user_is_401_token_invalid(client: Client) -> None:
    token, plaintext = _token()
    User.objects.filter(pk=token.user_id).update(is_active=False)

    _refused(client, _bearer(plaintext))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def every_log_line() -> Iterator[list[str]]:
    """Whatever any logger writes, including Django's, which does not propagate to root."""
    collect = _Collect()
    loggers = [logging.getLogger(), logging.getLogger("django")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(collect)
        logger.setLevel(logging.DEBUG)
    yield collect.lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(collect)
        logger.setLevel(level)


@pytest.mark.django_db
def test_a_token_is_never_logged(client: Client, every_log_line: list[str]) -> None:
    _, plaintext = _token()

    # Ninja's own bearer class logs an unexpected Authorization header under DEBUG.
    with override_settings(DEBUG=True):
        client.get(ME, headers={"Authorization": f"Token {plaintext}"})
        client.get(ME, headers={"Authorization": f"Bearer {plaintext}x"})
        client.get(ME, headers=_bearer(plaintext))

    assert every_log_line  # the 401s were logged, without the token
    assert not [line for line in every_log_line if plaintext[15:] in line]
