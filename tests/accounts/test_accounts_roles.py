"""Roles: who may do what, checked in services and API handlers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from amanah.accounts.models import Role, User
from amanah.accounts.roles import RoleRequired, require_role, user_has_role
from amanah.core.errors import ErrorCode


def _user(role: str = Role.MONITOR, **extra: object) -> User:
    if role == Role.PARTNER_STAFF:
        extra.setdefault("organisation_iati_id", "PS-GOV-1")
    return User.objects.create_user(username=f"user-{role or 'none'}", role=role, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_a_user_holds_exactly_their_role(role: str) -> None:
    user = _user(role)

    assert user_has_role(user, Role(role))
    assert user_has_role(user, *Role)
    others = [other for other in Role if other != role]
    assert not user_has_role(user, *others)


@pytest.mark.django_db
def test_no_role_no_permission_even_for_a_superuser() -> None:
    admin = User.objects.create_superuser(username="root", password="x" * 16)

    assert admin.role == ""
    assert not user_has_role(admin, *Role)


@pytest.mark.django_db
def test_an_inactive_user_holds_no_role() -> None:
    assert not user_has_role(_user(Role.AUDITOR, is_active=False), Role.AUDITOR)


def test_anonymous_and_other_objects_hold_no_role() -> None:
    assert not user_has_role(AnonymousUser(), *Role)
    assert not user_has_role(None, *Role)
    assert not user_has_role("auditor", Role.AUDITOR)


def test_checking_against_no_role_is_a_mistake() -> None:
    with pytest.raises(TypeError, match="at least one role"):
        user_has_role(AnonymousUser())


@pytest.mark.django_db
def test_require_role_passes_or_raises_a_403_naming_the_roles() -> None:
    monitor = _user(Role.MONITOR)
    require_role(monitor, Role.MONITOR, Role.AUDITOR)

    with pytest.raises(RoleRequired) as raised:
        require_role(monitor, Role.SECRETARIAT, Role.BOARD_MEMBER)

    error = raised.value
    assert (error.code, error.status) == (ErrorCode.ROLE_REQUIRED, 403)
    assert error.as_dict() == {
        "code": "role_required",
        "message": "Only these roles may do this: Fund secretariat, Board member.",
        "fields": {"roles": ["secretariat", "board_member"]},
    }
    with translation.override("ar"):
        arabic = str(error)
    assert arabic != str(error)
    assert "Fund secretariat" not in arabic
    assert "، " in arabic
