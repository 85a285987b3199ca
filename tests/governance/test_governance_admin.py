"""The board in the admin: listed, never added, changed or deleted there."""

from __future__ import annotations

import pytest
from django.test import Client

from amanah.accounts.models import User
from conftest import DemoLog

MODELS = (
    "seat",
    "seatholder",
    "boardkey",
    "quorumpolicy",
    "motion",
    "motionsignature",
    "motionrefusal",
)


@pytest.fixture
def admin_client_(demo_log: DemoLog, client: Client) -> Client:
    root = User.objects.create_superuser(username="root", password="x" * 16)
    client.force_login(root)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_the_board_is_listed_and_cannot_be_added_there(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(f"/admin/governance/{model}/").status_code == 200
    assert admin_client_.get(f"/admin/governance/{model}/add/").status_code == 403
