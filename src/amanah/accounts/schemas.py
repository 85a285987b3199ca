"""API schemas of the accounts app, one per operation."""

from __future__ import annotations

from ninja import Schema

from amanah.accounts.models import Role, User

__all__ = ["MeOut"]


class MeOut(Schema):
    username: str
    # null for an account that holds no role in the programme.
    role: Role | None

    @staticmethod
    def resolve_role(user: User) -> str | None:
        return user.role or None
