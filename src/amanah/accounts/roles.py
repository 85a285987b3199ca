"""Permission checks for services and API handlers: `user_has_role`, `require_role`.

    require_role(request.auth, Role.SECRETARIAT, Role.AUDITOR)  # raises RoleRequired (403)

A role is a value on the user (`User.role`, one of `Role`), one per account, rather than
a Role table or Django's groups and permissions:
- checks are domain acts ("only a monitor verifies a milestone"), not Django's per-model
  add/change/delete permissions, and are answered from the user row already loaded,
  with no query;
- one role per account keeps duties apart: the monitor who verifies a partner's
  milestone cannot also be that partner's staff through a second role;
- the set of roles is part of the design, so it lives in code, is reviewed, and has
  translated labels. A Role table pays off only once deployments define roles of their
  own; moving this field into one is then a small data migration.
A user with no role (an operator who only runs the server) may do nothing in the
programme, and being a Django superuser grants no role.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from amanah.accounts.models import Role, User
from amanah.core.errors import AmanahError, ErrorCode

__all__ = ["RoleRequired", "require_role", "user_has_role"]


class RoleRequired(AmanahError):
    """The user does not hold any of the roles this act needs."""

    code = ErrorCode.ROLE_REQUIRED
    status = 403
    fields = ("roles",)

    def message(self) -> str:
        return _("Only these roles may do this: {roles}.")

    def __str__(self) -> str:
        separator = pgettext("separator between the items of a list", ", ")
        labels = separator.join(str(Role(role).label) for role in self.values["roles"])
        return self.message().format(roles=labels)


def user_has_role(user: object, *roles: Role) -> bool:
    """Whether `user` is an active account holding one of `roles`.

    Anonymous users and inactive accounts hold no role; `is_superuser` grants none.
    Answered from the user row already loaded: no query.
    """
    if not roles:
        raise TypeError("user_has_role needs at least one role to check against")
    return isinstance(user, User) and user.is_active and user.role in roles


def require_role(user: object, *roles: Role) -> None:
    """Raise `RoleRequired` unless `user_has_role(user, *roles)`."""
    if not user_has_role(user, *roles):
        raise RoleRequired(roles=[role.value for role in roles])
