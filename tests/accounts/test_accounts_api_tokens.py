"""API tokens: created once in the clear, stored as a hash, checked, used, revoked."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from amanah.accounts.models import ApiToken, Role, User
from amanah.accounts.services import api_token_authenticate, api_token_create, api_token_revoke

_TOKEN = re.compile(r"amanah_[A-Za-z0-9_-]{43}")


def _user(username: str = "amina", **extra: object) -> User:
    return User.objects.create_user(username=username, role=Role.MONITOR, **extra)


@pytest.mark.django_db
def test_create_returns_the_token_once_and_stores_only_its_hash() -> None:
    user = _user()

    token, plaintext = api_token_create(user=user, name="field laptop")

    assert _TOKEN.fullmatch(plaintext)
    stored = ApiToken.objects.get()
    assert stored.pk == token.pk
    assert (stored.user, stored.name) == (user, "field laptop")
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert stored.prefix == plaintext[:15]
    assert (stored.last_used_at, stored.revoked_at) == (None, None)
    # Nothing in the table can give the token back: no column holds it or its secret part.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        row = cursor.fetchone()
    assert not any(plaintext[15:] in str(value) for value in row)


@pytest.mark.django_db
def test_each_token_is_new() -> None:
    user = _user()

    plaintexts = {api_token_create(user=user, name=f"t{n}")[1] for n in range(20)}

    assert len(plaintexts) == 20
    assert ApiToken.objects.values("token_hash").distinct().count() == 20


@pytest.mark.django_db
def test_a_token_needs_a_name() -> None:
    with pytest.raises(ValidationError) as raised:
        api_token_create(user=_user(), name="")

    assert "name" in raised.value.message_dict
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_authenticate_finds_the_user_of_a_live_token() -> None:
    user = _user()
    _, plaintext = api_token_create(user=user, name="laptop")
    api_token_create(user=_user("other"), name="other")

    assert api_token_authenticate(plaintext=plaintext) == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "presented",
    [
        "",
        "amanah_",
        "not-a-token",
        # Right shape, wrong secret: the stored prefix matches, the hash does not.
        "SAME_PREFIX",
        # One character too many or too few.
        "LONGER",
        "SHORTER",
    ],
)
def test_authenticate_refuses_anything_but_the_token(presented: str) -> None:
    _, plaintext = api_token_create(user=_user(), name="laptop")
    altered = {
        "SAME_PREFIX": plaintext[:15] + "A" * 35,
        "LONGER": plaintext + "A",
        "SHORTER": plaintext[:-1],
    }

    assert api_token_authenticate(plaintext=altered.get(presented, presented)) is None
    assert ApiToken.objects.get().last_used_at is None


@pytest.mark.django_db
def test_a_revoked_token_is_refused() -> None:
    token, plaintext = api_token_create(user=_user(), name="laptop")

    revoked = api_token_revoke(token=token)

    assert revoked.revoked_at is not None
    assert ApiToken.objects.get().revoked_at == revoked.revoked_at
    assert api_token_authenticate(plaintext=plaintext) is None


@pytest.mark.django_db
def test_revoking_twice_keeps_the_first_time() -> None:
    token, _ = api_token_create(user=_user(), name="laptop")
    first = api_token_revoke(token=token).revoked_at

    again = api_token_revoke(token=ApiToken.objects.get())

    assert again.revoked_at == first


@pytest.mark.django_db
def test_the_token_of_an_inactive_user_is_refused() -> None:
    user = _user()
    _, plaintext = api_token_create(user=user, name="laptop")
    user.is_active = False
    user.save()

    assert api_token_authenticate(plaintext=plaintext) is None


@pytest.mark.django_db
def test_use_is_recorded_at_most_once_a_minute(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    token, plaintext = api_token_create(user=_user(), name="laptop")

    api_token_authenticate(plaintext=plaintext)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    assert abs(timezone.now() - first) < timedelta(seconds=10)

    # Used again within the minute: the lookup only, no write.
    with django_assert_num_queries(1):
        api_token_authenticate(plaintext=plaintext)
    assert ApiToken.objects.get().last_used_at == first

    # Last used over a minute ago: recorded again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=61))
    with django_assert_num_queries(2):
        api_token_authenticate(plaintext=plaintext)
    assert ApiToken.objects.get().last_used_at > first
