"""The admin: users are edited there; API tokens are listed and never changed."""

from __future__ import annotations

import pytest
from django.test import Client

from amanah.accounts.models import ApiToken, Role, User
from amanah.accounts.services import api_token_create


@pytest.fixture
def admin_client_(db: None, client: Client) -> Client:
    root = User.objects.create_superuser(username="root", password="x" * 16)
    client.force_login(root)
    return client


def test_tokens_are_listed_by_prefix_never_by_hash(admin_client_: Client) -> None:
    user = User.objects.create_user(username="amina", role=Role.MONITOR)
    token, plaintext = api_token_create(user=user, name="field laptop")

    listing = admin_client_.get("/admin/accounts/apitoken/")
    detail = admin_client_.get(f"/admin/accounts/apitoken/{token.pk}/change/")

    assert listing.status_code == 200
    assert token.prefix in listing.text
    assert detail.status_code == 200
    for page in (listing, detail):
        assert token.token_hash not in page.text
        assert plaintext not in page.text


def test_tokens_cannot_be_added_changed_or_deleted(admin_client_: Client) -> None:
    user = User.objects.create_user(username="amina", role=Role.MONITOR)
    token, _ = api_token_create(user=user, name="field laptop")
    change_url = f"/admin/accounts/apitoken/{token.pk}/change/"

    assert admin_client_.get("/admin/accounts/apitoken/add/").status_code == 403
    assert admin_client_.post(change_url, {"name": "renamed"}).status_code == 403
    deleted = admin_client_.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert ApiToken.objects.get().name == "field laptop"


def test_a_users_role_is_edited_in_the_admin(admin_client_: Client) -> None:
    User.objects.create_user(username="amina", role=Role.MONITOR)

    listing = admin_client_.get("/admin/accounts/user/?role=monitor")

    assert listing.status_code == 200
    assert "amina" in listing.text
    amina = User.objects.get(username="amina")
    page = admin_client_.get(f"/admin/accounts/user/{amina.pk}/change/")
    assert 'name="role"' in page.text
    assert 'name="organisation_iati_id"' in page.text
