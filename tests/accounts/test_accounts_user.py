"""The custom user model and the one-row rules the database keeps for it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError

from amanah.accounts.models import Role, User


def test_the_project_uses_its_own_user_model() -> None:
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert get_user_model() is User


@pytest.mark.django_db
def test_partner_staff_belong_to_an_organisation() -> None:
    staff = User.objects.create_user(
        username="omar", role=Role.PARTNER_STAFF, organisation_iati_id="PS-GOV-1"
    )

    assert staff.organisation_iati_id == "PS-GOV-1"


@pytest.mark.django_db
@pytest.mark.parametrize("organisation", [None, ""])
def test_partner_staff_without_an_organisation_are_refused(organisation: str | None) -> None:
    with pytest.raises(IntegrityError, match="accounts_user_organisation_iff_partner_staff"):
        User.objects.create_user(
            username="omar", role=Role.PARTNER_STAFF, organisation_iati_id=organisation
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["", Role.MONITOR, Role.AUDITOR])
def test_no_one_else_belongs_to_an_organisation(role: str) -> None:
    with pytest.raises(IntegrityError, match="accounts_user_organisation_iff_partner_staff"):
        User.objects.create_user(username="omar", role=role, organisation_iati_id="PS-GOV-1")


@pytest.mark.django_db
def test_an_unknown_role_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError, match="accounts_user_role_known"):
        User.objects.create_user(username="omar", role="king")


@pytest.mark.django_db
def test_createsuperuser_makes_a_user_with_no_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough password")

    call_command("createsuperuser", "--noinput", "--username=root", "--email=", stdout=StringIO())

    root = User.objects.get(username="root")
    assert (root.is_superuser, root.role, root.organisation_iati_id) == (True, "", None)
